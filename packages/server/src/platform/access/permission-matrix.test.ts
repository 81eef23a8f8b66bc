/**
 * The permission matrix (issue 3): every data endpoint of the route table x every object of the
 * metadata x every persona (admin, sales manager, reps, intern, partners of two regions, a read-only
 * token, anonymous), over real HTTP. Expected rows and fields come from the hand-written model in
 * test/matrix.ts, not from the product's policy code. Every response (status, headers, body, export
 * files with XLSX unzipped) and every log line is scanned for the MARKER values the persona may not
 * see; a "not yours" 404 must be byte-identical to a "does not exist" 404 (modulo the id).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { v7 as uuidv7 } from "uuid";
import { createTestApp, type TestApp } from "../../../test/app";
import { MarkerScanner, OBJECTS, SALES, buildModel, routeTable, seedWorld, zipTexts, systemRecords, type Model, type ObjectName, type Persona, type World } from "../../../test/matrix";

type Res = { status: number; headers: Headers; text: string; body: any; buf: Buffer }; // eslint-disable-line @typescript-eslint/no-explicit-any -- shapes asserted below
type FieldInfo = { name: string; type: string; relation?: { object: string } };

const CHUNK = 24;
/** The data routes this matrix drives; a route under /api/objects/:object that is not here fails the test. */
const COVERED = new Set([
  "GET /api/objects/:object/records",
  "POST /api/objects/:object/records",
  "POST /api/objects/:object/records/query",
  "POST /api/objects/:object/records/bulk-upsert",
  "GET /api/objects/:object/records/:id",
  "PATCH /api/objects/:object/records/:id",
  "DELETE /api/objects/:object/records/:id",
  "POST /api/objects/:object/records/:id/restore",
  "POST /api/objects/:object/records/:id/reveal",
  "GET /api/objects/:object/aggregate",
  "POST /api/objects/:object/aggregate",
  "GET /api/objects/:object/export",
  "POST /api/exports",
  "POST /api/imports",
  "POST /api/imports/:id/run",
  "GET /api/imports/:id",
  "GET /api/imports/:id/report",
]);
/** Metadata routes (schema, not data): the OWASP test covers their writes; reads are not record data. */
const NOT_DATA = new Set(["GET /api/objects/:object", "POST /api/objects/:object/fields", "PATCH /api/objects/:object/fields/:field", "DELETE /api/objects/:object/fields/:field"]);

/** A field each persona may at least try to write, per object (never a masked or hidden one). */
const PATCH_FIELD: Record<ObjectName, (n: number) => Record<string, unknown>> = {
  account: (n) => ({ industry: `HACK${n}` }),
  contact: (n) => ({ title: `HACK${n}` }),
  lead: () => ({ status: "working" }),
  opportunity: (n) => ({ next_step: `HACK${n}` }),
  opportunity_line: (n) => ({ name: `HACK${n}` }),
  user: (n) => ({ title: `HACK${n}` }),
  team: (n) => ({ name: `HACK${n}` }),
  region: () => ({ code: "HX" }),
  product: () => ({ code: "HX" }),
};
const REVEAL_FIELD: Record<ObjectName, string> = {
  account: "annual_revenue",
  contact: "email",
  lead: "phone",
  opportunity: "amount",
  opportunity_line: "unit_price",
  user: "phone",
  team: "name",
  region: "name",
  product: "name",
};

let t: TestApp;
let w: World;
let model: Model;
const logs: string[] = [];
const fieldsOf: Record<string, FieldInfo[]> = {};
let attempts = 0;
const leaks: string[] = [];
const failures: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ logger: { level: "debug", stream: { write: (line: string) => void logs.push(line) } } });
  w = await seedWorld(t);
  model = buildModel(w);
  for (const o of OBJECTS) fieldsOf[o] = ((await t.get(`/api/objects/${o}`)).body as { fields: FieldInfo[] }).fields;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function call(p: Persona, method: string, path: string, body?: unknown): Promise<Res> {
  attempts++;
  const headers: Record<string, string> = {};
  if (p.token) headers.authorization = `Bearer ${p.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(t.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const buf = Buffer.from(await res.arrayBuffer());
  const ct = res.headers.get("content-type") ?? "";
  const text = /spreadsheetml/.test(ct) && buf.length ? zipTexts(buf) : buf.toString("utf8");
  let parsed: unknown = text;
  if (/json/.test(ct) && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, body: parsed, buf };
}

const scanners = new Map<string, MarkerScanner>();
function scannerOf(p: Persona): MarkerScanner {
  let s = scanners.get(p.key);
  if (!s) scanners.set(p.key, (s = new MarkerScanner(model.forbiddenMarkers(p))));
  return s;
}

function scan(p: Persona, what: string, res: Res): void {
  const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  const hits = scannerOf(p).hits(`${headers}\n${res.text}`);
  if (hits.length) leaks.push(`${p.key} ${what}: ${hits.join(", ")}`);
  if (res.status >= 500) failures.push(`${p.key} ${what}: ${res.status} ${res.text.slice(0, 300)}`);
}

function expectThat(ok: boolean, p: Persona, what: string, res: Res, why: string): void {
  if (!ok) failures.push(`${p.key} ${what}: ${why} (got ${res.status} ${res.text.slice(0, 200)})`);
}

const sameIds = (got: string[], want: Set<string>) => got.length === want.size && got.every((id) => want.has(id));
const denied = (p: Persona) => (p.role === "none" ? 401 : 403);

/** A problem body with its id taken out, to compare a "not yours" answer with a "does not exist" one. */
function normalized(res: Res, id: string): string {
  const body = JSON.stringify(res.body, (_k, v: unknown) => (typeof v === "string" ? v.split(id).join("<id>") : v));
  // Ids are all 36 characters: byte-identical answers have the same length too.
  return JSON.stringify({ status: res.status, type: res.headers.get("content-type"), length: res.buf.length, body });
}

async function inChunks(tasks: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += CHUNK) await Promise.all(tasks.slice(i, i + CHUNK).map((f) => f()));
}

/** Checks one listed/got record against the model: row visible, hidden fields absent, related rows right. */
function checkRecord(p: Persona, object: ObjectName, r: Record<string, unknown>, what: string, res: Res): void {
  const rec = w.byId.get(String(r.id));
  if (rec && !model.rowVisible(p, rec)) expectThat(false, p, what, res, `row ${rec.id} is outside the policy`);
  for (const f of fieldsOf[object]!)
    if (model.fieldRule(p, object, f.name) === "hidden" && f.name in r) expectThat(false, p, what, res, `hidden field ${f.name} present`);
  const related = r._related as Record<string, (Record<string, unknown> & { id: string }) | null> | undefined;
  if (related && rec)
    for (const [field, got] of Object.entries(related)) {
      const target = w.byId.get(rec.values[field] as string);
      const want = target && model.rowVisible(p, target) ? target.id : null;
      if ((got?.id ?? null) !== want) expectThat(false, p, what, res, `related ${field} should be ${want} but is ${got?.id ?? null}`);
      if (got && target) checkRecord(p, target.object, got, `${what} related ${field}`, res);
    }
}

function personaTasks(p: Persona): (() => Promise<void>)[] {
  const tasks: (() => Promise<void>)[] = [];
  for (const object of OBJECTS) {
    const base = `/api/objects/${object}`;
    const readable = model.canRead(p, object);
    const want = model.visibleIds(p, object);
    const fields = fieldsOf[object]!;
    const visibleFields = fields.filter((f) => model.fieldRule(p, object, f.name) !== "hidden");
    const queryable = visibleFields.filter((f) => !model.fieldRule(p, object, f.name) && f.type !== "long_text" && f.type !== "multi_picklist");
    const relations = visibleFields.filter((f) => f.type === "relation" && !model.fieldRule(p, object, f.name));
    const hiddenOrMasked = fields.filter((f) => model.fieldRule(p, object, f.name));
    const recs = w.records.filter((r) => r.object === object);
    const list = (what: string, method: string, path: string, body?: unknown, fieldsWanted?: string[]) =>
      tasks.push(async () => {
        const res = await call(p, method, path, body);
        scan(p, what, res);
        if (!readable) return expectThat(res.status === denied(p), p, what, res, `expected ${denied(p)}`);
        expectThat(res.status === 200, p, what, res, "expected 200");
        if (res.status !== 200) return;
        const got = (res.body.records as Record<string, unknown>[]).map((r) => String(r.id));
        expectThat(sameIds(got, want), p, what, res, `ids differ: got ${got.length}, want ${want.size}`);
        for (const r of res.body.records as Record<string, unknown>[]) {
          checkRecord(p, object, r, what, res);
          if (fieldsWanted) {
            const keys = Object.keys(r).filter((k) => k !== "_related").sort();
            const expected = [...new Set(["id", "version", ...fieldsWanted])].sort();
            expectThat(JSON.stringify(keys) === JSON.stringify(expected), p, what, res, `keys ${keys.join(",")} != ${expected.join(",")}`);
          }
        }
      });

    // Lists: GET and POST query, with fields, include, filter and sort.
    list(`list ${object}`, "GET", `${base}/records?limit=1000`);
    const someFields = visibleFields.slice(0, 3).map((f) => f.name);
    list(`list ${object} fields`, "GET", `${base}/records?limit=1000&fields=${someFields.join(",")}`, undefined, someFields);
    list(`query ${object} include`, "POST", `${base}/records/query`, { limit: 1000, ...(relations.length ? { include: relations.map((f) => f.name) } : {}) });
    list(`query ${object} filter ids`, "POST", `${base}/records/query`, { limit: 1000, filter: { field: "id", op: "in", value: recs.map((r) => r.id) }, sort: [{ field: "created_at", desc: true }] });
    list(`query ${object} deleted include`, "POST", `${base}/records/query`, { limit: 1000, deleted: "include", sort: queryable.slice(0, 2).map((f) => ({ field: f.name })) });
    // Every queryable field: sorting by it and filtering on it never adds a row outside the policy.
    for (const f of queryable)
      tasks.push(async () => {
        const what = `sort+filter ${object}.${f.name}`;
        const sorted = await call(p, "GET", `${base}/records?limit=1000&sort=-${f.name}`);
        const filtered = await call(p, "POST", `${base}/records/query`, { limit: 1000, filter: { field: f.name, op: "is_not_empty" } });
        scan(p, what, sorted);
        scan(p, what, filtered);
        if (!readable) return expectThat(sorted.status === denied(p) && filtered.status === denied(p), p, what, sorted, `expected ${denied(p)}`);
        expectThat(sorted.status === 200 && sameIds(sorted.body.records.map((r: { id: string }) => r.id), want), p, what, sorted, "sorted list differs");
        expectThat(filtered.status === 200 && filtered.body.records.every((r: { id: string }) => want.has(r.id) || !w.byId.has(r.id)), p, what, filtered, "filtered list has rows outside");
      });
    // A filter through a relation (opportunity.account.name = "...") must not test values of a related
    // row outside the policy: that would be an oracle on it, one guess per request.
    if (readable)
      for (const rel of relations) {
        const target = rel.relation!.object as ObjectName;
        for (const rec of recs) {
          const tr = w.byId.get(rec.values[rel.name] as string);
          if (!model.rowVisible(p, rec) || !tr || model.rowVisible(p, tr)) continue;
          for (const [mf, value] of Object.entries(tr.values))
            if (tr.markers[mf] && typeof value === "string" && !model.fieldRule(p, target, mf))
              tasks.push(async () => {
                const what = `filter ${object}.${rel.name}.${mf} of an outside ${target}`;
                const filter = { all: [{ field: "id", op: "eq", value: rec.id }, { field: `${rel.name}.${mf}`, op: "eq", value }] };
                const listed = await call(p, "POST", `${base}/records/query`, { filter });
                const counted = await call(p, "POST", `${base}/aggregate`, { filter, metrics: [{ fn: "count" }] });
                scan(p, what, listed);
                scan(p, what, counted);
                const n = (counted.body?.rows ?? []).reduce((s: number, r: { values: { count: number } }) => s + r.values.count, 0);
                if ((listed.status === 200 && listed.body.records.length > 0) || (counted.status === 200 && n > 0))
                  leaks.push(`${p.key} ${what}: the filter matched (an oracle on ${tr.id})`);
                expectThat([200, 400].includes(listed.status) && [200, 400].includes(counted.status), p, what, listed, "expected 200 (no rows) or 400");
              });
        }
      }
    // A filter naming an outside row's marker finds nothing of it.
    const nameField = queryable.find((f) => f.name === "name");
    if (nameField)
      tasks.push(async () => {
        const outside = recs.filter((r) => !model.rowVisible(p, r) && r.markers.name);
        const res = await call(p, "POST", `${base}/records/query`, { filter: { field: "name", op: "in", value: outside.map((r) => r.values.name) } });
        scan(p, `filter ${object} by outside names`, res);
        if (readable) expectThat(res.status === 200 && res.body.records.length === 0, p, `filter ${object} by outside names`, res, "expected no rows");
      });
    // Keyset pages: the walk yields exactly the visible rows.
    for (const [limit, sort] of [
      [3, "-created_at"],
      [5, "id"],
    ] as const)
      tasks.push(async () => {
        const got: string[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 50; page++) {
          const q = `${base}/records?limit=${limit}&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
          const res = await call(p, "GET", q);
          scan(p, `page ${object}`, res);
          if (!readable) return expectThat(res.status === denied(p), p, `page ${object}`, res, `expected ${denied(p)}`);
          if (res.status !== 200) return expectThat(false, p, `page ${object}`, res, "expected 200");
          for (const r of res.body.records) got.push(String(r.id));
          cursor = res.body.nextCursor;
          if (!cursor) break;
        }
        expectThat(sameIds(got, want), p, `pages ${object}`, { status: 200 } as Res, `walk gave ${got.length} rows, want ${want.size}`);
      });
    // Hidden and masked fields are unknown to filters, sorts and (hidden) field lists: like a missing field.
    for (const f of hiddenOrMasked) {
      const rule = model.fieldRule(p, object, f.name);
      const probes: [string, string, (n: string) => string, unknown][] = [
        ["filter", "POST", () => `${base}/records/query`, null],
        ["sort", "GET", (n) => `${base}/records?sort=${n}`, undefined],
        ["groupBy", "GET", (n) => `${base}/aggregate?groupBy=${n}&metrics=count`, undefined],
      ];
      if (rule === "hidden") probes.push(["fields", "GET", (n) => `${base}/records?fields=${n}`, undefined]);
      for (const [kind, method, path] of probes)
        tasks.push(async () => {
          const bodyFor = (n: string) => (kind === "filter" ? { filter: { field: n, op: "is_not_empty" } } : undefined);
          const res = await call(p, method, path(f.name), bodyFor(f.name));
          const missing = await call(p, method, path("no_such_field"), bodyFor("no_such_field"));
          scan(p, `${kind} on ${rule} ${object}.${f.name}`, res);
          scan(p, `${kind} on missing field`, missing);
          expectThat(res.status === 400, p, `${kind} on ${rule} ${object}.${f.name}`, res, "expected 400");
          // Suggestions ("did you mean account?") depend on the name asked; everything else must match.
          const norm = (r: Res, n: string) =>
            JSON.stringify(r.body, (_k, v: unknown) => (typeof v === "string" ? v.split(n).join("<f>").replace(/; (?:did you mean|fields are) .*$/s, "") : v));
          expectThat(norm(res, f.name) === norm(missing, "no_such_field"), p, `${kind} on ${rule} ${object}.${f.name}`, res, `differs from a missing field: ${missing.text}`);
        });
    }

    // Aggregates: count overall and per owner, sums of money over the visible rows only.
    tasks.push(async () => {
      const res = await call(p, "GET", `${base}/aggregate?metrics=count`);
      scan(p, `count ${object}`, res);
      if (!readable) return expectThat(res.status === denied(p), p, `count ${object}`, res, `expected ${denied(p)}`);
      const count = (res.body?.rows ?? []).reduce((s: number, r: { values: { count: number } }) => s + r.values.count, 0);
      expectThat(res.status === 200 && count === want.size, p, `count ${object}`, res, `count should be ${want.size}`);
    });
    if (fields.some((f) => f.name === "owner"))
      tasks.push(async () => {
        const res = await call(p, "POST", `${base}/aggregate`, { groupBy: [{ field: "owner" }], metrics: [{ fn: "count" }] });
        scan(p, `count ${object} by owner`, res);
        if (!readable) return;
        const got: Record<string, number> = {};
        for (const r of res.body?.rows ?? []) got[String(r.group.owner)] = r.values.count;
        const expected: Record<string, number> = {};
        for (const r of recs)
          if (model.rowVisible(p, r)) {
            const owner = (r.values.owner as string | null | undefined) ?? "null";
            expected[owner] = (expected[owner] ?? 0) + 1;
          }
        expectThat(JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(expected).sort()), p, `count ${object} by owner`, res, `want ${JSON.stringify(expected)}`);
      });
    const moneyField = { account: "annual_revenue", opportunity: "amount", opportunity_line: "unit_price" }[object as string];
    if (moneyField)
      tasks.push(async () => {
        const res = await call(p, "GET", `${base}/aggregate?metrics=sum:${moneyField}`);
        scan(p, `sum ${object}.${moneyField}`, res);
        if (!readable) return;
        if (model.fieldRule(p, object, moneyField)) return expectThat(res.status === 400, p, `sum ${object}.${moneyField}`, res, "a hidden/masked field cannot be summed");
        const cents = recs.filter((r) => model.rowVisible(p, r)).reduce((s, r) => s + Math.round(Number((r.values[moneyField] as { amount: string }).amount) * 100), 0);
        const got = res.body?.rows?.[0]?.values?.[`sum:${moneyField}`];
        const gotCents = got ? Math.round(Number(got.amount) * 100) : 0;
        expectThat(res.status === 200 && gotCents === cents, p, `sum ${object}.${moneyField}`, res, `want ${cents / 100}`);
      });

    // Exports: CSV and XLSX, direct and through POST /api/exports.
    for (const [format, how] of [
      ["csv", "get"],
      ["xlsx", "get"],
      ["csv", "post"],
    ] as const)
      tasks.push(async () => {
        const what = `export ${object} ${format} ${how}`;
        const res = how === "get" ? await call(p, "GET", `${base}/export?format=${format}`) : await call(p, "POST", "/api/exports", { object, format });
        scan(p, what, res);
        const allowed = readable && model.can(p, object, "export");
        if (!allowed) return expectThat(res.status === denied(p), p, what, res, `expected ${denied(p)}`);
        expectThat(res.status === 200, p, what, res, "expected the file");
        if (format === "csv" && res.status === 200) {
          const ids = res.text.trim().split("\n").slice(1).map((l) => l.split(",")[0]!.replace(/^\uFEFF/, ""));
          expectThat(sameIds(ids, want), p, what, res, `export rows ${ids.length}, want ${want.size}`);
        }
        if (format === "xlsx" && res.status === 200) {
          const ids = [...new Set(res.text.match(/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [])];
          for (const id of ids) {
            const rec = w.byId.get(id);
            if (rec && rec.object === object && !model.rowVisible(p, rec)) expectThat(false, p, what, res, `row ${id} outside the policy`);
          }
        }
      });

    // Creating outside the policy: a rep for another owner, a partner in the other region.
    if (SALES.includes(object as (typeof SALES)[number]) && p.role !== "admin")
      tasks.push(async () => {
        const outsideOwner = w.users.rep_other === p.userId ? w.users.manager : w.users.rep_other;
        const otherRegion = p.key === "partner_a" ? w.regionB : w.regionA;
        const outsideAccount = w.records.find((r) => r.object === "account" && !model.rowVisible(p, r)) ?? w.records.find((r) => r.object === "account")!;
        const outsideOpp = w.records.find((r) => r.object === "opportunity" && !model.rowVisible(p, r)) ?? w.records.find((r) => r.object === "opportunity")!;
        const body: Record<string, Record<string, unknown>> = {
          account: { name: "HACK", owner: outsideOwner, region: otherRegion },
          contact: { name: "HACK", owner: outsideOwner, account: outsideAccount.id },
          lead: { name: "HACK", owner: outsideOwner, region: otherRegion },
          opportunity: { name: "HACK", owner: outsideOwner, region: otherRegion },
          opportunity_line: { opportunity: outsideOpp.id, product: w.product, quantity: "1" },
        };
        const res = await call(p, "POST", `${base}/records`, body[object]);
        scan(p, `create ${object} outside`, res);
        expectThat([400, 401, 403, 404].includes(res.status), p, `create ${object} outside`, res, "must be refused");
      });

    // A relation to a row outside the policy is refused exactly like one to a missing id, and a unique
    // value held by an outside row is refused without naming that row.
    const relationProbe: Partial<Record<ObjectName, [string, ObjectName, Record<string, unknown>]>> = {
      contact: ["account", "account", { name: "Probe" }],
      opportunity: ["account", "account", { name: "Probe" }],
      opportunity_line: ["opportunity", "opportunity", { product: w.product, quantity: "1" }],
    };
    const probe = relationProbe[object];
    if (probe && p.role !== "admin" && p.role !== "none")
      for (const target of w.records.filter((r) => r.object === probe[1] && !model.rowVisible(p, r)).slice(0, 4))
        tasks.push(async () => {
          const what = `create ${object} with ${probe[0]} outside`;
          const missingTarget = uuidv7();
          const res = await call(p, "POST", `${base}/records`, { ...probe[2], [probe[0]]: target.id });
          const none = await call(p, "POST", `${base}/records`, { ...probe[2], [probe[0]]: missingTarget });
          scan(p, what, res);
          scan(p, what, none);
          expectThat(res.status >= 400 && res.status < 500, p, what, res, "must be refused");
          expectThat(normalized(res, target.id) === normalized(none, missingTarget), p, what, res, `differs from a missing target: ${none.text}`);
        });
    const uniqueProbe = { account: "external_id", opportunity: "external_id" }[object as string];
    if (uniqueProbe && model.can(p, object, "create"))
      for (const rec of recs.filter((r) => !model.rowVisible(p, r)).slice(0, 3))
        tasks.push(async () => {
          const what = `create ${object} with the ${uniqueProbe} of an outside row`;
          const res = await call(p, "POST", `${base}/records`, { name: "Probe", [uniqueProbe]: rec.values[uniqueProbe] });
          scan(p, what, res);
          expectThat(res.status >= 400 && res.status < 500 && !res.text.includes(rec.id), p, what, res, "must be refused without naming the row");
        });

    // Bulk upsert keyed on an outside row's external id: refused, or a new row; never that row changed.
    if (object === "account" || object === "opportunity")
      tasks.push(async () => {
        const outside = recs.filter((r) => !model.rowVisible(p, r)).slice(0, 5);
        if (!outside.length) return;
        const res = await call(p, "POST", `${base}/records/bulk-upsert`, { key: "external_id", records: outside.map((r) => ({ external_id: r.values.external_id, name: "HACK" })) });
        scan(p, `bulk-upsert ${object} outside`, res);
        expectThat(res.status !== 200 || !outside.some((r) => (res.body.ids as string[]).includes(r.id)), p, `bulk-upsert ${object} outside`, res, "updated a row outside the policy");
        if (res.status === 200 && res.body.inserted) failures.push(`${p.key} bulk-upsert ${object}: inserted ${res.body.inserted} (expected a refusal)`);
      });

    // Every seeded id: get (plain, fields, include), writes where they must fail, reveal.
    const missing = uuidv7();
    const missingAnswers = new Map<string, Promise<Res>>();
    const missingOf = (key: string, f: () => Promise<Res>) => {
      let m = missingAnswers.get(key);
      if (!m) missingAnswers.set(key, (m = f()));
      return m;
    };
    for (const [n, rec] of recs.entries()) {
      const inside = model.rowVisible(p, rec);
      const path = `${base}/records/${rec.id}`;
      const same404 = async (what: string, res: Res, miss: () => Promise<Res>) => {
        const m = await miss();
        scan(p, `${what} (missing id)`, m);
        expectThat(normalized(res, rec.id) === normalized(m, missing), p, what, res, `404 differs from a missing id's: ${m.text}`);
      };
      for (const [variant, query] of [
        ["", ""],
        [" fields", `?fields=${visibleFields[0]!.name}`],
        [" include", relations.length ? `?include=${relations.map((f) => f.name).join(",")}` : ""],
      ] as const)
        tasks.push(async () => {
          const what = `get${variant} ${object} ${rec.id}`;
          const res = await call(p, "GET", path + query);
          scan(p, what, res);
          if (!readable) return expectThat(res.status === denied(p), p, what, res, `expected ${denied(p)}`);
          if (!inside) {
            expectThat(res.status === 404, p, what, res, "expected 404");
            return same404(what, res, () => missingOf(`get${variant}`, () => call(p, "GET", `${base}/records/${missing}${query}`)));
          }
          expectThat(res.status === 200 && res.body.id === rec.id, p, what, res, "expected the record");
          if (res.status === 200) checkRecord(p, object, res.body, what, res);
        });
      const mustFail = !inside || !model.can(p, object, "update") || p.role === "none";
      if (mustFail) {
        const writes: [string, string, string, unknown, "update" | "delete"][] = [
          ["patch", "PATCH", path, PATCH_FIELD[object](n), "update"],
          ["delete", "DELETE", path, undefined, "delete"],
          ["restore", "POST", `${path}/restore`, undefined, "delete"],
        ];
        for (const [kind, method, url, body, action] of writes) {
          // Writes inside the policy that the persona may do are not attempted (the data stays as seeded).
          if (inside && p.role !== "none" && model.can(p, object, action)) continue;
          tasks.push(async () => {
            const what = `${kind} ${object} ${rec.id}`;
            const res = await call(p, method, url, body);
            scan(p, what, res);
            if (p.role === "none") return expectThat(res.status === 401, p, what, res, "expected 401");
            if (!model.can(p, object, action)) return expectThat(res.status === 403, p, what, res, "expected 403");
            expectThat(res.status === 404, p, what, res, "expected 404");
            await same404(what, res, () => missingOf(kind, () => call(p, method, url.replace(rec.id, missing), body)));
          });
        }
      }
      tasks.push(async () => {
        const field = REVEAL_FIELD[object];
        const what = `reveal ${object}.${field} ${rec.id}`;
        const res = await call(p, "POST", `${path}/reveal`, { field });
        scan(p, what, res);
        if (p.role === "none") return expectThat(res.status === 401, p, what, res, "expected 401");
        if (!readable) return expectThat(res.status === 403, p, what, res, "expected 403");
        if (model.fieldRule(p, object, field) === "hidden") return expectThat(res.status === 400, p, what, res, "a hidden field is unknown");
        if (!model.can(p, object, "reveal")) return expectThat(res.status === 403, p, what, res, "expected 403");
        if (!inside) {
          expectThat(res.status === 404, p, what, res, "expected 404");
          return same404(what, res, () => missingOf("reveal", () => call(p, "POST", `${base}/records/${missing}/reveal`, { field })));
        }
        expectThat(res.status === 200 && res.body.field === field, p, what, res, "expected the value");
      });
    }
  }
  return tasks;
}

test("permission matrix: no row, field or marker outside the policy reaches any persona", async () => {
  // The route table drives the matrix: a new data route must be added here (or the test fails).
  const routes = routeTable(t.app).map((r) => `${r.method} ${r.url}`);
  const dataRoutes = routes.filter((r) => r.includes("/api/objects/:object") || r.startsWith("POST /api/exports") || r.includes("/api/imports"));
  const uncovered = dataRoutes.filter((r) => !COVERED.has(r) && !NOT_DATA.has(r) && !/\/api\/exports\/:id/.test(r));
  expect(uncovered, "data routes the permission matrix does not drive").toEqual([]);
  expect([...COVERED].filter((r) => !routes.includes(r)), "matrix routes missing from the app").toEqual([]);
  // Every object of the metadata is seeded and modelled.
  const objects = ((await t.get("/api/objects")).body as { objects: { name: string }[] }).objects.map((o) => o.name).sort();
  expect(objects).toEqual([...OBJECTS].sort());

  const versions = async () => {
    const out = new Map<string, number>();
    for (const o of OBJECTS) for (const r of await systemRecords(t, o, undefined, ["version", "deleted_at"])) out.set(r.id, Number(r.version) * (r.deleted_at ? -1 : 1));
    return out;
  };
  const before = await versions();
  const started = Date.now();
  for (const p of w.personas) {
    const logStart = logs.length;
    await inChunks(personaTasks(p));
    // Log lines written while this persona was active hold nothing it may not see.
    for (const line of logs.slice(logStart)) {
      const hits = scannerOf(p).hits(line);
      if (hits.length) leaks.push(`${p.key} log: ${hits.join(", ")} in ${line.slice(0, 200)}`);
    }
  }
  const after = await versions();
  const changed = [...before].filter(([id, v]) => after.get(id) !== v).map(([id]) => `${w.byId.get(id)?.object ?? "?"} ${id}`);
  const added = [...after.keys()].filter((id) => !before.has(id));

  console.log(`permission matrix: ${attempts} attempts, ${leaks.length} leaks (${logs.length} log lines scanned, ${Date.now() - started} ms, ${t.dialect})`);
  expect(leaks.slice(0, 20)).toEqual([]);
  expect(failures.slice(0, 20)).toEqual([]);
  expect(changed, "records changed by refused writes").toEqual([]);
  expect(added, "records created by refused writes").toEqual([]);
  expect(attempts).toBeGreaterThanOrEqual(10_000);
}, 120_000);

test("the scanner finds planted markers (canary): what an admin sees would be a leak for an intern and a partner", async () => {
  const admin = w.personas.find((p) => p.key === "admin")!;
  for (const key of ["intern", "partner_a", "rep", "anonymous"] as const) {
    const p = w.personas.find((x) => x.key === key)!;
    const res = await call(admin, "GET", "/api/objects/account/records?limit=1000");
    expect(scannerOf(p).hits(res.text).length, key).toBeGreaterThan(0);
  }
  expect(model.forbiddenMarkers(admin).size).toBe(0);
  const all = new Set(w.records.flatMap((r) => Object.values(r.markers)));
  expect(model.forbiddenMarkers(w.personas.find((p) => p.key === "anonymous")!)).toEqual(all);
});

test("export approval: an approved bulk export holds the requester's rows only; nobody else sees the request", async () => {
  const admin = w.personas.find((p) => p.key === "admin")!;
  expect((await call(admin, "PUT", "/api/settings/export", { approvalThreshold: 1 })).status).toBe(200);
  try {
    for (const key of ["manager", "rep", "rep_sub"] as const) {
      const p = w.personas.find((x) => x.key === key)!;
      const other = w.personas.find((x) => x.key === (key === "rep" ? "rep_other" : "rep"))!;
      for (const object of ["account", "opportunity"] as const) {
        const want = model.visibleIds(p, object);
        // Direct: refused with the count of the requester's own rows, never of all rows.
        const direct = await call(p, "GET", `/api/objects/${object}/export?format=csv`);
        scan(p, "direct export over the threshold", direct);
        expect(direct.status).toBe(403);
        expect(direct.body.detail).toContain(`${want.size} rows`);
        const asked = await call(p, "POST", "/api/exports", { object, format: key === "rep" ? "xlsx" : "csv", reason: "quarterly review" });
        scan(p, "export request", asked);
        expect(asked.status, asked.text).toBe(202);
        expect(asked.body.plan.rows).toBe(want.size);
        const id = asked.body.request.id as string;
        // Another rep: the request is as invisible as a missing one.
        const peek = await call(other, "GET", `/api/exports/${id}`);
        const none = await call(other, "GET", `/api/exports/${uuidv7()}`);
        scan(other, "someone else's export request", peek);
        expect(peek.status).toBe(404);
        expect(normalized(peek, id)).toBe(normalized(none, none.body.detail.match(/[0-9a-f-]{36}/)?.[0] ?? ""));
        expect((await call(other, "POST", `/api/exports/${id}/link`)).status).toBe(404);
        expect((await call(p, "POST", `/api/exports/${id}/approve`, {})).status).toBe(403);
        expect((await call(admin, "POST", `/api/exports/${id}/approve`, { comment: "ok" })).status).toBe(200);
        const link = await call(p, "POST", `/api/exports/${id}/link`);
        expect(link.status).toBe(200);
        expect((await call(other, "GET", link.body.url)).status).toBe(404);
        const file = await call(p, "GET", link.body.url);
        scan(p, `approved export ${object}`, file);
        expect(file.status).toBe(200);
        const ids = new Set(file.text.match(/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []);
        const rows = [...ids].filter((i) => w.byId.get(i)?.object === object);
        expect(rows.sort()).toEqual([...want].sort());
        // One time only.
        expect((await call(p, "GET", link.body.url)).status).toBeGreaterThanOrEqual(400);
      }
    }
  } finally {
    expect((await call(admin, "PUT", "/api/settings/export", { approvalThreshold: 10_000 })).status).toBe(200);
  }
  expect(leaks).toEqual([]);
  expect(failures).toEqual([]);
});

test("exports of masked and hidden fields: masked stay masked, hidden stay out; clear values only through reveal and approval", async () => {
  const admin = w.personas.find((p) => p.key === "admin")!;
  const intern = w.personas.find((p) => p.key === "intern")!;
  const partner = w.personas.find((p) => p.key === "partner_a")!;
  const policyOf = async (role: string, object: string) =>
    ((await call(admin, "GET", `/api/access/roles/${role}`)).body.policies as { object: string; actions: string[]; rowCondition: unknown; fieldRules: unknown }[]).find((x) => x.object === object)!;
  const put = async (role: string, object: string, body: unknown) => expect((await call(admin, "PUT", `/api/access/roles/${role}/policies/${object}`, body)).status).toBe(200);
  const saved: [string, string, Awaited<ReturnType<typeof policyOf>>][] = [];
  for (const [role, object] of [
    ["intern", "account"],
    ["intern", "contact"],
    ["partner", "account"],
  ] as const) {
    const p = await policyOf(role, object);
    saved.push([role, object, p]);
    await put(role, object, { actions: [...p.actions, "export"], rowCondition: p.rowCondition, fieldRules: p.fieldRules });
  }
  try {
    for (const p of [intern, partner])
      for (const object of p === intern ? (["account", "contact"] as const) : (["account"] as const))
        for (const format of ["csv", "xlsx"]) {
          const what = `export ${object} ${format} with field rules`;
          const res = await call(p, "GET", `/api/objects/${object}/export?format=${format}`);
          scan(p, what, res);
          expect(res.status, res.text).toBe(200);
          if (format === "csv") {
            const header = res.text.replace(/^\uFEFF/, "").split("\n")[0]!.split(",");
            for (const f of fieldsOf[object]!) if (model.fieldRule(p, object, f.name) === "hidden") expect(header).not.toContain(f.name);
            expect(res.text.trim().split("\n").length - 1).toBe(model.visibleIds(p, object).size);
          }
        }
    // Clear values: refused without reveal; with reveal, a request a second person must approve.
    const clearAsk = { object: "account", format: "csv", clear: true };
    const refused = await call(intern, "POST", "/api/exports", clearAsk);
    scan(intern, "clear export without reveal", refused);
    expect(refused.status).toBe(403);
    const p = saved[0]![2];
    await put("intern", "account", { actions: [...p.actions, "export", "reveal"], rowCondition: p.rowCondition, fieldRules: p.fieldRules });
    const asked = await call(intern, "POST", "/api/exports", clearAsk);
    scan(intern, "clear export request", asked);
    expect(asked.status, asked.text).toBe(202);
    expect(asked.body.plan.reasons).toContain("clear");
    expect((await call(admin, "POST", `/api/exports/${asked.body.request.id}/approve`, {})).status).toBe(200);
    const link = await call(intern, "POST", `/api/exports/${asked.body.request.id}/link`);
    const file = await call(intern, "GET", link.body.url);
    expect(file.status).toBe(200);
    // The approved file holds the clear names (that is what was approved), of the intern's rows only.
    const accounts = w.records.filter((r) => r.object === "account");
    for (const a of accounts) expect(file.text.includes(a.values.name as string), a.id).toBe(model.rowVisible(intern, a));
  } finally {
    for (const [role, object, p] of saved) await put(role, object, { actions: p.actions, rowCondition: p.rowCondition, fieldRules: p.fieldRules });
  }
  expect(leaks).toEqual([]);
  expect(failures).toEqual([]);
});

test("import: rows keyed on records outside the importer's policy are refused, the report holds no marker of them", async () => {
  const manager = w.personas.find((p) => p.key === "manager")!;
  const rep = w.personas.find((p) => p.key === "rep")!;
  const outside = w.records.filter((r) => r.object === "account" && !model.rowVisible(manager, r));
  expect(outside.length).toBeGreaterThan(0);
  const csv = `external_id,name,industry\n${outside.map((r) => `${String(r.values.external_id)},HACK,HACK`).join("\n")}\n`;
  const upload = async (p: Persona) => {
    attempts++;
    const form = new FormData();
    form.append("object", "account");
    form.append("file", new Blob([csv], { type: "text/csv" }), "accounts.csv");
    const res = await fetch(`${t.url}/api/imports`, { method: "POST", headers: { authorization: `Bearer ${p.token}` }, body: form });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text, buf: Buffer.from(text) } as Res;
  };
  const logStart = logs.length;
  // A rep holds no import right: refused before anything is read.
  const repUpload = await upload(rep);
  scan(rep, "import upload", repUpload);
  expect(repUpload.status).toBe(403);

  const up = await upload(manager);
  scan(manager, "import upload", up);
  expect(up.status).toBe(201);
  const run = await call(manager, "POST", `/api/imports/${up.body.id}/run`, { key: "external_id" });
  expect(run.status).toBe(202);
  let job: Res;
  for (;;) {
    job = await call(manager, "GET", `/api/imports/${up.body.id}`);
    scan(manager, "import status", job);
    if (job.body.status !== "running" && job.body.status !== "pending") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(job.body.summary).toMatchObject({ read: outside.length, inserted: 0, updated: 0, rejected: outside.length });
  for (const format of ["json", "csv"]) {
    const report = await call(manager, "GET", `/api/imports/${up.body.id}/report?format=${format}`);
    scan(manager, `import report ${format}`, report);
    expect(report.status).toBe(200);
  }
  // Another user's import is as invisible as a missing one.
  for (const path of [`/api/imports/${up.body.id}`, `/api/imports/${up.body.id}/report?format=json`]) {
    const other = await call(rep, "GET", path);
    const missing = await call(rep, "GET", path.replace(up.body.id, uuidv7()));
    expect(other.status).toBe(404);
    expect(normalized(other, up.body.id)).toBe(normalized(missing, missing.body.detail.match(/[0-9a-f-]{36}/)?.[0] ?? ""));
  }
  for (const r of outside) {
    const now = (await systemRecords(t, "account", { field: "id", op: "eq", value: r.id }, ["name", "industry", "version"]))[0]!;
    expect(now).toMatchObject({ name: r.values.name, industry: r.values.industry, version: 1 });
  }
  for (const line of logs.slice(logStart)) expect(scannerOf(manager).hits(line)).toEqual([]);
  expect(leaks).toEqual([]);
  expect(failures).toEqual([]);
});
