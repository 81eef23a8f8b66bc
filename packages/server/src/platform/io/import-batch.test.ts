/**
 * Rejections the records layer makes while a batch is written must point at rows of the file:
 * the records layer counts rows from 0 within its call, the report from 1 within the file.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRejections } from "./import-job.repo";
import { runImport } from "./import.service";
import { openIoTestDb, type IoTestDb } from "../../../test/io";

let t: IoTestDb;
beforeAll(async () => {
  t = await openIoTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("duplicate values inside one batch", () => {
  it("names the file row of the earlier duplicate in the reason", async () => {
    const p = path.join(t.dir, "dup-emails.csv");
    // Row 1 is refused too (bad email), so call positions and file rows differ by more than one.
    fs.writeFileSync(p, "name,email,external_id\nBad,not-an-email,B-1\nFirst,dupe@example.com,B-2\nSecond,dupe@example.com,B-3\nThird,dupe@example.com,B-4\n");
    const s = await runImport(t.ctx, { object: "user", file: p });
    expect(s).toMatchObject({ read: 4, inserted: 1, updated: 0, rejected: 3 });
    const lines = [];
    for await (const r of readRejections(t.db, s.id)) lines.push(r);
    const dupes = lines.filter((l) => l.column === "email" && l.row > 2).map((l) => [l.row, l.reason]);
    expect(dupes).toEqual([
      [3, 'duplicate value "dupe@example.com" (also in row 2)'],
      [4, 'duplicate value "dupe@example.com" (also in row 2)'],
    ]);
  });
});
