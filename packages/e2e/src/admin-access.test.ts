/**
 * Journeys of the access admin pages: an admin gives a user a role, masks a field for the intern role
 * and narrows the sales rep role's rows in the UI, sees the list through those users' eyes, then finds
 * the access.policy_changed entry in the audit log and checks that the hash chain is intact.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { eventually, newContext, screenshot, signedIn, useApp, type Rec } from "./harness";

const app = useApp();

type Policy = { object: string; actions: string[]; rowCondition: unknown; fieldRules: Record<string, { rule: string; mask?: string }> };
type Role = { name: string; policies: Policy[] };

async function userId(name: string): Promise<string> {
  const page = await app.server.api.post<{ records: Rec[] }>("/api/objects/user/records/query", { filter: { field: "name", op: "eq", value: name }, fields: ["id"] });
  return page.records[0]!.id;
}

async function pick(page: Page, option: string | RegExp): Promise<void> {
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: option }).first().click();
}

test("admin masks a field for interns; the preview as an intern shows it masked; the change is audited and the chain intact", async () => {
  const anna = await userId("Anna Snelling");
  const { context, page } = await signedIn(app, "/admin/users");

  // Users page: give Anna the intern role.
  await page.getByTestId(`edit-roles-${anna}`).click();
  await page.getByTestId("roles-select").click();
  await pick(page, /^Intern/);
  await page.keyboard.press("Escape");
  await page.getByTestId("roles-save").click();
  await page.getByTestId(`user-roles-${anna}`).getByText("Intern").waitFor();
  assert.deepEqual(await app.server.api.get(`/api/users/${anna}/roles`), { roles: ["intern"] });
  await screenshot(page, "admin-users");

  // Roles page: intern -> opportunity -> Next step masked as text.
  await page.getByTestId("main-nav").getByText("Roles & permissions").click();
  await page.getByTestId("role-intern").click();
  await page.getByTestId("role-title").getByText("Intern").waitFor();
  await screenshot(page, "admin-roles");
  await page.getByTestId("edit-policy-opportunity").click();
  const editor = page.getByTestId("policy-editor");
  await editor.getByTestId("rule-next_step").click();
  await pick(page, /^Masked$/);
  await editor.getByTestId("mask-next_step").waitFor();
  await page.waitForTimeout(300);
  await screenshot(page, "admin-policy-editor");
  await editor.getByTestId("policy-save").click();
  await editor.waitFor({ state: "detached" });
  const roles = await app.server.api.get<{ roles: Role[] }>("/api/access/roles");
  const opp = roles.roles.find((r) => r.name === "intern")!.policies.find((p) => p.object === "opportunity")!;
  // The seeded intern policy masked the name and amount already; the UI added the next step and kept the rest.
  assert.deepEqual(opp.fieldRules, { amount: { rule: "masked", mask: "amount_range" }, name: { rule: "masked", mask: "text" }, next_step: { rule: "masked", mask: "text" } });
  assert.deepEqual(opp.actions, ["read"]);

  // Preview as Anna: every deal name is masked to its first letter and "***" (core maskText),
  // amounts are ranges; the seeded names are "GTX ..." and "MG ...", amounts 1,000 to 12,750.
  await page.goto(`${app.server.url}/admin/preview?user=${anna}&object=opportunity`);
  await page.getByTestId("preview-banner").getByText("You are looking through the eyes of Anna Snelling").waitFor();
  const table = page.getByTestId("preview-table");
  await table.getByTestId("masked-value").first().waitFor();
  await page.getByTestId("preview-count").getByText("48 of 48 rows").waitFor();
  const masked = new Set(await table.getByTestId("masked-value").allTextContents());
  assert.deepEqual([...masked].sort(), ["10K–50K", "1K–10K", "G***", "M***"]);
  assert.equal(await table.getByText("GTX Pro for Acme Corporation #1").count(), 0);
  await screenshot(page, "admin-preview-intern");

  // Anna's effective rights list the masked next step on opportunities.
  await page.goto(`${app.server.url}/admin/users`);
  await page.getByTestId(`rights-${anna}`).click();
  const rights = page.getByTestId("effective-rights");
  await rights.getByTestId("rights-row-opportunity").getByText("Next step · Masked", { exact: true }).waitFor();
  await page.waitForTimeout(500);
  await screenshot(page, "admin-effective-rights");

  // Audit: the policy change is there with before and after; the chain verifies as intact.
  await page.goto(`${app.server.url}/admin/audit`);
  await page.getByTestId("audit-action-filter").locator("input").fill("access.policy_changed");
  await page.keyboard.press("Escape");
  await page.getByTestId("audit-search").click();
  const row = page.getByTestId("audit-table").locator("tbody tr", { hasText: "intern/opportunity" });
  await row.first().waitFor();
  assert.equal(await page.getByTestId("audit-table").getByTestId("audit-action").count(), 1);
  await row.first().click();
  await page.getByTestId("audit-changes").locator(".rl-after").getByText('"next_step"').waitFor();
  assert.equal(await page.getByTestId("audit-changes").locator(".rl-before").getByText('"next_step"').count(), 0);
  // Export for auditors: the CSV of this search holds the entry.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    (async () => {
      await page.getByTestId("audit-export").hover();
      await page.locator(".ant-dropdown:visible").getByText("CSV", { exact: true }).click();
    })(),
  ]);
  const csv = fs.readFileSync((await download.path()), "utf8");
  assert.match(csv, /access\.policy_changed/);
  assert.match(csv, /intern\/opportunity/);
  await page.getByTestId("verify-chain").click();
  const status = page.getByTestId("chain-status");
  await status.waitFor();
  assert.equal(await status.getAttribute("data-intact"), "true");
  await screenshot(page, "admin-audit");

  // The same pages in Chinese.
  await page.getByTestId("language-switch").getByText("中文").click();
  await page.getByText("哈希链完整性").waitFor();
  // The choice is remembered on the server (PATCH /api/auth/me) for the next sign-in.
  await eventually(async () => assert.equal((await app.server.api.get<{ user: { locale: string | null } }>("/api/auth/me")).user.locale, "zh-CN"));
  await screenshot(page, "admin-audit-zh");
  await page.goto(`${app.server.url}/admin/preview?user=${anna}&object=opportunity`);
  await page.getByTestId("preview-banner").getByText("您正在以Anna Snelling的视角查看").waitFor();
  await page.getByTestId("preview-count").getByText("共 48 条，显示 48 条").waitFor();
  await screenshot(page, "admin-preview-zh");
  await page.goto(`${app.server.url}/admin/roles?role=intern`);
  await page.getByTestId("edit-policy-opportunity").click();
  await page.getByTestId("policy-editor").getByText("脱敏方式").waitFor();
  await page.waitForTimeout(500); // the drawer's slide-in animation
  await screenshot(page, "admin-policy-editor-zh");
  // Back to English, remembered too, so the next tests' sign-ins are in English.
  await page.keyboard.press("Escape");
  await page.getByTestId("language-switch").getByText("EN").click();
  await eventually(async () => assert.equal((await app.server.api.get<{ user: { locale: string | null } }>("/api/auth/me")).user.locale, "en"));
  await context.close();
});

test("admin narrows the sales rep role to the rep's own region; the preview as a rep shows exactly those rows", async () => {
  const darcel = await userId("Darcel Schlecht");
  await app.server.api.call("PUT", `/api/users/${darcel}/roles`, { roles: ["sales_rep"] });
  const { context, page } = await signedIn(app, "/admin/roles?role=sales_rep");
  await page.getByTestId("edit-policy-opportunity").click();
  const editor = page.getByTestId("policy-editor");
  const builder = editor.getByTestId("row-condition");
  // The seeded rule (owner is me, or owner's team in my teams) is shown as two rules: remove both.
  await builder.locator(".rule").first().waitFor();
  while ((await builder.locator(".rule").count()) > 0) await builder.locator(".rule-remove").first().click();
  await builder.locator(".ruleGroup-addRule").first().click();
  // An amount with more decimals than the currency has: the server's 400 is shown at the condition.
  await builder.locator(".rule .rule-fields").click();
  await page.keyboard.type("Amount");
  await pick(page, /^Amount$/);
  await builder.locator(".rule .ant-input-number input").fill("12.345");
  await editor.getByTestId("policy-save").click();
  await builder.getByTestId("row-condition-error").getByText(/at most 2 decimal places/).waitFor();
  await screenshot(page, "admin-row-condition-error");
  await builder.locator(".rule .rule-fields").click();
  await page.keyboard.type("Region");
  await pick(page, /^Region$/);
  await builder.getByTestId("row-value-source").click();
  await pick(page, /^My region$/);
  await screenshot(page, "admin-row-condition");
  await editor.getByTestId("policy-save").click();
  await editor.waitFor({ state: "detached" });

  const roles = await app.server.api.get<{ roles: Role[] }>("/api/access/roles");
  const opp = roles.roles.find((r) => r.name === "sales_rep")!.policies.find((p) => p.object === "opportunity")!;
  assert.deepEqual(opp.rowCondition, { field: "region", op: "eq", value: { $actor: "region" } });

  // Seeded deals: region = regions[i % 3] and Darcel is in regions[0], so deals 0, 3, ..., 45: 16 of 48.
  await page.goto(`${app.server.url}/admin/preview?user=${darcel}&object=opportunity`);
  await page.getByTestId("preview-banner").getByText("Darcel Schlecht").waitFor();
  await page.getByTestId("preview-row-rule").getByText("Region is My region").waitFor();
  await page.getByTestId("preview-count").getByText("16 of 16 rows").waitFor();
  const names = await page.getByTestId("preview-table").locator("tbody tr.ant-table-row td:first-child").allTextContents();
  const expected = Array.from({ length: 48 }, (_, i) => i)
    .filter((i) => i % 3 === 0)
    .map((i) => `${["GTX Pro", "MG Special", "GTX Basic", "MG Advanced"][i % 4]} for ${["Acme Corporation", "Betasoloin", "Cancity", "Dontechi", "Funholding", "Goodsilron"][i % 6]} #${i + 1}`);
  assert.deepEqual(names.sort(), expected.sort());
  // Related accounts come as Darcel may read them (never looked up as the admin): deals 0, 3, ... are
  // on Acme Corporation (i % 6 = 0, owned by Darcel) and Dontechi (i % 6 = 3, owned by Moses, not his).
  const accounts = await page.getByTestId("preview-table").locator("tbody tr.ant-table-row td:nth-child(2)").allInnerTexts();
  assert.deepEqual([...new Set(accounts.map((x) => x.trim()))].sort(), ["Acme Corporation", "Not visible"]);
  assert.equal(accounts.filter((x) => x.trim() === "Not visible").length, 8);
  await screenshot(page, "admin-preview-rep");
  await context.close();
});

test("admin creates a custom role, grants it Read on accounts from the matrix, and deletes it", async () => {
  const { context, page } = await signedIn(app, "/admin/roles");
  await page.getByTestId("new-role").click();
  const form = page.getByTestId("role-form");
  // A name that is taken: the server's 409 shows at the name field.
  await form.getByLabel("API name").fill("intern");
  await form.getByLabel("Name (English)").fill("Second intern");
  await form.getByLabel("Name (Chinese)").fill("第二实习生");
  await page.getByTestId("role-form-ok").click();
  await form.getByText("already taken").waitFor();
  await form.getByLabel("API name").fill("regional_auditor");
  await form.getByLabel("Name (English)").fill("Regional auditor");
  await form.getByLabel("Name (Chinese)").fill("区域审计员");
  await form.getByLabel("Description").fill("Reads accounts of every region.");
  await page.getByTestId("role-form-ok").click();
  await page.getByTestId("role-title").getByText("Regional auditor").waitFor();
  await page.getByTestId("cell-account-read").click();
  await page.getByTestId("rows-account-all").waitFor();
  const role = await app.server.api.get<Role>("/api/access/roles/regional_auditor");
  assert.deepEqual(
    role.policies.map((p) => [p.object, p.actions, p.rowCondition, p.fieldRules]),
    [["account", ["read"], null, {}]],
  );
  await screenshot(page, "admin-custom-role");
  await page.getByTestId("delete-role").click();
  await page.locator(".ant-popconfirm").getByRole("button", { name: "Delete" }).click();
  await page.getByTestId("role-regional_auditor").waitFor({ state: "detached" });
  await assert.rejects(app.server.api.get("/api/access/roles/regional_auditor"), /404/);

  // Users page: deactivate and reactivate a user.
  const moses = await userId("Moses Frase");
  await page.goto(`${app.server.url}/admin/users`);
  await page.getByTestId(`toggle-active-${moses}`).click();
  await page.locator(".ant-popconfirm").getByRole("button", { name: "Deactivate" }).click();
  await page.getByTestId("users-table").locator("tr", { hasText: "Moses Frase" }).getByText("Deactivated").waitFor();
  const off = await app.server.api.get<Rec>(`/api/objects/user/records/${moses}?fields=is_active`);
  assert.equal(off.is_active, false);
  await page.getByTestId(`toggle-active-${moses}`).click();
  await page.locator(".ant-popconfirm").getByRole("button", { name: "Reactivate" }).click();
  await page.getByTestId("users-table").locator("tr", { hasText: "Moses Frase" }).getByText("Active", { exact: true }).waitFor();
  const on = await app.server.api.get<Rec>(`/api/objects/user/records/${moses}?fields=is_active`);
  assert.equal(on.is_active, true);
  await page.getByTestId("language-switch").getByText("中文").click();
  await page.getByText("为员工分配角色").waitFor();
  await screenshot(page, "admin-users-zh");
  await context.close();
});

test("a sales rep does not see the admin menu and gets a 403 page on an admin address", async () => {
  const vicki = await userId("Vicki Laflamme");
  const password = "a-Rep-Password-2468";
  await app.server.api.call("PUT", `/api/users/${vicki}/password`, { password });
  await app.server.api.call("PUT", `/api/users/${vicki}/roles`, { roles: ["sales_rep"] });
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/login`);
  await page.getByLabel(/Email|邮箱/).fill("vicki@e2e.example.com");
  await page.getByLabel(/Password|密码/).fill(password);
  await page.getByRole("button", { name: /Sign in|登录/ }).click();
  await page.waitForURL(`${app.server.url}/`);
  await page.getByTestId("main-nav").getByText("Opportunities", { exact: true }).waitFor();
  assert.equal(await page.getByTestId("main-nav").getByText("Roles & permissions").count(), 0);
  await page.goto(`${app.server.url}/admin/audit`);
  await page.getByTestId("admin-only").getByText("Administrators only").waitFor();
  await context.close();
});
