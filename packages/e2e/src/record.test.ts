/** Journey: open a record from the list, edit and save it, reload and see the new value; validation; 409. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { listAll, screenshot, signedIn, useApp, type Rec } from "./harness";

const app = useApp();

test("open a record, edit it, save, reload: the new value is there and in the API", async () => {
  const { context, page } = await signedIn(app);
  const [first] = await listAll(app.server.api, "opportunity", { sort: "name", fields: ["name"] });
  assert.ok(first);

  await page.goto(`${app.server.url}/o/opportunity?sort=name`);
  await page.getByRole("link", { name: String(first.name) }).click();
  await page.waitForURL(`${app.server.url}/o/opportunity/${first.id}`);
  await page.getByTestId("record-title").getByText(String(first.name)).waitFor();
  // Related lists: the account's page lists this deal among its opportunities (checked below).
  await screenshot(page, "record-en");

  await page.getByTestId("edit-record").click();
  const form = page.getByTestId("record-form");
  await form.getByLabel("Next step").fill("Send the revised quote");
  // Client-side validation from metadata: probability is 0..100.
  await form.getByLabel("Probability").fill("150");
  await page.getByTestId("save-record").click();
  await form.getByText("Must be at most 100").waitFor();
  await screenshot(page, "record-edit-validation");
  await form.getByLabel("Probability").fill("60");
  await page.getByTestId("save-record").click();
  await page.getByText("Saved").first().waitFor();

  await page.reload();
  await page.getByTestId("field-next_step").getByText("Send the revised quote").waitFor();
  const saved = await app.server.api.get<Rec>(`/api/objects/opportunity/records/${first.id}`);
  assert.equal(saved.next_step, "Send the revised quote");
  assert.equal(saved.probability, 60);
  await context.close();
});

test("a stale edit gets a friendly conflict message instead of overwriting", async () => {
  const { context, page } = await signedIn(app);
  const [rec] = await listAll(app.server.api, "opportunity", { sort: "-name", fields: ["name", "version"] });
  assert.ok(rec);
  await page.goto(`${app.server.url}/o/opportunity/${rec.id}`);
  await page.getByTestId("edit-record").click();
  // Someone else saves the record meanwhile.
  await app.server.api.call("PATCH", `/api/objects/opportunity/records/${rec.id}`, { next_step: "changed elsewhere" });
  await page.getByTestId("record-form").getByLabel("Next step").fill("my change");
  await page.getByTestId("save-record").click();
  await page.locator(".ant-modal-confirm-title", { hasText: "Someone else changed this record" }).waitFor();
  await page.waitForTimeout(400);
  await screenshot(page, "record-conflict");
  const now = await app.server.api.get<Rec>(`/api/objects/opportunity/records/${rec.id}`);
  assert.equal(now.next_step, "changed elsewhere");
  await context.close();
});

test("a server-side error (duplicate external id) shows next to its field", async () => {
  const { context, page } = await signedIn(app);
  const [rec] = await listAll(app.server.api, "opportunity", { filter: { field: "external_id", op: "eq", value: "E2E-001" }, fields: ["name"] });
  assert.ok(rec);
  await page.goto(`${app.server.url}/o/opportunity/${rec.id}`);
  await page.getByTestId("edit-record").click();
  await page.getByTestId("record-form").getByLabel("External ID").fill("E2E-002");
  await page.getByTestId("save-record").click();
  // The message comes from the server's problem+json errors[] and sits under the External ID input.
  const item = page.getByTestId("record-form").locator(".ant-form-item", { has: page.getByLabel("External ID") });
  await item.locator(".ant-form-item-explain-error").getByText(/already has external_id/).waitFor();
  await screenshot(page, "record-server-error");
  await context.close();
});

test("an account page lists its opportunities and contacts", async () => {
  const { context, page } = await signedIn(app);
  const [acme] = await listAll(app.server.api, "account", { filter: { field: "name", op: "eq", value: "Acme Corporation" }, fields: ["name"] });
  assert.ok(acme);
  const deals = await listAll(app.server.api, "opportunity", { filter: { field: "account", op: "eq", value: acme.id }, fields: ["name"] });
  await page.goto(`${app.server.url}/o/account/${acme.id}`);
  const related = page.getByTestId("related-opportunity-account");
  await related.getByText(String(deals.length), { exact: true }).waitFor();
  await related.getByRole("link").first().waitFor();
  await screenshot(page, "account-record");
  await context.close();
});
