/** Journeys: the import wizard (upload, map, run, report) and adding a custom field that forms pick up at once. */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { listAll, screenshot, signedIn, useApp } from "./harness";

const app = useApp();

test("import wizard: map a column, run, and see created and rejected rows with reasons", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "revline-import-")), "deals.csv");
  // Two good rows; one names an account that doesn't exist, one has a stage that isn't an option.
  fs.writeFileSync(
    file,
    [
      "Deal,Stage,Amount,Account,Close date",
      'Wizard deal A,Won,"$1,200.50",Acme Corporation,2024/3/5',
      "Wizard deal B,Engaging,800,cancity,",
      "Wizard deal C,Lost,300,No Such Account,2024-04-01",
      "Wizard deal D,Bogus,100,Betasoloin,2024-05-01",
    ].join("\n"),
  );
  const { context, page } = await signedIn(app, "/import");
  await page.locator("input[type=file]").setInputFiles(file);
  const mapping = page.getByTestId("mapping-table");
  await mapping.waitFor();
  // "Deal" matches no field by name or label: map it to Name by hand.
  await mapping.getByRole("row", { name: /Deal/ }).first().locator(".ant-select").click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: /^Name$/ }).click();
  await screenshot(page, "import-mapping");
  await page.getByTestId("mapping-next").click();
  await page.getByTestId("import-run").click();
  const summary = page.getByTestId("import-summary");
  await summary.waitFor({ timeout: 60_000 });
  await page.getByTestId("rejections-table").getByText('no account named "No Such Account"').waitFor();
  await screenshot(page, "import-report");

  const imported = await listAll(app.server.api, "opportunity", { filter: { field: "name", op: "starts_with", value: "Wizard deal" }, fields: ["name", "amount", "account"] });
  assert.deepEqual(imported.map((r) => r.name).sort(), ["Wizard deal A", "Wizard deal B"]);
  const a = imported.find((r) => r.name === "Wizard deal A")!;
  assert.deepEqual(a.amount, { amount: "1200.50", currency: "USD" });
  assert.equal(await page.getByTestId("rejections-table").locator("tbody tr").count(), 2);
  await context.close();
});

test("admin adds a custom field; the record form shows it without a reload", async () => {
  const { context, page } = await signedIn(app);
  await page.getByTestId("main-nav").getByText("Objects & fields").click();
  await page.locator(".rl-admin-page .ant-menu").getByText("Account", { exact: true }).click();
  await page.getByTestId("new-field").click();
  const dialog = page.locator(".ant-modal");
  await dialog.getByLabel("Label (English)").fill("Usage trend");
  await dialog.getByLabel("Label (Chinese)").fill("使用趋势");
  await dialog.getByLabel("API name").fill("usage_trend");
  await dialog.getByLabel("Type").click();
  await page.keyboard.type("Picklist");
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: /^Picklist$/ }).click();
  const options = dialog.getByLabel("Options");
  for (const o of ["growing", "stable", "declining"]) {
    await options.fill(o);
    await options.press("Enter");
  }
  await screenshot(page, "admin-new-field");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("field-table").getByText("usage_trend").waitFor();

  // Same page session: go to an account and edit it; the new field is in the form.
  await page.getByTestId("main-nav").getByText("Accounts", { exact: true }).click();
  await page.getByRole("link", { name: "Acme Corporation" }).click();
  await page.getByTestId("edit-record").click();
  const form = page.getByTestId("record-form");
  await form.getByLabel("Usage trend").click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: /^declining$/ }).click();
  await page.getByTestId("save-record").click();
  await page.getByTestId("field-usage_trend").getByText("declining").waitFor();
  const [acme] = await listAll(app.server.api, "account", { filter: { field: "name", op: "eq", value: "Acme Corporation" }, fields: ["usage_trend"] });
  assert.equal(acme?.usage_trend, "declining");
  await context.close();
});
