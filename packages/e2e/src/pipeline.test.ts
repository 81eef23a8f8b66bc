/** Journey: the pipeline board shows stage totals, and dragging a card changes the deal's stage. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser, newContext, screenshot, seedSales, signIn, startServer, type Rec, type Server } from "./harness";

let server: Server;
let browser: Browser;

before(async () => {
  server = await startServer();
  await seedSales(server.api);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("drag a card from Prospecting to Engaging; the API has the new stage", async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server.url);
  await page.goto(`${server.url}/pipeline`);

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

  const saved = await server.api.get<Rec>(`/api/objects/opportunity/records/${id}`);
  assert.equal(saved.stage, "Engaging");
  await screenshot(page, "pipeline-after-drag");

  // After a reload the card is still where it was dropped.
  await page.reload();
  await page.getByTestId("stage-column-Engaging").locator(`[data-id="${id}"]`).waitFor();
  assert.equal(await page.getByTestId("stage-column-Prospecting").locator(`[data-id="${id}"]`).count(), 0);
  await context.close();
});
