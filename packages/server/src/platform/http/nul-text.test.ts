/**
 * Text with U+0000 is user input: SQLite stores it, PostgreSQL refuses it; either way the answer
 * is never a 500 (in a body, in a filter, or in a record id in the path).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const pg = process.env.REVLINE_TEST_DIALECT === "postgres";

describe("NUL characters in user input", () => {
  it("creating a record with one is stored (SQLite) or a 400 naming the reason (PostgreSQL)", async () => {
    const res = await t.post("/api/objects/account/records", { name: "nul\u0000name" });
    if (!pg) {
      expect(res.status).toBe(201);
      expect(res.body.name).toBe("nul\u0000name");
      return;
    }
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.errors).toEqual([{ field: "body", reason: "contains the NUL character (U+0000), which cannot be stored", code: "invalid_text" }]);
  });

  it("a filter value or a path id with one is never a 500", async () => {
    const list = await t.post("/api/objects/account/records/query", { filter: { field: "name", op: "eq", value: "a\u0000b" }, limit: 1 });
    expect(list.status).toBe(pg ? 400 : 200);
    const patch = await t.patch("/api/objects/account/records/%00", { name: "x" });
    expect(patch.status).toBe(pg ? 400 : 404);
  });
});
