/**
 * Import and export over real HTTP: upload (multipart), describe, dry run, run in the background,
 * progress, the rejected-row report, and the export download.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";
import { allRecords } from "../../../test/io";
import * as jobs from "./import-job.repo";
import { releaseUpload } from "./upload-store";

let t: TestApp;
let dataDir: string;
const savedDataDir = process.env.REVLINE_DATA_DIR;
beforeAll(async () => {
  // Uploads land under the data folder; keep them in a scratch one.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-io-http-"));
  process.env.REVLINE_DATA_DIR = dataDir;
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
  if (savedDataDir === undefined) delete process.env.REVLINE_DATA_DIR;
  else process.env.REVLINE_DATA_DIR = savedDataDir;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function multipart(fields: Record<string, string>, file: { name: string; content: string | Buffer }) {
  const boundary = "----revline-test-boundary";
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`));
  parts.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { rawBody: Buffer.concat(parts), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** The upload is removed just after the job says it finished. */
async function waitGone(dir: string) {
  for (let i = 0; i < 100 && fs.existsSync(dir); i++) await new Promise((r) => setTimeout(r, 20));
  return !fs.existsSync(dir);
}

async function waitDone(id: string) {
  for (let i = 0; i < 600; i++) {
    const res = await t.get(`/api/imports/${id}`);
    if (res.body.status === "done" || res.body.status === "failed") return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("import did not finish");
}

const rows = ["External ID,Name,Stage,Amount,Close date,Junk"];
for (let i = 1; i <= 25; i++) rows.push(`H-${i},Deal ${i},${i === 13 ? "Unknown" : "Won"},"$${i},000",2024/1/${i},x`);
const csv = rows.join("\r\n") + "\r\n";

describe("import over HTTP", () => {
  let id: string;

  it("describes an upload: encoding, delimiter, columns, sample, rows, suggested mapping", async () => {
    const res = await t.request("POST", "/api/imports", multipart({ object: "opportunity" }, { name: "deals.csv", content: csv }));
    expect(res.status, res.text).toBe(201);
    id = res.body.id;
    expect(res.body).toMatchObject({
      object: "opportunity",
      fileName: "deals.csv",
      encoding: "UTF-8",
      delimiter: ",",
      columns: ["External ID", "Name", "Stage", "Amount", "Close date", "Junk"],
      totalRows: 25,
      mapping: { "External ID": "external_id", Name: "name", Stage: "stage", Amount: "amount", "Close date": "close_date", Junk: null },
      unmappedColumns: ["Junk"],
    });
    expect(res.body.sample.length).toBe(20);
    expect(res.body.sample[0]).toEqual(["H-1", "Deal 1", "Won", "$1,000", "2024/1/1", "x"]);
    const status = await t.get(`/api/imports/${id}`);
    expect(status.body).toMatchObject({ status: "pending", progress: { read: 0, total: 25 } });
  });

  it("runs a dry run, then the import, in the background; the report lists the bad row", async () => {
    const dry = await t.post(`/api/imports/${id}/run`, { dryRun: true, onUnresolved: "reject" });
    expect(dry.status, dry.text).toBe(202);
    expect(await waitDone(id)).toMatchObject({ status: "done", dryRun: true, summary: { read: 25, inserted: 24, updated: 0, rejected: 1 } });
    expect((await allRecords(t.ctx(), "opportunity")).length).toBe(0);

    const mapping = { "External ID": "external_id", Name: "name", Stage: "stage", Amount: "amount", "Close date": "close_date", Junk: null };
    const run = await t.post(`/api/imports/${id}/run`, { mapping });
    expect(run.status, run.text).toBe(202);
    expect(run.body).toEqual({ id, status: "running" });
    expect(await waitDone(id)).toMatchObject({ status: "done", dryRun: false, progress: { read: 25, total: 25 }, summary: { read: 25, inserted: 24, updated: 0, rejected: 1 } });
    const deals = await allRecords(t.ctx(), "opportunity");
    expect(deals.length).toBe(24);
    expect(deals.find((d) => d.external_id === "H-25")).toMatchObject({ amount: { amount: "25000.00", currency: "USD" }, close_date: "2024-01-25" });

    const report = await t.get(`/api/imports/${id}/report?format=csv`);
    expect(report.status).toBe(200);
    expect(report.headers.get("content-disposition")).toMatch(/deals-rejected\.csv/);
    const lines = report.text.replace(/^\ufeff/, "").trim().split(/\r?\n/);
    expect(lines.length).toBe(2);
    expect(lines[1]).toBe('13,Stage,Unknown,"""Unknown"" is not an option (Prospecting, Engaging, Won, Lost)"');
    const again = await t.post(`/api/imports/${id}/run`, {});
    expect(again.status).toBe(409);
  });

  it("hides one user's import from another", async () => {
    const other = await t.createUser({ name: "Other", email: "other@example.com" });
    expect((await t.get(`/api/imports/${id}`, { token: other.token })).status).toBe(404);
  });

  it("removes the upload once the import is done for real, not after a dry run", async () => {
    const up = await t.request("POST", "/api/imports", multipart({ object: "region" }, { name: "regions.csv", content: "name,code\nUpland,UP\n" }));
    expect(up.status, up.text).toBe(201);
    const dir = path.join(t.dataDir, "imports", up.body.id);
    expect(fs.existsSync(dir)).toBe(true);
    await t.post(`/api/imports/${up.body.id}/run`, { dryRun: true });
    expect(await waitDone(up.body.id)).toMatchObject({ status: "done", dryRun: true });
    expect(fs.existsSync(dir)).toBe(true);
    await t.post(`/api/imports/${up.body.id}/run`, {});
    expect(await waitDone(up.body.id)).toMatchObject({ status: "done", dryRun: false, summary: { inserted: 1 } });
    expect(await waitGone(dir)).toBe(true);
  });

  it("removes the upload of an import that failed before committing anything", async () => {
    const up = await t.request("POST", "/api/imports", multipart({ object: "region" }, { name: "regions.csv", content: "name,code\nDownland,DN\n" }));
    const dir = path.join(t.dataDir, "imports", up.body.id);
    // A key that cannot work is refused before the run starts, and the upload stays for a corrected run.
    const refused = await t.post(`/api/imports/${up.body.id}/run`, { key: "nope" });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toBe('region has no field "nope" to use as the key');
    expect(fs.existsSync(dir)).toBe(true);
    // A run that then fails with nothing committed (as after a crash before the first batch) lets the upload go.
    const ctx = t.ctx();
    await jobs.updateJob(ctx.db, up.body.id, { status: "failed", error: "connection lost" }, ctx.clock());
    expect(await releaseUpload(ctx, path.join(t.dataDir, "imports"), up.body.id)).toBe(true);
    expect(await waitGone(dir)).toBe(true);
    const again = await t.post(`/api/imports/${up.body.id}/run`, {});
    expect(again.status).toBe(400);
    expect(again.body.detail).toBe("The uploaded file is gone; upload it again.");
  });

  it("gives duplicate headers distinct names that a run's mapping can use", async () => {
    const content = "External ID,Name,Phone,Phone\nDUP-1,Dup Http Co,010-1111,020-2222\n";
    const up = await t.request("POST", "/api/imports", multipart({ object: "account" }, { name: "dup.csv", content }));
    expect(up.status, up.text).toBe(201);
    expect(up.body).toMatchObject({
      columns: ["External ID", "Name", "Phone", "Phone (2)"],
      mapping: { "External ID": "external_id", Name: "name", Phone: "phone", "Phone (2)": null },
      unmappedColumns: ["Phone (2)"],
    });
    const run = await t.post(`/api/imports/${up.body.id}/run`, { mapping: { columns: { Phone: null, "Phone (2)": "phone" } } });
    expect(run.status, run.text).toBe(202);
    expect(await waitDone(up.body.id)).toMatchObject({ status: "done", summary: { read: 1, inserted: 1, rejected: 0 } });
    expect((await allRecords(t.ctx(), "account")).find((a) => a.external_id === "DUP-1")).toMatchObject({ phone: "020-2222" });
  });

  it("key: null inserts every row even when a column feeds the external key", async () => {
    const content = "External ID,Name,Stage,Close date\nNK-1,No key 1,Won,2024-03-01\nNK-2,No key 2,Won,2024-03-02\n";
    const upload = async () => (await t.request("POST", "/api/imports", multipart({ object: "opportunity" }, { name: "nokey.csv", content }))).body.id as string;
    const first = await upload();
    await t.post(`/api/imports/${first}/run`, { key: null });
    expect(await waitDone(first)).toMatchObject({ status: "done", summary: { read: 2, inserted: 2, updated: 0, rejected: 0 } });
    // The same rows again: inserted again (and refused by the unique external_id), never updated.
    const second = await upload();
    await t.post(`/api/imports/${second}/run`, { key: null });
    expect(await waitDone(second)).toMatchObject({ status: "done", summary: { read: 2, inserted: 0, updated: 0, rejected: 2 } });
    // Without key: null the external key is the default and the rows update.
    const third = await upload();
    await t.post(`/api/imports/${third}/run`, {});
    expect(await waitDone(third)).toMatchObject({ status: "done", summary: { read: 2, inserted: 0, updated: 2, rejected: 0 } });
    const bad = await t.post(`/api/imports/${await upload()}/run`, { key: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: "key", reason: "must be a field name or null" }]);
  });

  it("refuses an import into an object the actor's roles do not allow importing, keeping nothing", async () => {
    // sales_rep may create and update opportunities but holds no "import" right; an intern may only read.
    for (const [i, roles] of [["sales_rep"], ["intern"]].entries()) {
      const user = await t.createUser({ name: `No import ${i}`, email: `noimport${i}@example.com`, roles });
      const before = fs.existsSync(path.join(t.dataDir, "imports")) ? fs.readdirSync(path.join(t.dataDir, "imports")).length : 0;
      const up = await t.request("POST", "/api/imports", { ...multipart({ object: "opportunity" }, { name: "deals.csv", content: "name,stage\nX,Won\n" }), token: user.token });
      expect(up.status, up.text).toBe(403);
      expect(up.contentType).toMatch(/problem\+json/);
      expect(up.body.detail).toBe("You may not import opportunities.");
      const after = fs.existsSync(path.join(t.dataDir, "imports")) ? fs.readdirSync(path.join(t.dataDir, "imports")).length : 0;
      expect(after).toBe(before);
    }
  });

  it("refuses an upload without a file or with an unknown object", async () => {
    const noObject = await t.request("POST", "/api/imports", multipart({ object: "nope" }, { name: "a.csv", content: "a\n1\n" }));
    expect(noObject.status).toBe(400);
    expect(noObject.contentType).toMatch(/problem\+json/);
  });
});

describe("export over HTTP", () => {
  it("downloads CSV and XLSX of a filtered, sorted list", async () => {
    const filter = encodeURIComponent(JSON.stringify({ field: "amount", op: "gte", value: 23000 }));
    const res = await t.get(`/api/objects/opportunity/export?format=csv&filter=${filter}&sort=-amount&fields=external_id,amount`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/opportunity\.csv/);
    // The record id always comes first (so the file imports back onto the same records): drop it here.
    const lines = res.text.replace(/^\ufeff/, "").trim().split(/\r?\n/);
    expect(lines.map((l) => /^(id|[0-9a-f-]{36}),/.test(l))).toEqual([true, true, true, true]);
    expect(lines.map((l) => l.replace(/^[^,]*,/, ""))).toEqual([
      "external_id,amount,amount_currency",
      "H-25,25000.00,USD",
      "H-24,24000.00,USD",
      "H-23,23000.00,USD",
    ]);
    const x = await fetch(`${t.url}/api/objects/opportunity/export?format=xlsx&filter=${filter}&sort=external_id&fields=external_id,close_date`, {
      headers: { authorization: `Bearer ${t.admin.token}` },
    });
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    const values = wb.worksheets[0]!.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(2));
    expect(values).toEqual([
      ["external_id", "close_date"],
      ["H-23", new Date(Date.UTC(2024, 0, 23))],
      ["H-24", new Date(Date.UTC(2024, 0, 24))],
      ["H-25", new Date(Date.UTC(2024, 0, 25))],
    ]);
  });

  it("answers 400 for a bad filter, before any download starts", async () => {
    const res = await t.get(`/api/objects/opportunity/export?format=csv&filter=${encodeURIComponent("{nope")}`);
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/problem\+json/);
  });
});

describe("upload limits and the sweep of old uploads", () => {
  let u: TestApp;
  let offset = 0;
  const savedMax = process.env.REVLINE_MAX_UPLOAD_BYTES;
  beforeAll(async () => {
    process.env.REVLINE_MAX_UPLOAD_BYTES = "2000";
    u = await createTestApp({ clock: () => new Date(Date.now() + offset) });
  });
  afterAll(async () => {
    await u?.close();
    if (savedMax === undefined) delete process.env.REVLINE_MAX_UPLOAD_BYTES;
    else process.env.REVLINE_MAX_UPLOAD_BYTES = savedMax;
  });
  const uploads = () => path.join(u.dataDir, "imports");
  const upload = async (name: string) => {
    const res = await u.request("POST", "/api/imports", multipart({ object: "region" }, { name: `${name}.csv`, content: `name,code\n${name},${name.slice(0, 2)}\n` }));
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const listed = () => (fs.existsSync(uploads()) ? fs.readdirSync(uploads()).sort() : []);

  it("answers 413 problem+json for a file over the limit, and keeps nothing of it", async () => {
    const before = listed();
    const res = await u.request("POST", "/api/imports", multipart({ object: "region" }, { name: "big.csv", content: "name\n" + "x".repeat(3000) + "\n" }));
    expect(res.status, res.text).toBe(413);
    expect(res.contentType).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, errors: [{ field: "file", reason: "too large" }] });
    expect(listed()).toEqual(before);
  });

  it("answers 415 problem+json when the upload is not multipart", async () => {
    const res = await u.request("POST", "/api/imports", { body: { object: "region" } });
    expect(res.status, res.text).toBe(415);
    expect(res.contentType).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 415 });
  });

  it("keeps a failed import's upload when batches were committed; sweeps idle uploads after 24 hours", async () => {
    const pending = await upload("Pending");
    const dry = await upload("Dry");
    await u.post(`/api/imports/${dry}/run`, { dryRun: true });
    for (let i = 0; i < 200 && (await u.get(`/api/imports/${dry}`)).body.status !== "done"; i++) await new Promise((r) => setTimeout(r, 20));
    const failed = await upload("Failed");
    const ctx = u.ctx();
    await jobs.saveProgress(ctx.db, failed, { read: 1000, inserted: 1000, updated: 0, rejected: 0, lastCommittedRow: 1000 }, ctx.clock());
    await jobs.updateJob(ctx.db, failed, { status: "failed", error: "connection lost" }, ctx.clock());
    expect(await releaseUpload(ctx, uploads(), failed)).toBe(false);
    const running = await upload("Running");
    await jobs.updateJob(ctx.db, running, { status: "running" }, ctx.clock());
    expect(listed()).toEqual([pending, dry, failed, running].sort());

    // Nothing is a day old yet: a new upload sweeps nothing.
    const fresh = await upload("Fresh");
    expect(listed()).toEqual([pending, dry, failed, running, fresh].sort());
    offset = 25 * 60 * 60 * 1000;
    const later = await upload("Later");
    expect(listed()).toEqual([running, later].sort());
  });
});
