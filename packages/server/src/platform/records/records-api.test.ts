/** The record API over real HTTP: CRUD, optimistic concurrency, errors, pagination, aggregates, bulk upsert. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

const PROBLEM = /^application\/problem\+json/;

describe("record API over HTTP", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("creates, reads with an ETag, updates with If-Match, deletes and restores", async () => {
    const created = await t.post("/api/objects/account/records", { name: "Acme", employees: 120, annual_revenue: "1054.5" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Acme", employees: 120, annual_revenue: { amount: "1054.50", currency: "USD" }, version: 1 });
    const id = created.body.id as string;
    expect(created.headers.get("location")).toBe(`/api/objects/account/records/${id}`);
    expect(created.headers.get("etag")).toBe('"1"');

    const got = await t.get(`/api/objects/account/records/${id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("etag")).toBe('"1"');
    expect(got.body.name).toBe("Acme");

    const notModified = await t.get(`/api/objects/account/records/${id}`, { headers: { "if-none-match": '"1"' } });
    expect(notModified.status).toBe(304);

    const updated = await t.patch(`/api/objects/account/records/${id}`, { city: "Shanghai" }, { headers: { "if-match": '"1"' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ city: "Shanghai", name: "Acme", version: 2 });
    expect(updated.headers.get("etag")).toBe('"2"');

    const stale = await t.patch(`/api/objects/account/records/${id}`, { city: "Beijing" }, { headers: { "if-match": '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.contentType).toMatch(PROBLEM);
    expect(stale.body).toMatchObject({ type: "about:blank", title: "Conflict", status: 409 });
    expect((await t.get(`/api/objects/account/records/${id}`)).body.city).toBe("Shanghai");

    const noCheck = await t.patch(`/api/objects/account/records/${id}`, { city: "Beijing" });
    expect(noCheck.body.version).toBe(3);

    const badIfMatch = await t.patch(`/api/objects/account/records/${id}`, { city: "X" }, { headers: { "if-match": "yesterday" } });
    expect(badIfMatch.status).toBe(400);

    const del = await t.del(`/api/objects/account/records/${id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect((await t.get(`/api/objects/account/records/${id}`)).status).toBe(404);
    const onlyDeleted = await t.get(`/api/objects/account/records?deleted=only&fields=name`);
    expect(onlyDeleted.body.records.map((r: { id: string }) => r.id)).toEqual([id]);

    const restored = await t.post(`/api/objects/account/records/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.deleted_at).toBeNull();
    expect((await t.get(`/api/objects/account/records/${id}`)).status).toBe(200);
  });

  it("rejects unknown fields and wrong types with a 400 problem naming them", async () => {
    const unknown = await t.post("/api/objects/account/records", { name: "X", colour: "red" });
    expect(unknown.status).toBe(400);
    expect(unknown.contentType).toMatch(PROBLEM);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toContain("colour");

    const wrongType = await t.post("/api/objects/account/records", { name: "X", employees: "many" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors.map((e: { field: string }) => e.field)).toContain("employees");

    const missing = await t.post("/api/objects/account/records", { city: "Nowhere" });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain("name");
  });

  it("never answers user input with a 500", async () => {
    const cases: [string, string, { rawBody?: string; body?: unknown; headers?: Record<string, string> }, number][] = [
      ["POST", "/api/objects/account/records", { rawBody: "{bad json", headers: { "content-type": "application/json" } }, 400],
      ["POST", "/api/objects/account/records", { rawBody: "", headers: { "content-type": "application/json" } }, 400],
      ["POST", "/api/objects/account/records", { body: [1, 2, 3] }, 400],
      ["POST", "/api/objects/account/records", { body: "just a string" }, 400],
      ["POST", "/api/objects/account/records", { body: null }, 400],
      ["POST", "/api/objects/account/records", { rawBody: '{"__proto__":{"x":1}}', headers: { "content-type": "application/json" } }, 400],
      ["POST", "/api/objects/account/records", { rawBody: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415],
      ["POST", "/api/objects/account/records", { body: { name: "x".repeat(3 * 1024 * 1024) } }, 413],
      ["GET", "/api/objects/account/records?limit=100000", {}, 400],
      ["GET", "/api/objects/account/records?limit=-5", {}, 400],
      ["GET", "/api/objects/account/records?limit=abc", {}, 400],
      ["GET", "/api/objects/account/records?sort=-nope", {}, 400],
      ["GET", "/api/objects/account/records?filter=%7Bnot%20json", {}, 400],
      ["GET", `/api/objects/account/records?filter=${encodeURIComponent('{"field":"nope","op":"eq","value":1}')}`, {}, 400],
      ["GET", `/api/objects/account/records?filter=${encodeURIComponent('{"field":"employees","op":"eq","value":"many"}')}`, {}, 400],
      ["GET", `/api/objects/account/records?filter=${encodeURIComponent('{"field":"name","op":"between"}')}`, {}, 400],
      ["GET", `/api/objects/account/records?filter=${encodeURIComponent('{"all":{"field":"name"}}')}`, {}, 400],
      ["GET", "/api/objects/account/records?cursor=not-a-real-cursor", {}, 400],
      ["GET", "/api/objects/account/records?fields=ghost", {}, 400],
      ["GET", "/api/objects/account/records?include=name", {}, 400],
      ["GET", "/api/objects/account/records?whatever=1", {}, 400],
      ["GET", "/api/objects/nope/records", {}, 404],
      ["POST", "/api/objects/nope/records", { body: { name: "x" } }, 404],
      ["GET", "/api/objects/account/records/not-an-id", {}, 404],
      ["PATCH", "/api/objects/account/records/not-an-id", { body: { name: "x" } }, 404],
      ["DELETE", "/api/objects/account/records/not-an-id", {}, 404],
      ["POST", "/api/objects/account/records/query", { body: { limit: "lots" } }, 400],
      ["POST", "/api/objects/account/records/query", { body: { filter: [] } }, 400],
      ["POST", "/api/objects/account/records/query", { body: { sort: 42 } }, 400],
      ["GET", "/api/objects/account/aggregate?groupBy=a,b,c", {}, 400],
      ["GET", "/api/objects/account/aggregate?metrics=sum", {}, 400],
      ["GET", "/api/objects/account/aggregate?metrics=median:employees", {}, 400],
      ["POST", "/api/objects/account/aggregate", { body: { metrics: [{ fn: "sum", field: "ghost" }] } }, 400],
      ["POST", "/api/objects/account/records/bulk-upsert", { body: { records: "nope" } }, 400],
      ["POST", "/api/objects/account/records/bulk-upsert", { body: { key: "external_id", records: [1] } }, 400],
      ["GET", "/api/nothing-here", {}, 404],
    ];
    for (const [method, path, opts, status] of cases) {
      const res = await t.request(method, path, opts);
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(res.contentType).toMatch(PROBLEM);
      expect(typeof res.body.detail).toBe("string");
      expect(res.body.status).toBe(status);
    }
  });

  it("answers random list parameters and bodies with 200 or a 4xx problem, never a 500", async () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("name", "-name", "employees", "annual_revenue", "owner", "id", "-created_at", "", ",", "999", "-1", "null", "{}", "[]"),
      fc.json({ maxDepth: 3 }),
    );
    const params = fc.dictionary(fc.constantFrom("filter", "sort", "limit", "cursor", "fields", "include", "deleted", "x"), piece, { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (p, asBody) => {
        const res = asBody
          ? await t.post("/api/objects/account/records/query", p)
          : await t.get(`/api/objects/account/records?${new URLSearchParams(p).toString()}`);
        if (res.status !== 200) {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.contentType).toMatch(PROBLEM);
        }
      }),
      { numRuns: 60, seed: 20261203 },
    );
    const body = fc.dictionary(fc.constantFrom("name", "employees", "annual_revenue", "website", "owner", "year_established", "nope"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await t.post("/api/objects/account/records", b);
        expect([201, 400, 409]).toContain(res.status);
      }),
      { numRuns: 60, seed: 20261204 },
    );
  });

  it("names the problem in a bad filter", async () => {
    const res = await t.get(`/api/objects/account/records?filter=${encodeURIComponent('{"all":[{"field":"nme","op":"eq","value":"x"}]}')}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toMatch(/^filter/);
    expect(res.body.detail).toMatch(/nme/);
  });

  it("pages through a list with keyset cursors", async () => {
    const names = ["P-a", "P-b", "P-c", "P-d", "P-e", "P-f", "P-g"];
    for (const name of [...names].reverse()) expect((await t.post("/api/objects/product/records", { name })).status).toBe(201);
    const filter = encodeURIComponent(JSON.stringify({ field: "name", op: "starts_with", value: "P-" }));
    const seen: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await t.get(`/api/objects/product/records?filter=${filter}&sort=name&limit=3&fields=name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(res.body.records.map((r: { name: string }) => r.name));
      cursor = res.body.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([["P-a", "P-b", "P-c"], ["P-d", "P-e", "P-f"], ["P-g"]]);

    const desc = await t.post("/api/objects/product/records/query", { filter: { field: "name", op: "starts_with", value: "P-" }, sort: "-name", limit: 2, fields: ["name"] });
    expect(desc.body.records.map((r: { name: string }) => r.name)).toEqual(["P-g", "P-f"]);
    expect(typeof desc.body.nextCursor).toBe("string");
  });

  it("aggregates by stage with count and a currency sum", async () => {
    const deals = [
      { name: "D1", stage: "Won", amount: "100.00", close_date: "2024-01-15" },
      { name: "D2", stage: "Won", amount: 250.5, close_date: "2024-03-02" },
      { name: "D3", stage: "Lost", amount: { amount: "40", currency: "USD" }, close_date: "2024-03-20" },
    ];
    for (const d of deals) expect((await t.post("/api/objects/opportunity/records", d)).status).toBe(201);
    const res = await t.get("/api/objects/opportunity/aggregate?groupBy=stage&metrics=count,sum:amount");
    expect(res.status).toBe(200);
    const byStage = Object.fromEntries(res.body.rows.map((r: { group: { stage: string }; values: unknown }) => [r.group.stage, r.values]));
    // 100.00 + 250.50 = 350.50; 40 -> 40.00
    expect(byStage).toEqual({
      Won: { count: 2, "sum:amount": { amount: "350.50", currency: "USD" } },
      Lost: { count: 1, "sum:amount": { amount: "40.00", currency: "USD" } },
    });

    const monthly = await t.post("/api/objects/opportunity/aggregate", {
      filter: { field: "stage", op: "eq", value: "Won" },
      groupBy: [{ field: "close_date", bucket: "month" }],
      metrics: [{ fn: "count" }],
    });
    expect(monthly.status).toBe(200);
    const months = monthly.body.rows.map((r: { group: Record<string, string>; values: { count: number } }) => [r.group["close_date:month"], r.values.count]);
    expect(months.sort()).toEqual([["2024-01", 1], ["2024-03", 1]]);
  });

  it("bulk-upserts by external key, all or nothing", async () => {
    const first = await t.post("/api/objects/account/records/bulk-upsert", {
      key: "external_id",
      records: [
        { external_id: "A-1", name: "Alpha" },
        { external_id: "A-2", name: "Beta" },
      ],
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ inserted: 2, updated: 0 });

    const second = await t.post("/api/objects/account/records/bulk-upsert", {
      records: [
        { external_id: "A-1", name: "Alpha 2" },
        { external_id: "A-3", name: "Gamma" },
      ],
    });
    expect(second.body).toMatchObject({ inserted: 1, updated: 1 });

    const bad = await t.post("/api/objects/account/records/bulk-upsert", {
      key: "external_id",
      records: [
        { external_id: "A-4", name: "Delta" },
        { external_id: "A-5", employees: "lots" },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.some((e: { row?: number }) => e.row !== undefined)).toBe(true);
    const filter = encodeURIComponent(JSON.stringify({ field: "external_id", op: "in", value: ["A-4", "A-5"] }));
    expect((await t.get(`/api/objects/account/records?filter=${filter}`)).body.records).toEqual([]);

    const tooMany = await t.post("/api/objects/account/records/bulk-upsert", { key: "external_id", records: Array.from({ length: 1001 }, (_, i) => ({ external_id: `X${i}`, name: `X${i}` })) });
    expect(tooMany.status).toBe(400);
  });

  it("includes related records", async () => {
    const acct = await t.post("/api/objects/account/records", { name: "Parent Co" });
    const opp = await t.post("/api/objects/opportunity/records", { name: "With account", account: acct.body.id });
    const res = await t.get(`/api/objects/opportunity/records/${opp.body.id}?include=account&fields=name,account`);
    expect(res.status).toBe(200);
    expect(res.body.account).toBe(acct.body.id);
    expect(res.body._related.account.name).toBe("Parent Co");
  });
});
