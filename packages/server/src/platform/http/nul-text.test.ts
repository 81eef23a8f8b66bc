/**
 * Text with U+0000 is user input: PostgreSQL cannot store it, so text fields refuse it on both
 * databases; a filter value or a path id with one is never a 500.
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
  it("creating a record with one is a 400 naming the field, on both databases", async () => {
    const res = await t.post("/api/objects/account/records", { name: "nul\u0000name" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "name", reason: "contains the NUL character (U+0000), which cannot be stored" })]);
  });

  it("a filter value or a path id with one is never a 500", async () => {
    const list = await t.post("/api/objects/account/records/query", { filter: { field: "name", op: "eq", value: "a\u0000b" }, limit: 1 });
    expect(list.status).toBe(pg ? 400 : 200);
    const patch = await t.patch("/api/objects/account/records/%00", { name: "x" });
    expect(patch.status).toBe(pg ? 400 : 404);
  });
});
