/**
 * The access admin API over HTTP: roles CRUD, policy validation, a policy change taking effect on
 * the very next request (and audited with before/after), users' roles, the self-demotion guard,
 * effective/preview as the user sees it, and token scopes on the admin API.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";
import { buildModel, seedWorld, type Model, type Persona, type World } from "../../../test/matrix";

let t: TestApp;
let w: World;
let model: Model;
const persona = (key: Persona["key"]) => w.personas.find((p) => p.key === key)!;
const as = (p: Persona) => ({ token: p.token });

beforeAll(async () => {
  t = await createTestApp();
  w = await seedWorld(t);
  model = buildModel(w);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function auditOf(action: string, recordId: string) {
  const res = await t.get(`/api/audit?action=${action}&recordId=${encodeURIComponent(recordId)}`);
  expect(res.status).toBe(200);
  return res.body.entries as { action: string; actor: { id: string }; changes: Record<string, { before?: unknown; after?: unknown }> }[];
}

const fieldsOfErrors = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field).sort();

describe("roles", () => {
  test("create, read, rename, refuse duplicates and bad names, delete only custom roles nobody holds", async () => {
    const made = await t.post("/api/access/roles", { name: "auditor", label: { en: "Auditor", zh: "审计" }, description: "Reads accounts" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "auditor", label: { en: "Auditor", zh: "审计" }, description: "Reads accounts", isSystem: false, policies: [] });
    expect((await t.get("/api/access/roles")).body.roles.map((r: { name: string }) => r.name).sort()).toEqual(["admin", "auditor", "intern", "partner", "sales_manager", "sales_rep"]);

    const dup = await t.post("/api/access/roles", { name: "auditor", label: { en: "Again", zh: "再" } });
    expect(dup.status).toBe(409);
    expect(fieldsOfErrors(dup.body)).toEqual(["name"]);
    const bad = await t.post("/api/access/roles", { name: "Bad Name", label: { en: "", zh: "x" }, colour: "red" });
    expect(bad.status).toBe(400);
    expect(fieldsOfErrors(bad.body)).toEqual(["colour"]);
    const bad2 = await t.post("/api/access/roles", { name: "Bad Name", label: { en: "", zh: "x" } });
    expect(bad2.status).toBe(400);
    expect(fieldsOfErrors(bad2.body)).toEqual(["label.en", "name"]);

    const renamed = await t.patch("/api/access/roles/auditor", { label: { en: "Auditors", zh: "审计员" } });
    expect(renamed.status).toBe(200);
    expect((await t.get("/api/access/roles/auditor")).body.label).toEqual({ en: "Auditors", zh: "审计员" });
    expect((await t.get("/api/access/roles/nobody")).status).toBe(404);

    expect((await t.del("/api/access/roles/sales_rep")).status).toBe(403);
    const holder = await t.createUser({ name: "Auditor", email: "auditor@example.com", roles: ["auditor"] });
    const held = await t.del("/api/access/roles/auditor");
    expect(held.status).toBe(409);
    expect((await t.request("PUT", `/api/users/${holder.id}/roles`, { body: { roles: [] } })).status).toBe(200);
    expect((await t.del("/api/access/roles/auditor")).status).toBe(204);
    expect((await t.get("/api/access/roles/auditor")).status).toBe(404);
    const trail = await auditOf("access.role_changed", "auditor");
    expect(trail.length).toBe(3);
  });
});

describe("policies", () => {
  test("a policy body is validated against the metadata; every problem is named", async () => {
    const put = (role: string, object: string, body: unknown) => t.request("PUT", `/api/access/roles/${role}/policies/${object}`, { body });
    const res = await put("sales_rep", "account", {
      actions: ["read", "fly"],
      rowCondition: { field: "no_such_field", op: "eq", value: 1 },
      fieldRules: { nope: { rule: "hidden" }, name: { rule: "masked", mask: "rot13" }, phone: { rule: "secret" }, industry: { rule: "hidden", mask: "text" } },
    });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain("application/problem+json");
    const fields = fieldsOfErrors(res.body);
    expect(fields).toEqual(expect.arrayContaining(["actions[1]", "fieldRules.nope", "fieldRules.name.mask", "fieldRules.phone.rule", "fieldRules.industry.mask"]));
    expect(fields.some((f) => f.startsWith("rowCondition"))).toBe(true);
    expect((await put("sales_rep", "account", { actions: ["read"], extra: 1 })).status).toBe(400);
    expect((await put("sales_rep", "account", { actions: "read" })).body.errors[0].field).toBe("actions");
    expect((await put("sales_rep", "account", { actions: ["read"], rowCondition: { field: "owner", op: "eq", value: { $actor: "shoe_size" } } })).status).toBe(400);
    expect((await put("sales_rep", "no_such_object", { actions: ["read"] })).status).toBe(404);
    expect((await put("nobody", "account", { actions: ["read"] })).status).toBe(404);
    expect((await put("admin", "account", { actions: ["read"] })).status).toBe(403);
    // Nothing of that was stored.
    const rep = (await t.get("/api/access/roles/sales_rep")).body.policies.find((p: { object: string }) => p.object === "account");
    expect(rep.actions).toEqual(["read", "create", "update", "delete", "export"]);
  });

  test("a change takes effect on the next request and is audited as access.policy_changed with before and after", async () => {
    const rep = persona("rep");
    const list = async () => ((await t.get("/api/objects/opportunity/records?limit=1000", as(rep))).body.records as { id: string }[]).map((r) => r.id).sort();
    const before = await list();
    expect(before).toEqual([...model.visibleIds(rep, "opportunity")].sort());
    const own = w.records.filter((r) => r.object === "opportunity" && r.values.owner === w.users.rep).map((r) => r.id).sort();
    expect(own.length).toBeLessThan(before.length);

    const old = (await t.get("/api/access/roles/sales_rep")).body.policies.find((p: { object: string }) => p.object === "opportunity");
    const onlyOwn = { actions: ["read"], rowCondition: { field: "owner", op: "eq", value: { $actor: "id" } }, fieldRules: { amount: { rule: "hidden" } } };
    const put = await t.request("PUT", "/api/access/roles/sales_rep/policies/opportunity", { body: onlyOwn });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject(onlyOwn);

    // The very next request: only own rows, no amount, no writes.
    const after = await t.get("/api/objects/opportunity/records?limit=1000", as(rep));
    expect(after.body.records.map((r: { id: string }) => r.id).sort()).toEqual(own);
    expect(after.body.records.every((r: Record<string, unknown>) => !("amount" in r))).toBe(true);
    expect((await t.patch(`/api/objects/opportunity/records/${own[0]}`, { next_step: "x" }, as(rep))).status).toBe(403);

    const [entry] = await auditOf("access.policy_changed", "sales_rep/opportunity");
    expect(entry!.actor.id).toBe(w.users.admin);
    expect(entry!.changes).toEqual({
      actions: { before: old.actions, after: ["read"] },
      rowCondition: { before: old.rowCondition, after: onlyOwn.rowCondition },
      fieldRules: { before: {}, after: onlyOwn.fieldRules },
    });

    // Put it back; the rep sees the team's rows again at once.
    expect((await t.request("PUT", "/api/access/roles/sales_rep/policies/opportunity", { body: { actions: old.actions, rowCondition: old.rowCondition, fieldRules: old.fieldRules } })).status).toBe(200);
    expect(await list()).toEqual(before);

    // Deleting a policy takes every right on the object away, also at once (and is audited).
    expect((await t.del("/api/access/roles/intern/policies/lead")).status).toBe(204);
    expect((await t.get("/api/objects/lead/records", as(persona("intern")))).status).toBe(403);
    const [gone] = await auditOf("access.policy_changed", "intern/lead");
    expect(gone!.changes.actions).toEqual({ before: ["read"], after: [] });
    expect((await t.del("/api/access/roles/intern/policies/lead")).status).toBe(404);
  });
});

describe("users' roles", () => {
  test("PUT replaces a user's roles, takes effect at once and is audited as access.user_roles_changed", async () => {
    const other = persona("rep_other");
    expect((await t.get(`/api/users/${other.userId}/roles`)).body).toEqual({ roles: ["sales_rep"] });
    expect((await t.get("/api/objects/team/records", as(other))).status).toBe(200);
    const res = await t.request("PUT", `/api/users/${other.userId}/roles`, { body: { roles: ["partner", "partner"] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roles: ["partner"] });
    expect((await t.get("/api/objects/team/records", as(other))).status).toBe(403);
    const [entry] = await auditOf("access.user_roles_changed", other.userId!);
    expect(entry!.changes).toEqual({ roles: { before: ["sales_rep"], after: ["partner"] } });

    const unknown = await t.request("PUT", `/api/users/${other.userId}/roles`, { body: { roles: ["wizard"] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe("roles");
    expect((await t.request("PUT", `/api/users/${other.userId}/roles`, { body: { roles: "admin" } })).status).toBe(400);
    expect((await t.request("PUT", `/api/users/${other.userId}/roles`, { body: { roles: [], admin: true } })).status).toBe(400);
    expect((await t.request("PUT", "/api/users/01000000-0000-7000-8000-000000000000/roles", { body: { roles: [] } })).status).toBe(404);
    expect((await t.request("PUT", `/api/users/${other.userId}/roles`, { body: { roles: ["sales_rep"] } })).status).toBe(200);
  });

  test("an admin cannot take the admin role from themselves; another admin can", async () => {
    const res = await t.request("PUT", `/api/users/${w.users.admin}/roles`, { body: { roles: ["sales_manager"] } });
    expect(res.status).toBe(403);
    expect((await t.get(`/api/users/${w.users.admin}/roles`)).body.roles).toEqual(["admin"]);
    const second = await t.createUser({ name: "Second admin", email: "second-admin@example.com", roles: ["admin"] });
    const demoted = await t.request("PUT", `/api/users/${w.users.admin}/roles`, { body: { roles: ["admin", "sales_manager"] }, token: second.token });
    expect(demoted.status).toBe(200);
    const back = await t.request("PUT", `/api/users/${second.id}/roles`, { body: { roles: [] } });
    expect(back.status).toBe(200);
    expect((await t.get("/api/access/roles", { token: second.token })).status).toBe(403);
  });
});

describe("effective and preview", () => {
  test("effective shows the compiled policy per object and action, with the user's $actor attributes", async () => {
    const rep = await t.get(`/api/access/effective?user=${w.users.rep}`);
    expect(rep.status).toBe(200);
    expect(rep.body.roles).toEqual(["sales_rep"]);
    expect(rep.body.attributes).toMatchObject({ team: w.teams.C, region: w.regionA, teams: [w.teams.C, w.teams.G].sort(), partner: null });
    expect(rep.body.objects.account.read).toEqual({
      allowed: true,
      rowCondition: { any: [{ field: "owner", op: "eq", value: { $actor: "id" } }, { field: "owner.team", op: "in", value: { $actor: "teams" } }] },
      fieldRules: {},
    });
    expect(rep.body.objects.account.reveal.allowed).toBe(false);
    expect(rep.body.objects.team.update.allowed).toBe(false);
    const intern = (await t.get(`/api/access/effective?user=${w.users.intern}`)).body;
    expect(intern.objects.opportunity.read.fieldRules).toEqual({ name: { rule: "masked", mask: "text" }, amount: { rule: "masked", mask: "amount_range" } });
    expect(intern.objects.opportunity.update.allowed).toBe(false);
    const partner = (await t.get(`/api/access/effective?user=${w.users.partner_a}`)).body;
    expect(partner.attributes).toMatchObject({ partner: w.regionA, userType: "partner" });
    expect(partner.objects.team.read.allowed).toBe(false);
    expect(partner.objects.user.read.fieldRules).toEqual({ email: { rule: "hidden" }, phone: { rule: "hidden" }, external_id: { rule: "hidden" } });
    const manager = (await t.get(`/api/access/effective?user=${w.users.manager}`)).body;
    expect(manager.attributes.subordinates).toEqual([w.users.rep, w.users.rep_sub].sort());
    expect((await t.get("/api/access/effective")).status).toBe(400);
    expect((await t.get("/api/access/effective?user=01000000-0000-7000-8000-000000000000")).status).toBe(404);
  });

  test("preview lists what the user would see: their rows, masked and hidden fields as they get them", async () => {
    for (const key of ["rep", "manager", "partner_a", "intern"] as const) {
      const p = persona(key);
      for (const object of ["account", "opportunity", "contact"] as const) {
        const res = await t.post("/api/access/preview", { user: p.userId, object, limit: 1000 });
        expect(res.status, res.text).toBe(200);
        const direct = await t.get(`/api/objects/${object}/records?limit=1000`, as(p));
        expect(res.body.records.map((r: { id: string }) => r.id).sort(), `${key} ${object}`).toEqual([...model.visibleIds(p, object)].sort());
        expect(res.body).toEqual({ ...direct.body, total: model.visibleIds(p, object).size });
      }
    }
    const intern = await t.post("/api/access/preview", { user: w.users.intern, object: "opportunity", fields: ["amount"], limit: 1 });
    expect(intern.body.records[0].amount).toMatch(/–|\+|<0/);
    const partner = await t.post("/api/access/preview", { user: w.users.partner_a, object: "account", fields: ["annual_revenue"] });
    expect(partner.status).toBe(400);
    const bad = await t.post("/api/access/preview", { user: w.users.rep, object: "account", sql: "select 1" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("sql");
  });
});

describe("NUL characters", () => {
  test("are refused in roles and policies, and in audit search parameters, with a 400 on both databases", async () => {
    const role = await t.post("/api/access/roles", { name: "nul_role", label: { en: "a\u0000b", zh: "x" } });
    expect(role.status).toBe(400);
    expect(role.body.errors[0]).toMatchObject({ field: "body", reason: "contains a NUL character (U+0000)" });
    const policy = await t.request("PUT", "/api/access/roles/sales_rep/policies/account", {
      body: { actions: ["read"], rowCondition: { field: "name", op: "eq", value: "x\u0000y" } },
    });
    expect(policy.status).toBe(400);
    for (const path of ["/api/audit?actor=a%00b", "/api/audit/export?recordId=a%00b"]) {
      const res = await t.get(path);
      expect(res.status, path).toBe(400);
      expect(res.contentType).toMatch(/problem\+json/);
    }
  });
});

describe("token scopes on the admin API", () => {
  test("a token with scope read (or write, export) cannot use it even for an admin; scope admin can", async () => {
    for (const scopes of [["read"], ["write"], ["export"], ["import"]]) {
      const made = await t.post("/api/tokens", { name: `scoped ${scopes[0]}`, scopes });
      expect(made.status).toBe(201);
      const token = made.body.token as string;
      expect((await t.get("/api/access/roles", { token })).status, scopes[0]).toBe(403);
      expect((await t.request("PUT", `/api/users/${w.users.rep}/roles`, { body: { roles: ["admin"] }, token })).status).toBe(403);
      expect((await t.request("PUT", "/api/access/roles/intern/policies/account", { body: { actions: ["read", "update"] }, token })).status).toBe(403);
      expect((await t.post("/api/access/preview", { user: w.users.rep, object: "account" }, { token })).status).toBe(403);
    }
    const admin = await t.post("/api/tokens", { name: "scoped admin", scopes: ["admin"] });
    expect((await t.get("/api/access/roles", { token: admin.body.token })).status).toBe(200);
    expect((await t.get(`/api/users/${w.users.rep}/roles`)).body.roles).toEqual(["sales_rep"]);
    // An admin-only token cannot read records, so it cannot read them through the preview either
    // (not even previewing an administrator); admin + read can, and every preview is audited.
    const adminId = (await t.get("/api/auth/me")).body.user.id as string;
    const onlyAdmin = await t.post("/api/access/preview", { user: adminId, object: "opportunity" }, { token: admin.body.token });
    expect(onlyAdmin.status).toBe(403);
    const both = await t.post("/api/tokens", { name: "admin and read", scopes: ["admin", "read"] });
    const seen = await t.post("/api/access/preview", { user: w.users.rep, object: "account", limit: 1 }, { token: both.body.token });
    expect(seen.status).toBe(200);
    const audit = await t.get(`/api/audit?action=access.previewed&object=account`);
    expect(audit.body.entries.map((e: { actor: { id: string }; changes: unknown }) => e.changes)).toContainEqual({ asUser: { after: w.users.rep } });
  });
});
