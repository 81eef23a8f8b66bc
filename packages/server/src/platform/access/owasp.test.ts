/**
 * OWASP API Top 10 checks against the access layer, over real HTTP on the seeded organisation of
 * test/matrix.ts: broken object level authorization (a partner reaching the other region's records),
 * broken function level authorization (non-admins on every admin route of the route table), mass
 * assignment (system fields, owner, a user's roles, type and active flag) and cursor tampering.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { v7 as uuidv7 } from "uuid";
import { createTestApp, type TestApp, type TestResponse } from "../../../test/app";
import { buildModel, routeTable, seedWorld, systemRecords, type Model, type Persona, type World } from "../../../test/matrix";

let t: TestApp;
let w: World;
let model: Model;
const persona = (key: Persona["key"]) => w.personas.find((p) => p.key === key)!;

beforeAll(async () => {
  t = await createTestApp();
  w = await seedWorld(t);
  model = buildModel(w);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const as = (p: Persona) => ({ token: p.token });
/** A problem answer without the id in its detail: "not yours" must equal "does not exist". */
const shapeOf = (res: TestResponse, id: string) =>
  JSON.stringify({ status: res.status, type: res.contentType, body: typeof res.body === "object" ? { ...res.body, detail: String(res.body.detail).split(id).join("<id>") } : res.body });

async function versionOf(object: string, id: string): Promise<{ version: number; deleted_at: unknown }> {
  const r = (await systemRecords(t, object, { field: "id", op: "eq", value: id }, ["version", "deleted_at"]))[0]!;
  return { version: Number(r.version), deleted_at: r.deleted_at };
}

describe("BOLA: a partner of region A reaching region B's records by id", () => {
  test("read, update, delete, restore and reveal answer exactly as for a missing id; nothing changes", async () => {
    const a = persona("partner_a");
    const targets = w.records.filter((r) => ["account", "contact", "lead", "opportunity", "opportunity_line"].includes(r.object) && model.rowVisible(persona("partner_b"), r) && !model.rowVisible(a, r));
    expect(targets.length).toBeGreaterThan(20);
    for (const rec of targets) {
      const before = await versionOf(rec.object, rec.id);
      const missing = uuidv7();
      const base = `/api/objects/${rec.object}/records`;
      const attempts: [string, string, unknown][] = [
        ["GET", "", undefined],
        ["PATCH", "", rec.object === "lead" ? { status: "working" } : { name: "HACKED" }],
        ["DELETE", "", undefined],
        ["POST", "/restore", undefined],
        ["POST", "/reveal", { field: "name" }],
      ];
      for (const [method, suffix, body] of attempts) {
        const res = await t.request(method, `${base}/${rec.id}${suffix}`, { ...as(a), body });
        const none = await t.request(method, `${base}/${missing}${suffix}`, { ...as(a), body });
        expect([403, 404], `${method} ${rec.object}${suffix}`).toContain(res.status);
        expect(shapeOf(res, rec.id), `${method} ${rec.object}${suffix}`).toBe(shapeOf(none, missing));
        if (method === "GET" || (method === "PATCH" && rec.object !== "account")) expect(res.status).toBe(404);
      }
      expect(await versionOf(rec.object, rec.id)).toEqual(before);
    }
  });

  test("partner A cannot move a record of its region into region B, nor create one there", async () => {
    const a = persona("partner_a");
    const lead = w.records.find((r) => r.object === "lead" && model.rowVisible(a, r))!;
    const res = await t.patch(`/api/objects/lead/records/${lead.id}`, { region: w.regionB }, as(a));
    // 400: region B is not a region the partner can see (an unknown relation target); 403 would do too.
    expect([400, 403], res.text).toContain(res.status);
    expect((await versionOf("lead", lead.id)).version).toBe(1);
    const created = await t.post("/api/objects/opportunity/records", { name: "Elsewhere", region: w.regionB }, as(a));
    expect([400, 403], created.text).toContain(created.status);
    if (created.status === 400) expect(JSON.stringify(created.body.errors)).toContain("region");
    expect(await systemRecords(t, "opportunity", { field: "name", op: "eq", value: "Elsewhere" })).toEqual([]);
  });
});

describe("filters through relations are no oracle on rows outside the policy", () => {
  test("a rep's filter on account.name only matches accounts the rep may read, in lists, counts and exports", async () => {
    const rep = persona("rep");
    // Opportunities the rep sees whose account the rep does not see.
    const pairs = w.records
      .filter((r) => r.object === "opportunity" && model.rowVisible(rep, r))
      .map((opp) => ({ opp, account: w.byId.get(opp.values.account as string)! }))
      .filter(({ account }) => !model.rowVisible(rep, account));
    expect(pairs.length).toBeGreaterThan(0);
    for (const { opp, account } of pairs) {
      const filter = { all: [{ field: "id", op: "eq", value: opp.id }, { field: "account.name", op: "eq", value: account.values.name }] };
      const listed = await t.post("/api/objects/opportunity/records/query", { filter }, as(rep));
      expect(listed.status).toBe(200);
      expect(listed.body.records).toEqual([]);
      const counted = await t.post("/api/objects/opportunity/aggregate", { filter, metrics: [{ fn: "count" }] }, as(rep));
      expect(counted.body.rows.reduce((s: number, r: { values: { count: number } }) => s + r.values.count, 0)).toBe(0);
      const exported = await t.get(`/api/objects/opportunity/export?format=csv&filter=${encodeURIComponent(JSON.stringify(filter))}`, as(rep));
      expect(exported.status).toBe(200);
      expect(exported.text).not.toContain(opp.id);
      // The same filter as the admin does match: the data is there, the rep just may not probe it.
      expect((await t.post("/api/objects/opportunity/records/query", { filter })).body.records.map((r: { id: string }) => r.id)).toEqual([opp.id]);
    }
    // Two hops: the account's owner (a user the rep may read) behind an account the rep may not.
    const { opp, account } = pairs[0]!;
    if (account.values.owner) {
      const filter = { all: [{ field: "id", op: "eq", value: opp.id }, { field: "account.owner", op: "eq", value: account.values.owner }] };
      expect((await t.post("/api/objects/opportunity/records/query", { filter }, as(rep))).body.records).toEqual([]);
    }
  });

  test("a partner cannot reach into teams (no read right) through a relation", async () => {
    const a = persona("partner_a");
    const byName = await t.post("/api/objects/user/records/query", { filter: { field: "team.name", op: "is_not_empty" } }, as(a));
    expect(byName.status).toBe(400);
    const byId = await t.post("/api/objects/user/records/query", { filter: { field: "team.id", op: "is_not_empty" } }, as(a));
    expect(byId.status).toBe(200);
    expect(byId.body.records).toEqual([]);
  });
});

describe("BFLA: non-admins on every admin route of the route table", () => {
  const isAdminRoute = (method: string, url: string) =>
    url.startsWith("/api/access/") ||
    url.startsWith("/api/users/:id/roles") ||
    url.startsWith("/api/tokens") ||
    url.startsWith("/api/audit") ||
    (url.startsWith("/api/settings/") && method !== "GET") ||
    (url === "/api/objects" && method === "POST") ||
    url.startsWith("/api/objects/:object/fields") ||
    (url === "/api/auth/sso" && method !== "GET") ||
    url === "/api/auth/sso" ||
    url === "/api/auth/totp/reset";

  test("each answers 403 to a rep, an intern, a partner and a rep's read-only token (and 401 to nobody), and changes nothing", async () => {
    const routes = routeTable(t.app).filter((r) => isAdminRoute(r.method, r.url));
    // The families the issue names are all present in the table (a renamed route would slip past otherwise).
    for (const prefix of ["/api/access/roles", "/api/access/roles/:role/policies/:object", "/api/access/effective", "/api/access/preview", "/api/users/:id/roles", "/api/tokens", "/api/audit", "/api/audit/export", "/api/settings/watermark", "/api/settings/export", "/api/objects/:object/fields"])
      expect(routes.map((r) => r.url), prefix).toContain(prefix);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    const bodies: Record<string, unknown> = {
      "POST /api/access/roles": { name: "hacker_role", label: { en: "H", zh: "H" } },
      "PATCH /api/access/roles/:role": { label: { en: "Hacked", zh: "Hacked" } },
      "PUT /api/access/roles/:role/policies/:object": { actions: ["read", "update", "delete", "export"], rowCondition: null, fieldRules: {} },
      "PUT /api/users/:id/roles": { roles: ["admin"] },
      "POST /api/access/preview": { user: w.users.admin, object: "account" },
      "POST /api/tokens": { name: "stolen", userId: w.users.admin, scopes: ["all"] },
      "PUT /api/settings/watermark": { enabled: false },
      "PUT /api/settings/export": { approvalThreshold: 1_000_000 },
      "POST /api/objects": { name: "hack", label: { en: "Hack", zh: "Hack" }, labelPlural: { en: "Hacks", zh: "Hacks" } },
      "POST /api/objects/:object/fields": { name: "hack", type: "text", label: { en: "Hack", zh: "Hack" } },
      "PATCH /api/objects/:object/fields/:field": { label: { en: "Hack", zh: "Hack" } },
      "PUT /api/auth/sso": { issuer: "https://idp.example.com", clientId: "hack" },
      "POST /api/auth/totp/reset": { userId: w.users.admin },
    };
    const fill = (url: string, p: Persona) =>
      url
        .replace(":role", "sales_rep")
        .replace(":object", "account")
        .replace(":field", "industry")
        .replace(":id", url.startsWith("/api/users") ? p.userId! : uuidv7());
    const rolesBefore = (await t.get("/api/access/roles")).text;
    const settingsBefore = [(await t.get("/api/settings/watermark")).text, (await t.get("/api/settings/export")).text];
    for (const key of ["rep", "intern", "partner_a", "rep_read_token", "manager"] as const) {
      const p = persona(key);
      for (const r of routes) {
        const url = fill(r.url, p) + (r.url === "/api/access/effective" ? `?user=${w.users.admin}` : "");
        const body = bodies[`${r.method} ${r.url}`] ?? (r.method === "GET" || r.method === "DELETE" ? undefined : {});
        const res = await t.request(r.method, url, { ...as(p), body });
        expect(res.status, `${key} ${r.method} ${r.url}: ${res.text}`).toBe(403);
        const anon = await t.request(r.method, url, { token: null, body });
        expect(anon.status, `anonymous ${r.method} ${r.url}`).toBe(401);
      }
    }
    expect((await t.get("/api/access/roles")).text).toBe(rolesBefore);
    expect([(await t.get("/api/settings/watermark")).text, (await t.get("/api/settings/export")).text]).toEqual(settingsBefore);
    expect((await t.get(`/api/users/${w.users.rep}/roles`)).body).toEqual({ roles: ["sales_rep"] });
    const objects = (await t.get("/api/objects")).body.objects.map((o: { name: string }) => o.name);
    expect(objects).not.toContain("hack");
    expect((await t.get("/api/objects/account")).body.fields.map((f: { name: string }) => f.name)).not.toContain("hack");
  });
});

describe("mass assignment", () => {
  test("system fields in a create or update are refused with 400 naming them, never applied", async () => {
    const rep = persona("rep");
    const own = w.records.find((r) => r.object === "account" && r.values.owner === w.users.rep)!;
    for (const [field, value] of [
      ["id", uuidv7()],
      ["created_by", w.users.admin],
      ["updated_by", w.users.admin],
      ["created_at", "2020-01-01T00:00:00.000Z"],
      ["version", 99],
      ["deleted_at", "2020-01-01T00:00:00.000Z"],
    ] as const) {
      const res = await t.patch(`/api/objects/account/records/${own.id}`, { [field]: value }, as(rep));
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(JSON.stringify(res.body.errors), field).toContain(field);
      const created = await t.post("/api/objects/account/records", { name: "Mass", [field]: value }, as(rep));
      expect(created.status, `create with ${field}`).toBe(400);
    }
    expect(await versionOf("account", own.id)).toEqual({ version: 1, deleted_at: null });
  });

  test("owner: a rep cannot give a record away outside their policy, nor create one for someone outside it", async () => {
    const rep = persona("rep");
    const own = w.records.find((r) => r.object === "opportunity" && r.values.owner === w.users.rep)!;
    const res = await t.patch(`/api/objects/opportunity/records/${own.id}`, { owner: w.users.rep_other }, as(rep));
    expect(res.status).toBe(403);
    expect((await versionOf("opportunity", own.id)).version).toBe(1);
    const created = await t.post("/api/objects/opportunity/records", { name: "For someone else", owner: w.users.admin }, as(rep));
    expect(created.status).toBe(403);
    // Inside the policy (a teammate below them) it is a normal write.
    const moved = await t.patch(`/api/objects/opportunity/records/${own.id}`, { owner: w.users.rep_sub }, as(rep));
    expect(moved.status).toBe(200);
    expect(moved.body.owner).toBe(w.users.rep_sub);
  });

  test("a user's own record: is_active, user_type, team, region, roles are not the user's to change", async () => {
    for (const key of ["rep", "partner_a", "intern", "manager"] as const) {
      const p = persona(key);
      for (const patch of [{ is_active: false }, { user_type: "internal" }, { team: w.teams.P }, { region: w.regionB }, { roles: ["admin"] }, { manager: null }]) {
        const res = await t.patch(`/api/objects/user/records/${p.userId}`, patch, as(p));
        expect([400, 403], `${key} ${JSON.stringify(patch)}: ${res.text}`).toContain(res.status);
      }
      expect((await t.get(`/api/users/${p.userId}/roles`)).body.roles).toEqual([{ rep: "sales_rep", partner_a: "partner", intern: "intern", manager: "sales_manager" }[key]]);
    }
    // roles is no field of a user record even for an admin: 400, roles unchanged.
    const res = await t.patch(`/api/objects/user/records/${w.users.rep}`, { roles: ["admin"] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("roles");
    expect((await t.get(`/api/users/${w.users.rep}/roles`)).body.roles).toEqual(["sales_rep"]);
    // Still a partner, still limited to region A.
    const me = await t.get(`/api/objects/user/records/${w.users.partner_a}?fields=user_type,is_active,region`);
    expect(me.body).toMatchObject({ user_type: "partner", is_active: true, region: w.regionA });
  });

  test("a self-service policy with read_only fields: the user edits their title, never their type, team or active flag", async () => {
    const role = await t.post("/api/access/roles", { name: "self_service", label: { en: "Self service", zh: "自助" } });
    expect(role.status).toBe(201);
    const ro = { rule: "read_only" };
    const put = await t.request("PUT", "/api/access/roles/self_service/policies/user", {
      body: {
        actions: ["read", "update"],
        rowCondition: { field: "id", op: "eq", value: { $actor: "id" } },
        fieldRules: { is_active: ro, user_type: ro, team: ro, region: ro, manager: ro, email: ro },
      },
    });
    expect(put.status, put.text).toBe(200);
    const intern = persona("intern");
    expect((await t.request("PUT", `/api/users/${intern.userId}/roles`, { body: { roles: ["intern", "self_service"] } })).status).toBe(200);
    t.built.clearAuthCache();
    const title = await t.patch(`/api/objects/user/records/${intern.userId}`, { title: "Trainee" }, as(intern));
    expect(title.status, title.text).toBe(200);
    for (const patch of [{ is_active: false }, { user_type: "partner" }, { team: w.teams.P }, { region: w.regionB }]) {
      const res = await t.patch(`/api/objects/user/records/${intern.userId}`, patch, as(intern));
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(res.body.errors[0].field).toBe(Object.keys(patch)[0]);
    }
    // Someone else's user record stays out of reach (404 like a missing id).
    const other = await t.patch(`/api/objects/user/records/${w.users.rep}`, { title: "Hacked" }, as(intern));
    const none = await t.patch(`/api/objects/user/records/${uuidv7()}`, { title: "Hacked" }, as(intern));
    expect(other.status).toBe(404);
    expect(none.status).toBe(404);
    expect((await t.request("PUT", `/api/users/${intern.userId}/roles`, { body: { roles: ["intern"] } })).status).toBe(200);
  });
});

describe("cursor tampering", () => {
  test("an admin's cursor replayed by a rep yields only the rep's rows", async () => {
    const rep = persona("rep");
    const want = model.visibleIds(rep, "account");
    const first = await t.get("/api/objects/account/records?limit=2&sort=-created_at");
    expect(first.body.nextCursor).toBeTruthy();
    let cursor: string | null = first.body.nextCursor;
    const seen: string[] = [];
    while (cursor) {
      const page = await t.get(`/api/objects/account/records?limit=2&sort=-created_at&cursor=${encodeURIComponent(cursor)}`, as(rep));
      expect(page.status).toBe(200);
      for (const r of page.body.records) seen.push(r.id);
      cursor = page.body.nextCursor;
    }
    expect(seen.every((id) => want.has(id))).toBe(true);
    // Every cursor an admin's walk hands out, replayed by the rep, stays inside the policy.
    let adminCursor: string | null = first.body.nextCursor;
    while (adminCursor) {
      const replay = await t.get(`/api/objects/account/records?limit=1000&sort=-created_at&cursor=${encodeURIComponent(adminCursor)}`, as(rep));
      expect(replay.status).toBe(200);
      expect(replay.body.records.every((r: { id: string }) => want.has(r.id))).toBe(true);
      adminCursor = (await t.get(`/api/objects/account/records?limit=2&sort=-created_at&cursor=${encodeURIComponent(adminCursor)}`)).body.nextCursor;
    }
  });

  test("a cursor is a position, not a capability: well-formed values of the caller's choice still yield only the caller's rows", async () => {
    const rep = persona("rep");
    const want = model.visibleIds(rep, "account");
    const good: string = (await t.get("/api/objects/account/records?limit=2&sort=-created_at")).body.nextCursor;
    const parsed = JSON.parse(Buffer.from(good, "base64url").toString("utf8")) as { h: string; v: unknown[] };
    for (const v of [
      ["2999-01-01T00:00:00.000Z", "ffffffff-ffff-7fff-bfff-ffffffffffff"],
      ["1970-01-01T00:00:00.000Z", "00000000-0000-7000-8000-000000000000"],
    ]) {
      const c = Buffer.from(JSON.stringify({ ...parsed, v }), "utf8").toString("base64url");
      const res = await t.get(`/api/objects/account/records?limit=1000&sort=-created_at&cursor=${c}`, as(rep));
      expect(res.status).toBe(200);
      expect(res.body.records.every((r: { id: string }) => want.has(r.id))).toBe(true);
    }
  });

  test("forged, malformed, truncated or foreign cursors are 400, never 500", async () => {
    const rep = persona("rep");
    const page = await t.get("/api/objects/account/records?limit=2&sort=-created_at", as(rep));
    const good: string = page.body.nextCursor ?? (await t.get("/api/objects/account/records?limit=2&sort=-created_at")).body.nextCursor;
    const decoded = Buffer.from(good, "base64url").toString("utf8");
    const reencode = (s: string) => Buffer.from(s, "utf8").toString("base64url");
    const parsed = JSON.parse(decoded) as { h?: string; v?: unknown[] };
    const forged = [
      "garbage",
      "eyJ9",
      good.slice(0, -4),
      `${good}AAAA`,
      reencode(JSON.stringify({ ...parsed, h: "x" })),
      reencode(JSON.stringify({ ...parsed, v: [{ $actor: "id" }, "' or 1=1 --"] })),
      reencode(JSON.stringify({ ...parsed, v: [] })),
      reencode("[]"),
      reencode("null"),
      reencode(JSON.stringify({ ...parsed, v: [1e308, null] })),
    ];
    for (const c of forged) {
      const res = await t.get(`/api/objects/account/records?limit=2&sort=-created_at&cursor=${encodeURIComponent(c)}`, as(rep));
      expect(res.status, `${c}: ${res.text}`).toBe(400);
      expect(res.contentType).toContain("application/problem+json");
    }
    // A cursor of another sort or another object is refused too.
    for (const path of ["/api/objects/account/records?limit=2&sort=name", "/api/objects/lead/records?limit=2&sort=-created_at"]) {
      const res = await t.get(`${path}&cursor=${encodeURIComponent(good)}`, as(rep));
      expect(res.status, `${path}: ${res.text}`).toBe(400);
    }
    const body = await t.post("/api/objects/account/records/query", { limit: 2, sort: [{ field: "created_at", desc: true }], cursor: forged[5] }, as(rep));
    expect(body.status).toBe(400);
  });
});
