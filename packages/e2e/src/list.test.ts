/** Journey: the opportunity list — filter builder, sorting, quick search, keyset paging, export. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { eventually, listAll, screenshot, seedSales, signedIn, useApp } from "./harness";

const app = useApp({
  seed: async (api) => {
    await seedSales(api);
    // 250 more open deals so the list has to page (100 rows a page).
    const extra = Array.from({ length: 250 }, (_, i) => ({ external_id: `BULK-${i}`, name: `Bulk deal ${String(i).padStart(3, "0")}`, stage: "Prospecting", amount: 100 + i }));
    await api.post("/api/objects/opportunity/records/bulk-upsert", { key: "external_id", records: extra });
  },
});

/** Names in the rendered rows of the virtual table, top to bottom. */
async function shownNames(page: Page): Promise<string[]> {
  return page.getByTestId("record-table").locator("a.rl-name-link").allInnerTexts();
}

test("filter stage = Won with the condition builder: the rows are the API's answer", async () => {
  const { context, page } = await signedIn(app, "/o/opportunity");
  await page.getByTestId("row-count").getByText("298 records").waitFor();

  await page.getByTestId("toggle-filter").click();
  await page.getByRole("button", { name: "+ Condition" }).click();
  const rule = page.getByTestId("filter-panel").locator(".rule").first();
  await rule.locator(".rule-fields").click();
  await page.keyboard.type("Stage");
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: /^Stage$/ }).click();
  // Field, operator, then the value editor (a select of the picklist options).
  await rule.locator(".ant-select").nth(2).click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: /^Won$/ }).click();
  await page.getByTestId("apply-filter").click();

  const won = await listAll(app.server.api, "opportunity", { filter: { field: "stage", op: "eq", value: "Won" }, fields: ["name"] });
  assert.equal(won.length, 12);
  await page.getByTestId("row-count").getByText("12 records").waitFor();
  await page.getByTestId("loaded-count").getByText("Showing 12 of 12").waitFor();
  await eventually(async () => {
    const names = await shownNames(page);
    assert.ok(names.length >= 8, `at least 8 rows visible, got ${names.length}`);
    assert.deepEqual(names, won.slice(0, names.length).map((r) => String(r.name)));
  });
  await screenshot(page, "opportunity-list-filtered");

  // Sort by amount, descending (two clicks on the header): the order is the API's.
  await page.getByRole("columnheader", { name: "Amount" }).click();
  await page.waitForURL(/sort=amount/);
  await page.getByRole("columnheader", { name: "Amount" }).click();
  await page.waitForURL(/sort=-amount/);
  const byAmount = await listAll(app.server.api, "opportunity", { filter: { field: "stage", op: "eq", value: "Won" }, sort: "-amount", fields: ["name"] });
  await eventually(async () => {
    const sorted = await shownNames(page);
    assert.ok(sorted.length >= 8, `at least 8 rows visible, got ${sorted.length}`);
    assert.deepEqual(sorted, byAmount.slice(0, sorted.length).map((r) => String(r.name)));
  });

  // The filter lives in the URL: a reload keeps it.
  await page.reload();
  await page.getByTestId("row-count").getByText("12 records").waitFor();
  await context.close();
});

test("quick search on the name, and scrolling loads the next keyset page", async () => {
  const { context, page } = await signedIn(app, "/o/opportunity");
  await page.getByTestId("loaded-count").getByText("Showing 100 of 298").waitFor();

  // Scroll the virtual table to its end: the next page arrives without a click.
  const body = page.getByTestId("record-table").locator(".ant-table-tbody-virtual-holder");
  await body.hover();
  for (let i = 0; i < 40 && !(await page.getByTestId("loaded-count").innerText()).includes("200 of"); i++) await page.mouse.wheel(0, 2000);
  await page.getByTestId("loaded-count").getByText("Showing 200 of 298").waitFor();

  await page.getByTestId("quick-search").fill("acme");
  await page.getByTestId("quick-search").press("Enter");
  const acme = await listAll(app.server.api, "opportunity", { filter: { field: "name", op: "contains", value: "acme" }, fields: ["name"] });
  await page.getByTestId("row-count").getByText(`${acme.length} records`).waitFor();
  await page.getByTestId("loaded-count").getByText(`Showing ${acme.length} of ${acme.length}`).waitFor();
  await eventually(async () => {
    const names = await shownNames(page);
    assert.ok(names.length > 0 && names.every((n) => /acme/i.test(n)), `only Acme deals shown: ${names.join(" | ")}`);
  });
  await context.close();
});

test("export downloads the filtered list", async () => {
  const { context, page } = await signedIn(app);
  const filter = encodeURIComponent(JSON.stringify({ field: "stage", op: "eq", value: "Lost" }));
  await page.goto(`${app.server.url}/o/opportunity?filter=${filter}`);
  await page.getByTestId("row-count").getByText("12 records").waitFor();
  await page.getByTestId("export").hover();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByText("CSV (.csv)").click()]);
  const file = await download.path();
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(file, "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
  assert.equal(lines.length, 1 + 12, "a header line and the 12 lost deals");
  await context.close();
});
