/**
 * Journey: people with narrower roles get a UI built for what they may do. An intern sees customer
 * names masked, no New/Edit/Delete buttons and no sort on the masked name; a rep with a role that
 * may reveal clicks "Reveal" on a masked phone and sees it (and the reveal is in the audit log).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiClient, newContext, screenshot, useApp, type Rec } from "./harness";

const app = useApp();
const PASSWORD = "a-restricted-Password-42";

async function userWithRoles(api: ApiClient, name: string, email: string, roles: string[]): Promise<string> {
  const u = await api.post<Rec>("/api/objects/user/records", { name, email });
  await api.call("PUT", `/api/users/${u.id}/password`, { password: PASSWORD });
  await api.call("PUT", `/api/users/${u.id}/roles`, { roles });
  return u.id;
}

async function signInAs(email: string) {
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/login`);
  await page.getByLabel(/Email|邮箱/).fill(email);
  await page.getByLabel(/Password|密码/).fill(PASSWORD);
  await page.getByRole("button", { name: /Sign in|登录/ }).click();
  await page.waitForURL(`${app.server.url}/`);
  return { context, page };
}

test("an intern sees masked customer names and no buttons to change anything", async () => {
  const api = app.server.api;
  await userWithRoles(api, "Ivy Intern", "ivy@e2e.example.com", ["intern"]);
  const { context, page } = await signInAs("ivy@e2e.example.com");
  await page.goto(`${app.server.url}/o/account`);
  // Acme Corporation, masked as text: first character kept, the rest starred (core maskText).
  const links = page.getByTestId("record-table").locator("a.rl-name-link");
  await links.first().waitFor();
  const names = await links.allInnerTexts();
  assert.ok(names.length >= 6, `expected the 6 seeded accounts, saw ${names.length}`);
  assert.ok(!names.some((n) => n.includes("Acme Corporation")), `a clear name reached the intern: ${names.join(", ")}`);
  assert.ok(names.every((n) => n.includes("*")), `every name should be masked: ${names.join(", ")}`);
  assert.equal(await page.getByTestId("new-record").count(), 0);
  assert.equal(await page.getByTestId("quick-search").isDisabled(), true);
  // No object allows an intern to import: the menu does not offer it.
  assert.equal(await page.getByRole("menuitem", { name: "Import data" }).count(), 0);
  assert.equal(await page.getByRole("menuitem", { name: "Export requests" }).count(), 1);
  await screenshot(page, "intern-accounts");
  await links.first().click();
  await page.getByTestId("record-title").waitFor();
  assert.equal(await page.getByTestId("edit-record").count(), 0);
  assert.equal(await page.getByTestId("delete-record").count(), 0);
  // Related lists of the account offer no "New": the intern may create neither contacts nor deals.
  await page.getByTestId("related-opportunity-account").waitFor();
  assert.equal(await page.getByTestId("related-opportunity-account").getByRole("button", { name: "New" }).count(), 0);
  // The pipeline board counts deals for the intern (amounts are masked, so not summed or sorted).
  await page.goto(`${app.server.url}/pipeline`);
  await page.getByTestId("deal-card").first().waitFor();
  assert.equal(await page.getByTestId("deal-card").first().getAttribute("draggable"), "false");
  // No "drag a card" hint for someone who cannot move cards.
  await page.getByText("Your role can view the deals here but not move them between stages.").waitFor();
  assert.equal(await page.getByText("Drag a card to another column").count(), 0);
  // The dashboard counts deals instead of showing $0: seeded 48 deals, every fourth one Won (12), and Lost (12).
  await page.goto(`${app.server.url}/`);
  await page.getByTestId("amounts-hidden").waitFor();
  assert.equal(await page.getByTestId("dashboard-subtitle").innerText(), "Opportunities you can see, live from your pipeline");
  const won = page.getByTestId("kpi-won");
  await won.getByText("12", { exact: true }).waitFor();
  assert.match(await won.innerText(), /Won deals/);
  assert.match(await page.getByTestId("kpi-lost").innerText(), /Lost deals\s+12/);
  assert.ok(!(await page.locator(".rl-kpi").allInnerTexts()).some((x) => x.includes("$")), "no money figure for the intern");
  await screenshot(page, "intern-dashboard");
  await context.close();
});

test("a role with the reveal right unmasks one phone number, and the reveal is audited", async () => {
  const api = app.server.api;
  await api.post("/api/access/roles", { name: "phone_desk", label: { en: "Phone desk", zh: "电话台" } });
  await api.call("PUT", "/api/access/roles/phone_desk/policies/account", { actions: ["read", "reveal"], fieldRules: { phone: { rule: "masked", mask: "phone" } } });
  const acme = (await api.post<{ records: Rec[] }>("/api/objects/account/records/query", { filter: { field: "name", op: "eq", value: "Acme Corporation" } })).records[0]!;
  await api.call("PATCH", `/api/objects/account/records/${acme.id}`, { phone: "+86 138 1234 5678" });
  const deskId = await userWithRoles(api, "Dora Desk", "dora@e2e.example.com", ["phone_desk"]);
  const { context, page } = await signInAs("dora@e2e.example.com");
  await page.goto(`${app.server.url}/o/account/${acme.id}`);
  const phone = page.getByTestId("field-phone");
  await phone.getByRole("button", { name: "Reveal" }).waitFor();
  const masked = await phone.innerText();
  assert.ok(!masked.includes("1234 5678") && !masked.includes("12345678"), `the phone came in clear: ${masked}`);
  await phone.getByTestId("reveal-phone").click();
  await phone.getByText(/138.?1234.?5678/).waitFor();
  await screenshot(page, "revealed-phone");
  const audit = await api.get<{ entries: { action: string; actor: { id: string }; recordId: string | null; changes: Record<string, unknown> | null }[] }>(
    `/api/audit?action=record.reveal&recordId=${acme.id}`,
  );
  assert.equal(audit.entries.length, 1);
  assert.equal(audit.entries[0]!.actor.id, deskId);
  assert.deepEqual(Object.keys(audit.entries[0]!.changes ?? {}), ["phone"]);
  assert.ok(!JSON.stringify(audit.entries).includes("5678"), "the audit entry names the field, never the value");
  await context.close();
});
