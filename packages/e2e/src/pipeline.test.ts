/** Journey: the pipeline board shows stage totals; dragging a card changes the stage, and a closing stage asks for what a closed deal needs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { screenshot, signedIn, useApp, type Rec } from "./harness";

const app = useApp();

test("drag a card from Prospecting to Engaging; the API has the new stage", async () => {
  const { context, page } = await signedIn(app, "/pipeline");

  const prospecting = page.getByTestId("stage-column-Prospecting");
  const engaging = page.getByTestId("stage-column-Engaging");
  // 48 seeded deals, one stage in four: 12 per column.
  await page.getByTestId("stage-count-Prospecting").getByText("12").waitFor();
  await page.getByTestId("stage-count-Engaging").getByText("12").waitFor();
  const card = prospecting.getByTestId("deal-card").first();
  await card.waitFor();
  const id = await card.getAttribute("data-id");
  assert.ok(id);
  await screenshot(page, "pipeline-en");

  await card.dragTo(engaging.locator(".rl-board-cards"));
  await engaging.locator(`[data-id="${id}"]`).waitFor();
  await page.getByTestId("stage-count-Engaging").getByText("13").waitFor();
  await page.getByTestId("stage-count-Prospecting").getByText("11").waitFor();

  const saved = await app.server.api.get<Rec>(`/api/objects/opportunity/records/${id}`);
  assert.equal(saved.stage, "Engaging");
  await screenshot(page, "pipeline-after-drag");

  // After a reload the card is still where it was dropped.
  await page.reload();
  await page.getByTestId("stage-column-Engaging").locator(`[data-id="${id}"]`).waitFor();
  assert.equal(await page.getByTestId("stage-column-Prospecting").locator(`[data-id="${id}"]`).count(), 0);
  await context.close();
});

/** Today in the browser's (this machine's) time zone, as the close-date field shows it. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

test("dragging to Won asks for the close date and a missing amount; cancel puts the card back", async () => {
  const deal = await app.server.api.post<Rec>("/api/objects/opportunity/records", { name: "Board deal without amount", stage: "Prospecting" });
  const { context, page } = await signedIn(app, "/pipeline");
  const prospecting = page.getByTestId("stage-column-Prospecting");
  const won = page.getByTestId("stage-column-Won");
  const card = prospecting.locator(`[data-id="${deal.id}"]`);
  await card.waitFor();

  await card.dragTo(won.locator(".rl-board-cards"));
  const form = page.getByTestId("close-deal-form");
  await form.waitFor();
  // The close date starts at today; the deal has no amount, so the amount is asked for too.
  assert.equal(await form.getByLabel("Close date").inputValue(), today());
  await form.getByLabel("Amount").waitFor();
  await screenshot(page, "pipeline-close-won");
  await page.getByTestId("close-deal-cancel").click();
  await form.waitFor({ state: "detached" });
  await card.waitFor();
  assert.equal(await won.locator(`[data-id="${deal.id}"]`).count(), 0);
  assert.equal((await app.server.api.get<Rec>(`/api/objects/opportunity/records/${deal.id}`)).stage, "Prospecting");

  // Again, and this time confirm: the amount is required before the card moves.
  await card.dragTo(won.locator(".rl-board-cards"));
  await form.waitFor();
  await page.getByTestId("close-deal-ok").click();
  await form.getByText("Please fill this in").waitFor();
  await form.getByLabel("Amount").fill("1500");
  await page.getByTestId("close-deal-ok").click();
  await won.locator(`[data-id="${deal.id}"]`).waitFor();
  const saved = await app.server.api.get<Rec>(`/api/objects/opportunity/records/${deal.id}`);
  assert.equal(saved.stage, "Won");
  assert.equal(saved.close_date, today());
  assert.deepEqual(saved.amount, { amount: "1500.00", currency: "USD" });
  await context.close();
});

test("dragging to Lost asks for the close date only, then saves it with the stage", async () => {
  const { context, page } = await signedIn(app, "/pipeline");
  const card = page.getByTestId("stage-column-Engaging").getByTestId("deal-card").first();
  await card.waitFor();
  const id = await card.getAttribute("data-id");
  assert.ok(id);
  const lost = page.getByTestId("stage-column-Lost");
  await card.dragTo(lost.locator(".rl-board-cards"));
  const form = page.getByTestId("close-deal-form");
  await form.waitFor();
  assert.equal(await form.getByLabel("Close date").inputValue(), today());
  // Seeded deals all have an amount, and a lost deal never needs one: no amount input.
  assert.equal(await form.getByLabel("Amount").count(), 0);
  await page.getByTestId("close-deal-ok").click();
  await lost.locator(`[data-id="${id}"]`).waitFor();
  const saved = await app.server.api.get<Rec>(`/api/objects/opportunity/records/${id}`);
  assert.equal(saved.stage, "Lost");
  assert.equal(saved.close_date, today());
  await context.close();
});
