/**
 * `revline import` / `revline export` on the test database.
 *
 * A child process starts tsx and the whole server (about ten seconds on a busy two-core machine),
 * so there are few of them: on every dialect, one import killed with SIGKILL after two or more
 * committed batches (crash safety is required on PostgreSQL as much as on SQLite); on SQLite only,
 * one import with rejected rows (exit code 2, --json, --report) and one export to standard output
 * (exit code 0, the whole file written before the process ends). Opening a PostgreSQL database from
 * DATABASE_URL in a child is covered by the kill test's PostgreSQL run.
 * Everything else runs the same commander commands in this process, with an opener that hands them
 * the test Ctx: flag parsing, exit codes, output and files are those of the real program.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerExportCommand, registerImportCommand } from "./commands";
import { findJob } from "./import-job.repo";
import { runImport } from "./import.service";
import { testDialect } from "../../../test/db";
import { allRecords, openIoTestDb, type IoTestDb } from "../../../test/io";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");
const CLI = path.join(ROOT, "packages/server/src/cli/index.ts");

let t: IoTestDb;
beforeAll(async () => {
  t = await openIoTestDb();
});
afterAll(async () => {
  await t?.close();
});

type Child = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** The real program in a child process, on the test database. */
function spawnRevline(args: string[], onSpawn?: (kill: () => void) => void): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...t.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(() => child.kill("SIGKILL"));
  });
}

/** The same commands in this process; the exit code is what the action leaves in process.exitCode. */
async function revline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command("revline").exitOverride();
  const open = () => Promise.resolve({ ctx: t.ctx, close: () => Promise.resolve() });
  registerImportCommand(program, open);
  registerExportCommand(program, open);
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: "user" });
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = saved;
    out.mockRestore();
    err.mockRestore();
  }
}

const write = (name: string, content: string) => {
  const p = path.join(t.dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const csvLines = (text: string) => text.replace(/^\ufeff/, "").trim().split(/\r?\n/);
/** Exports start with the record id: check it is there (a UUID under an "id" header), then drop it. */
const withoutIds = (lines: string[]) =>
  lines.map((l, i) => {
    const m = (i === 0 ? /^id,/ : /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12},/).exec(l);
    expect(m, l).not.toBeNull();
    return l.slice(m![0].length);
  });

describe("revline import (in process)", () => {
  it("exits 0 with a JSON summary when every row goes in", async () => {
    const r = await revline(["import", "--object", "region", "--file", write("regions.csv", "name,code\nNorth,N\nSouth,S\n"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ object: "region", read: 2, inserted: 2, updated: 0, rejected: 0 });
  });

  it("exits 1 when the import cannot run, naming why", async () => {
    const nope = await revline(["import", "--object", "nope", "--file", write("x.csv", "a\n1\n"), "--json"]);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toMatch(/unknown object "nope"/);
    expect(JSON.parse(nope.stdout)).toEqual({ error: 'unknown object "nope"\n  - object: no such object', details: [{ field: "object", reason: "no such object" }] });
    const missing = await revline(["import", "--object", "region", "--file", path.join(t.dir, "missing.csv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/file not found/);
    const badMap = await revline(["import", "--object", "region", "--file", write("y.csv", "name\nZ\n"), "--map", write("bad-map.json", "{nope")]);
    expect(badMap.code).toBe(1);
    expect(badMap.stderr).toMatch(/not readable JSON/);
  });

  it("--resume with an unknown id exits 1 and imports nothing", async () => {
    const file = write("resume-typo.csv", "name,code\nTypo,TY\n");
    const r = await revline(["import", "--object", "region", "--file", file, "--resume", "0190aaaa-0000-7000-8000-000000000000"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("revline import: there is no import 0190aaaa-0000-7000-8000-000000000000 to resume\n  - resume: no such import\n");
    expect((await allRecords(t.ctx, "region")).some((x) => x.name === "Typo")).toBe(false);
  });

  it("--no-key inserts every row even when a column feeds the external key", async () => {
    const file = write("no-key.csv", "external_id,name,stage,close_date\nCNK-1,Cli no key,Won,2024-04-01\n");
    const first = await revline(["import", "--object", "opportunity", "--file", file, "--no-key", "--json"]);
    expect(JSON.parse(first.stdout)).toMatchObject({ key: null, inserted: 1, updated: 0, rejected: 0 });
    // Again: an insert, refused by the unique external_id, where the default key would update.
    const second = await revline(["import", "--object", "opportunity", "--file", file, "--no-key", "--json"]);
    expect(second.code).toBe(2);
    expect(JSON.parse(second.stdout)).toMatchObject({ key: null, inserted: 0, updated: 0, rejected: 1 });
    const third = await revline(["import", "--object", "opportunity", "--file", file, "--json"]);
    expect(JSON.parse(third.stdout)).toMatchObject({ key: "external_id", inserted: 0, updated: 1, rejected: 0 });
  });

  it("passes --map, --date-order, --on-unresolved and --dry-run through to the import", async () => {
    const file = write("flags.csv", "Ref,Title,Stage,Close date,Account\nF-1,Flag deal,Won,05/01/2024,Nobody Inc\n");
    const map = write("flags-map.json", JSON.stringify({ columns: { Ref: "external_id", Title: "name" }, dateOrder: "mdy" }));
    const args = ["import", "--object", "opportunity", "--file", file, "--map", map, "--on-unresolved", "empty", "--json"];
    // The flag wins over the mapping file's dateOrder: 05/01/2024 is 5 January.
    const dry = await revline([...args, "--date-order", "dmy", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, read: 1, inserted: 1, rejected: 0, warnings: 1, key: "external_id" });
    expect((await allRecords(t.ctx, "opportunity", ["external_id"])).some((o) => o.external_id === "F-1")).toBe(false);
    const real = await revline([...args, "--date-order", "dmy"]);
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, inserted: 1, warnings: 1 });
    expect((await allRecords(t.ctx, "opportunity")).find((o) => o.external_id === "F-1")).toMatchObject({ name: "Flag deal", close_date: "2024-01-05", account: null });
  });
});

describe("revline import killed with SIGKILL (child process)", () => {
  it("keeps whole batches only, and --resume completes it without duplicates", async () => {
    // Six batches of 1,000 rows (the default batch size); the child is killed after two or more.
    const rows = 6000;
    const lines = ["external_id,name,stage,amount,close_date"];
    for (let i = 1; i <= rows; i++) lines.push(`K-${i},Deal ${i},${i % 2 ? "Won" : "Lost"},${i}.25,2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
    const file = write("kill.csv", lines.join("\n") + "\n");

    let killedAt = 0;
    const first = await spawnRevline(["import", "--object", "opportunity", "--file", file], (kill) => {
      const poll = setInterval(() => {
        void t.db.kysely
          .selectFrom("import_job")
          .select(["last_committed_row"])
          .where("file_path", "=", file)
          .executeTakeFirst()
          .then((job) => {
            const committed = Number(job?.last_committed_row ?? 0);
            if (committed >= 2000 && !killedAt) {
              killedAt = committed;
              clearInterval(poll);
              kill();
            }
          });
      }, 20);
    });
    expect(first.signal, `the import ended before it could be killed: ${first.stdout}${first.stderr}`).toBe("SIGKILL");
    const job = await t.db.kysely.selectFrom("import_job").selectAll().where("file_path", "=", file).executeTakeFirstOrThrow();
    const committed = Number(job.last_committed_row);
    expect(committed).toBeGreaterThanOrEqual(2000);
    expect(committed).toBeLessThan(rows);
    expect(committed % 1000).toBe(0);
    const saved = (await findJob(t.db, String(job.id)))!;
    expect(saved).toMatchObject({ status: "running", read: committed, inserted: committed, rejected: 0 });
    const partial = (await allRecords(t.ctx, "opportunity", ["external_id"])).filter((r) => String(r.external_id).startsWith("K-"));
    // Exactly the committed batches: rows 1..committed, nothing from the batch that was cut off.
    expect(partial.length).toBe(committed);
    expect(new Set(partial.map((r) => r.external_id))).toEqual(new Set(Array.from({ length: committed }, (_, i) => `K-${i + 1}`)));

    const second = await revline(["import", "--object", "opportunity", "--file", file, "--resume", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ id: job.id, read: rows, inserted: rows, updated: 0, rejected: 0, resumedAfterRow: committed });
    const all = (await allRecords(t.ctx, "opportunity", ["external_id", "amount"])).filter((r) => String(r.external_id).startsWith("K-"));
    expect(all.length).toBe(rows);
    expect(new Set(all.map((r) => r.external_id)).size).toBe(rows);
    expect(all.find((r) => r.external_id === "K-6000")).toMatchObject({ amount: { amount: "6000.25", currency: "USD" } });
    expect(all.find((r) => r.external_id === `K-${committed + 1}`)).toMatchObject({ amount: { amount: `${committed + 1}.25`, currency: "USD" } });

    // A plain re-run of the finished file updates every row and adds none.
    const third = await runImport(t.ctx, { object: "opportunity", file });
    expect(third).toMatchObject({ read: rows, inserted: 0, updated: rows, rejected: 0 });
    expect((await allRecords(t.ctx, "opportunity", ["external_id"])).filter((r) => String(r.external_id).startsWith("K-")).length).toBe(rows);
  }, 240_000);
});

const EXPECTED_CSV = [
  "external_id,name,amount,amount_currency",
  "E-2,'+1 boss,7.50,USD",
  "E-1,\"'=HYPERLINK(\"\"http://x\"\")\",5.00,USD",
  "E-4,plain,1.00,USD",
  "E-3,'@SUM(A1),-3.00,USD",
];
const FILTER = JSON.stringify({ field: "external_id", op: "in", value: ["E-1", "E-2", "E-3", "E-4"] });

describe("revline export (in process)", () => {
  it("writes CSV and XLSX of a filtered, sorted list, with formula cells neutralised", async () => {
    const file = write("evil.csv", 'external_id,name,stage,amount\nE-1,"=HYPERLINK(""http://x"")",Won,5\nE-2,+1 boss,Won,7.5\nE-3,@SUM(A1),Lost,-3\nE-4,plain,Won,1\n');
    expect(await runImport(t.ctx, { object: "opportunity", file })).toMatchObject({ inserted: 4, rejected: 0 });
    const csvOut = path.join(t.dir, "out.csv");
    const r = await revline(["export", "--object", "opportunity", "--filter", FILTER, "--sort", "-amount", "--fields", "external_id,name,amount", "--out", csvOut]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`exported 4 opportunity records to ${csvOut}`);
    expect(withoutIds(csvLines(fs.readFileSync(csvOut, "utf8")))).toEqual(EXPECTED_CSV);
    const xlsxOut = path.join(t.dir, "out.xlsx");
    const x = await revline(["export", "--object", "opportunity", "--filter", FILTER, "--sort", "external_id", "--fields", "external_id,name,amount,stage", "--format", "xlsx", "--out", xlsxOut]);
    expect(x.code, x.stderr).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxOut);
    const ws = wb.worksheets[0]!;
    const values = ws.getSheetValues().slice(1).map((row) => (row as unknown[]).slice(1));
    expect(values.map((v) => typeof v[0] === "string" && (v[0] === "id" || /^[0-9a-f-]{36}$/.test(v[0])))).toEqual([true, true, true, true, true]);
    expect(values.map((v) => v.slice(1))).toEqual([
      ["external_id", "name", "amount", "amount_currency", "stage"],
      ["E-1", "'=HYPERLINK(\"http://x\")", 5, "USD", "Won"],
      ["E-2", "'+1 boss", 7.5, "USD", "Won"],
      ["E-3", "'@SUM(A1)", -3, "USD", "Lost"],
      ["E-4", "plain", 1, "USD", "Won"],
    ]);
    const bad = await revline(["export", "--object", "nope", "--out", path.join(t.dir, "nope.csv")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown object "nope"/);
    // The export imports back onto the same records.
    const back = await revline(["import", "--object", "opportunity", "--file", csvOut, "--json"]);
    expect(JSON.parse(back.stdout)).toMatchObject({ read: 4, inserted: 0, updated: 4, rejected: 0 });
    const names = (await allRecords(t.ctx, "opportunity", ["external_id", "name"])).filter((o) => String(o.external_id).startsWith("E-"));
    expect(names.map((o) => o.name).sort()).toEqual(["+1 boss", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "plain"]);
  });
});

// Runs after the export test above, whose records the export below reads.
describe.runIf(testDialect() === "sqlite")("revline as a child process", () => {
  it("import exits 2 with --json and --report; export to standard output exits 0", async () => {
    const file = write("products.csv", "name,list_price,is_active\nOK one,10,yes\nBad price,ten,no\nBad flag,5,maybe\n");
    const report = path.join(t.dir, "rejected.csv");
    const r = await spawnRevline(["import", "--object", "product", "--file", file, "--report", report, "--json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ read: 3, inserted: 1, rejected: 2 });
    const lines = csvLines(fs.readFileSync(report, "utf8"));
    expect(lines[0]).toBe("row,column,value,reason");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual(["2,list_price,ten", "3,is_active,maybe"]);

    const e = await spawnRevline(["export", "--object", "opportunity", "--filter", FILTER, "--sort", "-amount", "--fields", "external_id,name,amount", "--out", "-"]);
    expect(e.code, e.stderr).toBe(0);
    expect(withoutIds(csvLines(e.stdout))).toEqual(EXPECTED_CSV);
  }, 120_000);
});
