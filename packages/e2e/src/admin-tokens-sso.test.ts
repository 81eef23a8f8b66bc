/**
 * Journeys of the administration pages for access from outside: an admin makes an API token in the
 * UI (shown once), a script uses it (200), the admin revokes it (then 401); an admin onboards a
 * user (record, roles, password) and that user signs in; an admin saves the single sign-on
 * settings and the client secret is never shown back.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, newContext, screenshot, signedIn, useApp, type Rec } from "./harness";

const app = useApp({ seed: async () => {} });

async function pick(page: Page, option: string | RegExp): Promise<void> {
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: option }).first().click();
}

const withToken = (token: string, p: string) => fetch(`${app.server.url}${p}`, { headers: { authorization: `Bearer ${token}` } });

test("an API token made in the UI works once copied, and stops working when revoked in the UI", async () => {
  const { context, page } = await signedIn(app, "/admin/tokens");
  await page.getByTestId("tokens-page").waitFor();
  await page.getByTestId("token-new").click();
  await page.getByTestId("token-name").fill("Nightly sync");
  // "read" is ticked by default; add "export" as well.
  await page.getByTestId("token-scope-export").click();
  await page.getByTestId("token-create").click();
  const secret = await page.getByTestId("token-secret").inputValue();
  assert.ok(secret.length >= 20, `a token is shown: ${secret}`);
  await page.getByText("It is shown only this once").waitFor();
  await screenshot(page, "admin-token-shown-once");

  const listed = await app.server.api.get<{ tokens: { id: string; name: string; scopes: string[]; revokedAt: string | null }[] }>("/api/tokens");
  const made = listed.tokens.find((x) => x.name === "Nightly sync")!;
  assert.deepEqual([...made.scopes].sort(), ["export", "read"]);
  assert.equal(made.revokedAt, null);

  // A script with the token reads the API.
  assert.equal((await withToken(secret, "/api/objects")).status, 200);

  await page.getByTestId("token-done").click();
  await page.getByTestId(`token-revoke-${made.id}`).click();
  await page.locator(".ant-popconfirm:visible").getByRole("button", { name: "Revoke" }).click();
  await page.getByTestId("token-row-Nightly sync").getByText("Revoked").waitFor();
  await screenshot(page, "admin-tokens-revoked");
  assert.equal((await withToken(secret, "/api/objects")).status, 401);

  // The audit log names both actions in words, the code kept in the tooltip; the object by its label.
  await page.goto(`${app.server.url}/admin/audit`);
  const created = page.getByTestId("audit-table").locator('[data-action="token.created"]');
  await created.first().waitFor();
  assert.equal(await created.first().innerText(), "API token created");
  assert.equal(await page.getByTestId("audit-table").locator('[data-action="token.revoked"]').first().innerText(), "API token revoked");
  await created.first().hover();
  await page.locator(".ant-tooltip:visible").getByText("token.created").waitFor();
  await page.getByTestId("audit-table").locator("tbody tr", { has: page.locator('[data-action="token.created"]') }).first().getByText("API token", { exact: true }).waitFor();
  await screenshot(page, "admin-audit-labels");
  await context.close();
});

test("an admin creates a user with a role, sets their password in the UI (the policy's errors shown) and they sign in", async () => {
  const { context, page } = await signedIn(app, "/admin/users");
  await page.getByTestId("user-new").click();
  await page.getByTestId("new-user-name").fill("Nora Newhire");
  await page.getByTestId("new-user-email").fill("nora@e2e.example.com");
  await page.getByTestId("new-user-roles").click();
  await pick(page, /^Sales rep/);
  await page.keyboard.press("Escape");
  await page.getByTestId("new-user-save").click();
  await page.getByText("Nora Newhire created").waitFor();

  const found = await app.server.api.post<{ records: Rec[] }>("/api/objects/user/records/query", { filter: { field: "email", op: "eq", value: "nora@e2e.example.com" }, fields: ["id", "name"] });
  const nora = found.records[0]!.id;
  assert.deepEqual(await app.server.api.get(`/api/users/${nora}/roles`), { roles: ["sales_rep"] });

  // The search filters as one types, without Enter.
  await page.getByTestId("users-search").fill("nora");
  await eventually(async () => assert.equal(await page.getByTestId("users-table").locator("tbody tr.ant-table-row").count(), 1));

  // Too short: the policy's reason appears; then a good password.
  await page.getByTestId(`set-password-${nora}`).click();
  await page.getByTestId("password-input").fill("short");
  await page.getByTestId("password-save").click();
  await page.getByTestId("password-error").first().waitFor();
  assert.match(await page.getByTestId("password-error").first().innerText(), /12/);
  await screenshot(page, "admin-set-password-error");
  const password = "Violet-harbour-2931";
  await page.getByTestId("password-input").fill(password);
  await page.getByTestId("password-save").click();
  await page.getByText("Password set for Nora Newhire").waitFor();
  await context.close();

  // Nora signs in with it.
  const ctx = await newContext(app.browser);
  const p = await ctx.newPage();
  await p.goto(`${app.server.url}/login`);
  await p.getByLabel("Email").fill("nora@e2e.example.com");
  await p.getByLabel("Password").fill(password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(`${app.server.url}/`);
  const me = await p.evaluate(async () => (await (await fetch("/api/auth/me")).json()) as { user: { name: string; locale: string | null } });
  assert.equal(me.user.name, "Nora Newhire");
  assert.equal(me.user.locale, null);

  // She switches to Chinese: remembered on the server, so a fresh English browser follows it.
  await p.getByText("中文", { exact: true }).click();
  await p.getByTestId("main-nav").getByText("仪表盘").waitFor();
  await eventually(async () => {
    const after = await p.evaluate(async () => (await (await fetch("/api/auth/me")).json()) as { user: { locale: string | null } });
    assert.equal(after.user.locale, "zh-CN");
  });
  await ctx.close();
  const ctx2 = await newContext(app.browser, "en-US");
  const p2 = await ctx2.newPage();
  await p2.goto(`${app.server.url}/login`);
  await p2.getByLabel("Email").fill("nora@e2e.example.com");
  await p2.getByLabel("Password").fill(password);
  await p2.getByRole("button", { name: "Sign in" }).click();
  await p2.waitForURL(`${app.server.url}/`);
  await p2.getByTestId("main-nav").getByText("仪表盘").waitFor();
  await ctx2.close();
});

test("single sign-on settings are saved in the UI, field errors shown, and the client secret is never shown back", async () => {
  const { context, page } = await signedIn(app, "/admin/sso");
  await page.getByTestId("sso-page").waitFor();
  await page.getByTestId("sso-issuer").fill("ftp://idp.example.com");
  await page.getByTestId("sso-client-id").fill("revline-crm");
  await page.getByTestId("sso-client-secret").fill("very-secret-value-8841");
  await page.getByTestId("sso-save").click();
  // The server's 400 names the issuer: shown under that field.
  await page.getByText("must be an https URL").waitFor();
  await page.getByTestId("sso-issuer").fill("https://idp.example.com/realms/acme");
  await page.getByTestId("sso-add-mapping").click();
  await page.getByPlaceholder("Claim value").fill("crm-sales");
  await page.getByTestId("sso-mapping-row").locator(".ant-select").click();
  await pick(page, /^Sales rep/);
  await page.getByPlaceholder("groups").fill("groups");
  await page.getByTestId("sso-save").click();
  await page.getByText("Single sign-on settings saved").waitFor();

  const saved = await app.server.api.get<{ hasClientSecret: boolean; settings: { issuer: string; clientId: string; roleMapping: Record<string, string>; roleClaim: string } }>("/api/auth/sso");
  assert.equal(saved.hasClientSecret, true);
  assert.equal(saved.settings.issuer, "https://idp.example.com/realms/acme");
  assert.deepEqual(saved.settings.roleMapping, { "crm-sales": "sales_rep" });
  assert.equal(saved.settings.roleClaim, "groups");

  await page.reload();
  await page.getByText("A secret is stored. Leave empty to keep it.").waitFor();
  assert.equal(await page.getByTestId("sso-client-secret").inputValue(), "");
  assert.equal((await page.content()).includes("very-secret-value-8841"), false);
  await screenshot(page, "admin-sso");

  // Saving again with the secret left empty keeps it.
  await page.getByTestId("sso-client-id").fill("revline-crm-2");
  await page.getByTestId("sso-save").click();
  await page.getByText("Single sign-on settings saved").first().waitFor();
  const again = await eventually(async () => {
    const v = await app.server.api.get<{ hasClientSecret: boolean; settings: { clientId: string } }>("/api/auth/sso");
    assert.equal(v.settings.clientId, "revline-crm-2");
    return v;
  });
  assert.equal(again.hasClientSecret, true);
  await context.close();
});

test("the new administration pages in Chinese", async () => {
  const context = await newContext(app.browser, "zh-CN");
  const page = await context.newPage();
  await page.goto(`${app.server.url}/login`);
  await page.getByLabel("邮箱").fill(ADMIN_EMAIL);
  await page.getByLabel("密码").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL(`${app.server.url}/`);
  // The admin's remembered language wins over the browser's: choose Chinese (and English again at the end).
  await page.getByTestId("language-switch").getByText("中文").click();
  await page.getByTestId("main-nav").getByText("仪表盘").waitFor();
  await page.goto(`${app.server.url}/admin/tokens`);
  await page.getByText("Nightly sync").waitFor();
  await screenshot(page, "zh-admin-tokens");
  const headers = await page.getByTestId("tokens-table").locator("thead th").allInnerTexts();
  assert.ok(headers.includes("最近使用"), `headers: ${headers.join(" | ")}`);
  await page.getByTestId("token-new").click();
  await page.getByText("读取记录、列表和元数据").waitFor();
  await page.waitForTimeout(400); // the dialog's zoom-in animation
  await screenshot(page, "zh-admin-token-new");
  await page.keyboard.press("Escape");
  await page.goto(`${app.server.url}/admin/sso`);
  await page.getByText("已保存密钥。留空则保持不变。").waitFor();
  await screenshot(page, "zh-admin-sso");
  await page.goto(`${app.server.url}/admin/users`);
  await page.getByTestId("user-new").click();
  await page.getByText("密码（可选）").waitFor();
  await page.waitForTimeout(400); // the dialog's zoom-in animation
  await screenshot(page, "zh-admin-new-user");
  await page.keyboard.press("Escape");
  await page.goto(`${app.server.url}/admin/audit`);
  await page.getByTestId("audit-table").locator('[data-action="token.created"]').getByText("创建 API 令牌").first().waitFor();
  // "Reset" is 重置, not antd's spaced-out "重 置".
  await page.getByRole("button", { name: "重置", exact: true }).waitFor();
  assert.equal(await page.getByRole("button", { name: "重置", exact: true }).innerText(), "重置");
  await screenshot(page, "zh-admin-audit");
  await page.getByTestId("language-switch").getByText("EN").click();
  await eventually(async () => assert.equal((await app.server.api.get<{ user: { locale: string | null } }>("/api/auth/me")).user.locale, "en"));
  await context.close();
});
