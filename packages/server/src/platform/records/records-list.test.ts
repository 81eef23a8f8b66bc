import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError, type AppError } from "@revline/core";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { createObject } from "../metadata";
import { bulkUpsert, listRecords, type RecordData, type SortSpec } from ".";

let t: TestDb;
const L = (en: string) => ({ en, zh: en });
const N = 1234;
type Row = { code: number; grp: string | null; score: number | null; tag: string | null; due: string | null };
const rows: Row[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
  const ctx = testCtx(t.db);
  await createObject(ctx, {
    name: "item",
    label: L("Item"),
    labelPlural: L("Items"),
    fields: [
      { name: "code", type: "integer", unique: true, label: L("Code") },
      { name: "grp", type: "picklist", label: L("Group"), options: ["a", "b", "c"].map((v) => ({ value: v, label: L(v) })) },
      { name: "score", type: "decimal", scale: 2, label: L("Score") },
      { name: "tag", type: "text", label: L("Tag") },
      { name: "due", type: "date", label: L("Due") },
    ],
  });
  // Deterministic data with many ties and NULLs in every sort column.
  for (let i = 0; i < N; i++) {
    rows.push({
      code: i,
      grp: i % 7 === 0 ? null : ["a", "b", "c"][i % 3]!,
      score: i % 5 === 0 ? null : ((i * 37) % 11) / 4,
      tag: i % 4 === 0 ? null : `t${String((i * 13) % 9).padStart(2, "0")}`,
      due: i % 6 === 0 ? null : `2024-0${1 + (i % 9)}-1${i % 10}`,
    });
  }
  for (let i = 0; i < N; i += 500) await bulkUpsert(ctx, "item", rows.slice(i, i + 500), { key: "code" });
});
afterAll(async () => t?.close());

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

async function walk(sort: SortSpec[] | undefined, limit: number): Promise<RecordData[]> {
  const out: RecordData[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await listRecords(testCtx(t.db), "item", { sort, limit, cursor });
    out.push(...page.records);
    cursor = page.nextCursor;
    if (++pages > N) throw new Error("runaway pagination");
  } while (cursor);
  return out;
}

/** The expected order, computed here independently: NULL smallest, id ascending last. */
function expectedOrder(all: RecordData[], sort: SortSpec[]): string[] {
  const cmp = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null) return -1;
    if (b === null) return 1;
    return (a as number | string) < (b as number | string) ? -1 : 1;
  };
  return [...all]
    .sort((x, y) => {
      for (const s of sort) {
        const c = cmp(x[s.field], y[s.field]);
        if (c) return s.desc ? -c : c;
      }
      return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    })
    .map((r) => r.id);
}

describe("keyset pagination", () => {
  it("walks every record exactly once under a multi-column sort with ties and NULLs", async () => {
    const sort: SortSpec[] = [{ field: "grp" }, { field: "score", desc: true }, { field: "tag" }, { field: "due", desc: true }];
    const got = await walk(sort, 97);
    expect(got.length).toBe(N);
    expect(new Set(got.map((r) => r.id)).size).toBe(N);
    expect(got.map((r) => r.id)).toEqual(expectedOrder(got, sort));
    expect(got.filter((r) => r.grp === null).length).toBe(rows.filter((r) => r.grp === null).length);
  });

  it("walks with the default sort (all rows share created_at: the id breaks ties)", async () => {
    const got = await walk(undefined, 250);
    expect(new Set(got.map((r) => r.id)).size).toBe(N);
    expect(got.map((r) => r.id)).toEqual(expectedOrder(got, [{ field: "created_at", desc: true }]));
  });

  it("walks a filtered list", async () => {
    const filter = { all: [{ field: "grp", op: "eq" as const, value: "b" }, { field: "score", op: "gte" as const, value: 1 }] };
    const out: RecordData[] = [];
    let cursor: string | null = null;
    do {
      const page = await listRecords(testCtx(t.db), "item", { filter, sort: [{ field: "score" }], limit: 10, cursor });
      out.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor);
    expect(out.length).toBe(rows.filter((r) => r.grp === "b" && r.score !== null && r.score >= 1).length);
  });

  it("refuses a tampered cursor or one made for another sort with Invalid", async () => {
    const ctx = testCtx(t.db);
    const first = await listRecords(ctx, "item", { sort: [{ field: "score" }], limit: 5 });
    const cursor = first.nextCursor!;
    const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString()) as { h: string; v: unknown[] };
    const forge = (v: unknown[]) => Buffer.from(JSON.stringify({ h: decoded.h, v })).toString("base64url");
    const bad = [
      "not a cursor!",
      "eyJ4IjoxfQ",
      cursor.slice(0, -3),
      forge(["abc", decoded.v[1]]),
      forge([{ $gt: 1 }, decoded.v[1]]),
      forge([1]),
      forge([1, null]),
      Buffer.from(JSON.stringify({ h: "x", v: decoded.v })).toString("base64url"),
    ];
    for (const c of bad) {
      const e = await failure(listRecords(ctx, "item", { sort: [{ field: "score" }], limit: 5, cursor: c }));
      expect(e.kind, c).toBe("invalid");
      expect(e.details[0]!.field).toBe("cursor");
    }
    const other = await failure(listRecords(ctx, "item", { sort: [{ field: "tag" }], limit: 5, cursor }));
    expect(other.kind).toBe("invalid");
  });

  it("rejects unknown sort, fields and include names, and bad limits", async () => {
    const ctx = testCtx(t.db);
    expect((await failure(listRecords(ctx, "item", { sort: [{ field: "nope" }] }))).details[0]!.field).toBe("nope");
    expect((await failure(listRecords(ctx, "item", { fields: ["code", "ghost"] }))).details[0]!.field).toBe("ghost");
    expect((await failure(listRecords(ctx, "item", { include: ["tag"] }))).details[0]!.field).toBe("tag");
    expect((await failure(listRecords(ctx, "item", { limit: 1001 }))).details[0]!.field).toBe("limit");
    expect((await failure(listRecords(ctx, "item", { filter: { field: "ghost", op: "eq", value: 1 } }))).kind).toBe("invalid");
    expect((await failure(listRecords(ctx, "nothing"))).kind).toBe("not_found");
  });
});
