/**
 * POST /api/imports/:id/run refuses options it cannot honour with a 400 before anything runs:
 * a dryRun that is not a boolean must not turn into a real import, a mapping that is not an
 * object must not be a 500, and a mapping or key that cannot work must not be a 202 that fails later.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";
import { allRecords } from "../../../test/io";

let t: TestApp;
let dataDir: string;
const savedDataDir = process.env.REVLINE_DATA_DIR;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-run-body-"));
  process.env.REVLINE_DATA_DIR = dataDir;
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
  if (savedDataDir === undefined) delete process.env.REVLINE_DATA_DIR;
  else process.env.REVLINE_DATA_DIR = savedDataDir;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const boundary = "----revline-run-body";
const upload = async () => {
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="object"\r\n\r\nregion\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="regions.csv"\r\nContent-Type: text/csv\r\n\r\nname,code\nRunBody Land,RB\n\r\n--${boundary}--\r\n`,
  );
  const res = await t.request("POST", "/api/imports", { rawBody: body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

describe("run options", () => {
  const cases: [string, unknown, string][] = [
    ["dryRun as a string", { dryRun: "yes" }, "dryRun"],
    ["a mapping that is a string", { mapping: "x" }, "mapping"],
    ["an unknown option", { evil: 1 }, "evil"],
    ["an unknown date order", { dateOrder: "xyz" }, "dateOrder"],
    ["onUnresolved of the wrong type", { onUnresolved: 5 }, "onUnresolved"],
    ["an array body", [], "body"],
  ];
  for (const [what, body, field] of cases) {
    it(`refuses ${what} with a 400 naming ${field}, and writes nothing`, async () => {
      const id = await upload();
      const res = await t.post(`/api/imports/${id}/run`, body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const job = await t.get(`/api/imports/${id}`);
      expect(job.body.status).toBe("pending");
      expect((await allRecords(t.ctx(), "region")).filter((r) => r.name === "RunBody Land")).toEqual([]);
    });
  }

  it("refuses a mapping to an unknown field and an unknown key at once, not as a failed job later", async () => {
    const id = await upload();
    const bad = await t.post(`/api/imports/${id}/run`, { mapping: { name: "bogus" } });
    expect(bad.status).toBe(400);
    expect((await t.get(`/api/imports/${id}`)).body.status).toBe("pending");
    const key = await t.post(`/api/imports/${id}/run`, { key: "bogus" });
    expect(key.status).toBe(400);
    expect(key.body.errors).toEqual([{ field: "key", reason: "unknown field" }]);
    // The upload is still there: a corrected run works.
    const ok = await t.post(`/api/imports/${id}/run`, { dryRun: false, mapping: { name: "name", code: "code" } });
    expect(ok.status).toBe(202);
    let status = "running";
    for (let i = 0; i < 200 && status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await t.get(`/api/imports/${id}`)).body.status;
    }
    expect(status).toBe("done");
    expect((await allRecords(t.ctx(), "region")).filter((r) => r.name === "RunBody Land").map((r) => r.code)).toEqual(["RB"]);
  });
});
