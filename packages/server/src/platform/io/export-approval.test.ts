/**
 * Export as a controlled act, over real HTTP (export-approval.ts, export.routes.ts):
 * - over the threshold (PUT /api/settings/export) or with masked fields in clear, an export becomes a
 *   request; the maker cannot approve it; a non-approver cannot see it; a second admin approves;
 * - the one-time link works once, for the requester only, and not after it expired (test clock);
 * - the file holds only the requester's rows (a rep never gets another team's accounts) and masked
 *   values stay masked unless the approval covered clear values;
 * - rejected requests cannot be downloaded; every step is audited.
 */
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

let t: TestApp;
/** The test clock runs `offset` ms ahead of the real one. */
let offset = 0;
const HOUR = 3_600_000;

type Who = { id: string; email: string; token: string };
let repNorth: Who, repNorth2: Who, repSouth: Who, admin2: Who, masker: Who, noReveal: Who, hider: Who;

/** Account name -> owner, and the phone every account has. */
const PHONE = "+1 555 010 1234";
const MASKED_PHONE = "155****1234"; // digits 15550101234: first 3, four stars, last 4

beforeAll(async () => {
  t = await createTestApp({ clock: () => new Date(Date.now() + offset) });
  const north = (await t.post("/api/objects/team/records", { name: "North" })).body.id as string;
  const south = (await t.post("/api/objects/team/records", { name: "South" })).body.id as string;
  repNorth = await t.createUser({ name: "Nora North", email: "nora@example.com", roles: ["sales_rep"], team: north });
  repNorth2 = await t.createUser({ name: "Ned North", email: "ned@example.com", roles: ["sales_rep"], team: north });
  repSouth = await t.createUser({ name: "Sam South", email: "sam@example.com", roles: ["sales_rep"], team: south });
  admin2 = await t.createUser({ name: "Second Admin", email: "admin2@example.com", roles: ["admin"] });
  // A role that exports accounts with the phone masked; one with the reveal right, one without.
  for (const [role, actions] of [
    ["phone_masked_reveal", ["read", "export", "reveal"]],
    ["phone_masked", ["read", "export"]],
  ] as const) {
    expect((await t.post("/api/access/roles", { name: role, label: { en: role, zh: role } })).status).toBe(201);
    const put = await t.request("PUT", `/api/access/roles/${role}/policies/account`, { body: { actions, fieldRules: { phone: { rule: "masked", mask: "phone" } } } });
    expect(put.status).toBe(200);
  }
  // And one that may not see the phone nor the external key at all.
  expect((await t.post("/api/access/roles", { name: "phone_hidden", label: { en: "phone_hidden", zh: "phone_hidden" } })).status).toBe(201);
  const hiddenPut = await t.request("PUT", "/api/access/roles/phone_hidden/policies/account", {
    body: { actions: ["read", "export"], fieldRules: { phone: { rule: "hidden" }, external_id: { rule: "hidden" } } },
  });
  expect(hiddenPut.status).toBe(200);
  hider = await t.createUser({ name: "Hal Hidden", email: "hal@example.com", roles: ["phone_hidden"] });
  masker = await t.createUser({ name: "Mia Masked", email: "mia@example.com", roles: ["phone_masked_reveal"] });
  noReveal = await t.createUser({ name: "Nick NoReveal", email: "nick@example.com", roles: ["phone_masked"] });
  // North: three accounts (two Nora's, one Ned's); South: two of Sam's.
  for (const [name, owner] of [
    ["North One", repNorth.id],
    ["North Two", repNorth.id],
    ["North Three", repNorth2.id],
    ["South One", repSouth.id],
    ["South Two", repSouth.id],
  ] as const) {
    expect((await t.post("/api/objects/account/records", { name, owner, phone: PHONE })).status).toBe(201);
  }
  expect((await t.request("PUT", "/api/settings/export", { body: { approvalThreshold: 2 } })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const csvRows = (text: string) => Papa.parse<Record<string, string>>(text.replace(/^\ufeff/, ""), { header: true, skipEmptyLines: true }).data;

async function requestExport(who: Who, body: Record<string, unknown>) {
  return t.post("/api/exports", { object: "account", format: "csv", ...body }, { token: who.token });
}

async function approvedLink(who: Who, body: Record<string, unknown>): Promise<{ id: string; url: string }> {
  const asked = await requestExport(who, body);
  expect(asked.status).toBe(202);
  const id = asked.body.request.id as string;
  expect((await t.post(`/api/exports/${id}/approve`, {}, { token: admin2.token })).status).toBe(200);
  const link = await t.post(`/api/exports/${id}/link`, undefined, { token: who.token });
  expect(link.status).toBe(200);
  return { id, url: link.body.url as string };
}

describe("approval", () => {
  it("turns an export over the threshold into a request; the maker cannot approve it, a second admin can", async () => {
    // The threshold is 2: Nora sees the three North accounts.
    const dry = await requestExport(repNorth, { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.plan).toMatchObject({ rows: 3, threshold: 2, needsApproval: true, reasons: ["rows"] });
    // Two rows (a filter) is at the threshold, not over it: exported at once.
    const small = await requestExport(repNorth, { filter: { field: "owner", op: "eq", value: repNorth.id } });
    expect(small.status).toBe(200);
    expect(csvRows(small.text).map((r) => r.name).sort()).toEqual(["North One", "North Two"]);
    // The old GET export refuses the large one with approval_required.
    const direct = await t.get("/api/objects/account/export?format=csv", { token: repNorth.token });
    expect(direct.status).toBe(403);
    expect(direct.body.errors[0].code).toBe("approval_required");

    // The admin asks for all five accounts; the admin may not approve their own request.
    const mine = await requestExport({ id: t.admin.id, email: t.admin.email, token: t.admin.token }, { reason: "quarterly review" });
    expect(mine.status).toBe(202);
    expect(mine.headers.get("location")).toBe(`/api/exports/${mine.body.request.id}`);
    expect(mine.body.request).toMatchObject({ status: "pending", rows: 5, reason: "quarterly review", requester: { id: t.admin.id } });
    const self = await t.post(`/api/exports/${mine.body.request.id}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/maker and checker must differ/);
    // A rep may not approve (the request is not even visible to them).
    expect((await t.post(`/api/exports/${mine.body.request.id}/approve`, {}, { token: repSouth.token })).status).toBe(404);
    expect((await t.get(`/api/exports/${mine.body.request.id}`, { token: repSouth.token })).status).toBe(404);
    // Nobody may approve a request with unknown fields in the body.
    expect((await t.post(`/api/exports/${mine.body.request.id}/approve`, { commentt: "ok" }, { token: admin2.token })).status).toBe(400);
    const ok = await t.post(`/api/exports/${mine.body.request.id}/approve`, { comment: "fine" }, { token: admin2.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "approved", approver: { id: admin2.id, name: "Second Admin" }, comment: "fine" });
    expect(Date.parse(ok.body.expiresAt) - Date.parse(ok.body.decidedAt)).toBe(24 * HOUR);
    // Decided once: a second decision is a conflict.
    expect((await t.post(`/api/exports/${mine.body.request.id}/reject`, {}, { token: admin2.token })).status).toBe(409);
    // Only the requester gets a link.
    expect((await t.post(`/api/exports/${mine.body.request.id}/link`, undefined, { token: admin2.token })).status).toBe(403);
  });

  it("lists a rep's own requests only, and every pending one for approvers", async () => {
    const asked = await requestExport(repSouth, { format: "xlsx", filter: { field: "name", op: "contains", value: "o" } });
    // "o" is in every name, but Sam sees only the two South accounts: under the threshold.
    expect(asked.status).toBe(200);
    const nora = await requestExport(repNorth, {});
    expect(nora.status).toBe(202);
    const own = await t.get("/api/exports", { token: repNorth.token });
    expect(own.body.canApprove).toBe(false);
    expect(own.body.requests.every((r: { requester: { id: string } }) => r.requester.id === repNorth.id)).toBe(true);
    expect((await t.get("/api/exports", { token: repSouth.token })).body.requests).toEqual([]);
    const approver = await t.get("/api/exports", { token: admin2.token });
    expect(approver.body.canApprove).toBe(true);
    expect(approver.body.requests.map((r: { id: string }) => r.id)).toContain(nora.body.request.id);
  });
});

describe("the one-time link", () => {
  it("downloads once, only the requester's rows, and refuses a second use or anyone else", async () => {
    const { id, url } = await approvedLink(repNorth, {});
    expect(url).toMatch(new RegExp(`^/api/exports/${id}/download\\?token=rvx_[A-Za-z0-9_-]{43}$`));
    // Someone else holding the link gets nothing (as if the request did not exist).
    expect((await t.get(url, { token: repSouth.token })).status).toBe(404);
    expect((await t.get(url, { token: admin2.token })).status).toBe(404);
    // A wrong token is refused without spending the link.
    expect((await t.get(`/api/exports/${id}/download?token=rvx_wrong`, { token: repNorth.token })).status).toBe(403);
    const file = await t.get(url, { token: repNorth.token });
    expect(file.status).toBe(200);
    expect(file.contentType).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="account-${id.slice(0, 8)}.csv"`);
    // Nora's team's three accounts, never South's.
    expect(csvRows(file.text).map((r) => r.name).sort()).toEqual(["North One", "North Three", "North Two"]);
    const again = await t.get(url, { token: repNorth.token });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/used already/);
    const view = await t.get(`/api/exports/${id}`, { token: repNorth.token });
    expect(view.body.status).toBe("downloaded");
    expect(view.body.downloadedAt).not.toBeNull();
  });

  it("refuses a link after it expired (24 hours after the approval)", async () => {
    const { id, url } = await approvedLink(repNorth, {});
    offset = 24 * HOUR + 1000;
    try {
      const late = await t.get(url, { token: repNorth.token });
      expect(late.status).toBe(409);
      expect(late.body.detail).toMatch(/expired/);
      expect((await t.get(`/api/exports/${id}`, { token: repNorth.token })).body.status).toBe("expired");
      expect((await t.post(`/api/exports/${id}/link`, undefined, { token: repNorth.token })).status).toBe(409);
    } finally {
      offset = 0;
    }
  });

  it("expires a request nobody decided on within seven days", async () => {
    const asked = await requestExport(repNorth, {});
    offset = 7 * 24 * HOUR + 1000;
    try {
      expect((await t.get(`/api/exports/${asked.body.request.id}`, { token: repNorth.token })).body.status).toBe("expired");
      expect((await t.post(`/api/exports/${asked.body.request.id}/approve`, {}, { token: admin2.token })).status).toBe(409);
    } finally {
      offset = 0;
    }
  });

  it("cannot download a rejected request", async () => {
    const asked = await requestExport(repNorth, {});
    const id = asked.body.request.id as string;
    const rejected = await t.post(`/api/exports/${id}/reject`, { comment: "too broad" }, { token: admin2.token });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: "rejected", comment: "too broad", expiresAt: null });
    expect((await t.post(`/api/exports/${id}/link`, undefined, { token: repNorth.token })).status).toBe(409);
    const dl = await t.get(`/api/exports/${id}/download?token=rvx_${"a".repeat(43)}`, { token: repNorth.token });
    expect(dl.status).toBe(409);
    expect(dl.body.detail).toMatch(/rejected/);
  });
});

describe("masked fields", () => {
  it("keeps masked values masked in a direct export and in an approved one that did not ask for clear", async () => {
    const direct = await requestExport(masker, { fields: "name,phone", filter: { field: "name", op: "starts_with", value: "South" } });
    expect(direct.status).toBe(200);
    expect(csvRows(direct.text).map((r) => r.phone)).toEqual([MASKED_PHONE, MASKED_PHONE]);
    const { url } = await approvedLink(masker, { fields: "name,phone" });
    const file = await t.get(url, { token: masker.token });
    const rows = csvRows(file.text);
    expect(rows.length).toBe(5);
    expect(rows.every((r) => r.phone === MASKED_PHONE)).toBe(true);
    expect(file.text).not.toContain("555 010");
  });

  it("needs approval for clear values, and the approved file has them in clear", async () => {
    const asked = await requestExport(masker, { fields: "name,phone", filter: { field: "name", op: "eq", value: "South One" }, clear: true });
    expect(asked.status).toBe(202);
    expect(asked.body.plan).toMatchObject({ rows: 1, maskedFields: ["phone"], canReveal: true, reasons: ["clear"] });
    expect(asked.body.request.clear).toBe(true);
    const id = asked.body.request.id as string;
    expect((await t.post(`/api/exports/${id}/approve`, {}, { token: admin2.token })).status).toBe(200);
    const link = await t.post(`/api/exports/${id}/link`, undefined, { token: masker.token });
    const file = await t.get(link.body.url, { token: masker.token });
    // In clear; the leading + gets the formula guard's ' (import drops it again).
    expect(csvRows(file.text).map((r) => [r.name, r.phone])).toEqual([["South One", `'${PHONE}`]]);
  });

  it("reveals in an approved clear file only the rows the reveal right's row condition covers, and never a field it hides", async () => {
    // Reads and exports every account with the phone masked; may reveal only accounts named "North ...", and never the name.
    expect((await t.post("/api/access/roles", { name: "north_revealer", label: { en: "north_revealer", zh: "north_revealer" } })).status).toBe(201);
    expect((await t.post("/api/access/roles", { name: "masked_reader", label: { en: "masked_reader", zh: "masked_reader" } })).status).toBe(201);
    const masked = { phone: { rule: "masked", mask: "phone" }, name: { rule: "masked", mask: "text" } };
    expect((await t.request("PUT", "/api/access/roles/masked_reader/policies/account", { body: { actions: ["read", "export"], fieldRules: masked } })).status).toBe(200);
    const revealPolicy = { actions: ["read", "reveal"], rowCondition: { field: "industry", op: "eq", value: "north" }, fieldRules: masked };
    expect((await t.request("PUT", "/api/access/roles/north_revealer/policies/account", { body: revealPolicy })).status).toBe(200);
    const all = (await t.post("/api/objects/account/records/query", { fields: ["name"], limit: 100 })).body.records as { id: string; name: string }[];
    for (const a of all) expect((await t.patch(`/api/objects/account/records/${a.id}`, { industry: a.name.startsWith("North") ? "north" : "south" })).status).toBe(200);
    const ria = await t.createUser({ name: "Ria Reveal", email: "ria@example.com", roles: ["masked_reader", "north_revealer"] });
    const { url } = await approvedLink(ria, { fields: "industry,phone", clear: true });
    const rows = csvRows((await t.get(url, { token: ria.token })).text);
    // Three North accounts in clear, two South ones still masked.
    expect(rows.map((r) => [r.industry, r.phone]).sort()).toEqual([
      ["north", `'${PHONE}`],
      ["north", `'${PHONE}`],
      ["north", `'${PHONE}`],
      ["south", MASKED_PHONE],
      ["south", MASKED_PHONE],
    ]);
    // A reveal policy that hides the phone reveals no phone, approved or not.
    const hiding = { actions: ["read", "reveal"], fieldRules: { phone: { rule: "hidden" } } };
    expect((await t.request("PUT", "/api/access/roles/north_revealer/policies/account", { body: hiding })).status).toBe(200);
    expect((await requestExport(ria, { fields: "industry,phone", clear: true })).status).toBe(403);
  });

  it("makes and spends links only while the requester may still export, through a token of the right scope", async () => {
    const { id } = await approvedLink(repNorth, { fields: "name" });
    const readOnly = (await t.post("/api/tokens", { name: "nora read", userId: repNorth.id, scopes: ["read"] })).body.token as string;
    expect((await t.post(`/api/exports/${id}/link`, undefined, { token: readOnly })).status).toBe(403);
    const link = await t.post(`/api/exports/${id}/link`, undefined, { token: repNorth.token });
    expect(link.status).toBe(200);
    expect((await t.get(link.body.url, { token: readOnly })).status).toBe(403);
    // The export right taken from the role since the approval: the link is refused and not spent.
    const rep = (await t.get("/api/access/roles/sales_rep")).body.policies.find((p: { object: string }) => p.object === "account");
    const without = { actions: rep.actions.filter((a: string) => a !== "export"), rowCondition: rep.rowCondition, fieldRules: rep.fieldRules };
    expect((await t.request("PUT", "/api/access/roles/sales_rep/policies/account", { body: without })).status).toBe(200);
    try {
      expect((await t.get(link.body.url, { token: repNorth.token })).status).toBe(403);
    } finally {
      const back = { actions: rep.actions, rowCondition: rep.rowCondition, fieldRules: rep.fieldRules };
      expect((await t.request("PUT", "/api/access/roles/sales_rep/policies/account", { body: back })).status).toBe(200);
    }
    expect((await t.get(link.body.url, { token: repNorth.token })).status).toBe(200);
  });

  it("refuses clear values to someone without the reveal right", async () => {
    const asked = await requestExport(noReveal, { fields: "name,phone", clear: true });
    expect(asked.status).toBe(403);
    expect(asked.body.detail).toMatch(/in clear \(phone\)/);
  });
});

describe("hidden fields", () => {
  it("refuses a hidden field in fields, filter or sort with 400 before the file starts", async () => {
    for (const body of [{ fields: "name,phone" }, { sort: "phone" }, { filter: { field: "phone", op: "is_empty" } }]) {
      const res = await requestExport(hider, { ...body, filter: (body as { filter?: unknown }).filter ?? { field: "name", op: "eq", value: "South One" } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.contentType).toMatch(/problem\+json/);
      expect(res.body.detail, JSON.stringify(body)).toMatch(/unknown field "phone"/i);
    }
  });

  it("checks the requester's rights again at download: a field hidden since the approval is a 400 that does not spend the link", async () => {
    expect((await t.post("/api/access/roles", { name: "phone_flip", label: { en: "phone_flip", zh: "phone_flip" } })).status).toBe(201);
    const policy = (phone: "hidden" | null) => ({ actions: ["read", "export"], fieldRules: phone ? { phone: { rule: phone } } : {} });
    expect((await t.request("PUT", "/api/access/roles/phone_flip/policies/account", { body: policy(null) })).status).toBe(200);
    const flip = await t.createUser({ name: "Flo Flip", email: "flo@example.com", roles: ["phone_flip"] });
    const { url } = await approvedLink(flip, { fields: "name,phone" });
    expect((await t.request("PUT", "/api/access/roles/phone_flip/policies/account", { body: policy("hidden") })).status).toBe(200);
    const refused = await t.get(url, { token: flip.token });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/unknown field "phone"/i);
    expect((await t.request("PUT", "/api/access/roles/phone_flip/policies/account", { body: policy(null) })).status).toBe(200);
    const file = await t.get(url, { token: flip.token });
    expect(file.status).toBe(200);
    expect(csvRows(file.text).length).toBe(5);
  });

  it("leaves out a hidden external key column instead of failing", async () => {
    const res = await requestExport(hider, { fields: "name", filter: { field: "name", op: "eq", value: "South One" } });
    expect(res.status).toBe(200);
    const rows = csvRows(res.text);
    expect(Object.keys(rows[0]!)).toEqual(["id", "name"]);
    expect(rows.map((r) => r.name)).toEqual(["South One"]);
    const all = await requestExport(hider, { filter: { field: "name", op: "eq", value: "South One" } });
    expect(all.status).toBe(200);
    expect(all.text).not.toContain(PHONE);
    expect(Object.keys(csvRows(all.text)[0]!)).not.toContain("external_id");
  });
});

describe("audit", () => {
  it("records requested, approved, rejected and downloaded, with who and which request", async () => {
    const asked = await requestExport(repNorth2, { reason: "audit check" });
    const id = asked.body.request.id as string;
    await t.post(`/api/exports/${id}/approve`, {}, { token: admin2.token });
    const link = await t.post(`/api/exports/${id}/link`, undefined, { token: repNorth2.token });
    await t.get(link.body.url, { token: repNorth2.token });
    const rejectedId = (await requestExport(repNorth2, {})).body.request.id as string;
    await t.post(`/api/exports/${rejectedId}/reject`, {}, { token: admin2.token });

    const trail = await t.get(`/api/audit?action=export.*&recordId=${id}`);
    expect(trail.status).toBe(200);
    const steps = (trail.body.entries as { action: string; actor: { id: string }; changes: Record<string, { after?: unknown }> }[]).reverse();
    expect(steps.map((e) => [e.action, e.actor.id])).toEqual([
      ["export.requested", repNorth2.id],
      ["export.approved", admin2.id],
      ["export.downloaded", repNorth2.id],
    ]);
    expect(steps[0]!.changes).toMatchObject({ rows: { after: 3 }, reason: { after: "audit check" }, clear: { after: false } });
    expect(steps[1]!.changes).toMatchObject({ status: { before: "pending", after: "approved" }, requester: { after: repNorth2.id } });
    const rejected = await t.get(`/api/audit?action=export.rejected&recordId=${rejectedId}`);
    expect(rejected.body.entries.map((e: { actor: { id: string } }) => e.actor.id)).toEqual([admin2.id]);
    // A direct export is audited as a download too.
    const before = (await t.get(`/api/audit?action=export.downloaded&actor=${repSouth.id}`)).body.entries.length as number;
    await requestExport(repSouth, {});
    const after = (await t.get(`/api/audit?action=export.downloaded&actor=${repSouth.id}`)).body.entries;
    expect(after.length).toBe(before + 1);
    expect(after[0].changes).toMatchObject({ direct: { after: true }, rows: { after: 2 }, format: { after: "csv" } });
  });
});
