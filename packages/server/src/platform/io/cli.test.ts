/**
 * `revline import` / `revline export` as real child processes on the test database: exit codes,
 * the JSON summary, the report file, and an import killed with SIGKILL halfway then resumed.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findJob } from "./import-job.repo";
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

function revline(args: string[], onSpawn?: (kill: () => void) => void): Promise<Child> {
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

const write = (name: string, content: string) => {
  const p = path.join(t.dir, name);
  fs.writeFileSync(p, content);
  return p;
};

// Each child process starts tsx and the whole server: seconds each, more on a busy machine.
const SLOW = 240_000;

describe("revline import (child process)", { timeout: SLOW }, () => {
  it("exits 0 with a JSON summary when every row goes in", async () => {
    const file = write("regions.csv", "name,code\nNorth,N\nSouth,S\n");
    const r = await revline(["import", "--object", "region", "--file", file, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ object: "region", read: 2, inserted: 2, updated: 0, rejected: 0 });
  });

  it("exits 2 when rows are rejected and writes the report", async () => {
    const file = write("products.csv", "name,list_price,is_active\nOK one,10,yes\nBad price,ten,no\nBad flag,5,maybe\n");
    const report = path.join(t.dir, "rejected.csv");
    const r = await revline(["import", "--object", "product", "--file", file, "--report", report, "--json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ read: 3, inserted: 1, rejected: 2 });
    const lines = fs.readFileSync(report, "utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/);
    expect(lines[0]).toBe("row,column,value,reason");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual(["2,list_price,ten", "3,is_active,maybe"]);
  });

  it("exits 1 when the import cannot run", async () => {
    const r = await revline(["import", "--object", "nope", "--file", write("x.csv", "a\n1\n")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown object "nope"/);
    const missing = await revline(["import", "--object", "region", "--file", path.join(t.dir, "missing.csv")]);
    expect(missing.code).toBe(1);
  });

  it("killed with SIGKILL halfway keeps whole batches only, and --resume completes it", async () => {
    const rows = 20_000;
    const lines = ["external_id,name,stage,amount,close_date"];
    for (let i = 1; i <= rows; i++) lines.push(`K-${i},Deal ${i},${i % 2 ? "Won" : "Lost"},${i}.25,2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
    const file = write("kill.csv", lines.join("\n") + "\n");

    let killedAt = 0;
    const first = await revline(["import", "--object", "opportunity", "--file", file], (kill) => {
      const poll = setInterval(() => {
        void t.db.kysely
          .selectFrom("import_job")
          .select(["last_committed_row"])
          .where("file_path", "=", file)
          .executeTakeFirst()
          .then((job) => {
            const committed = Number(job?.last_committed_row ?? 0);
            if (committed >= 3000 && !killedAt) {
              killedAt = committed;
              clearInterval(poll);
              kill();
            }
          });
      }, 20);
    });
    expect(first.signal, first.stderr).toBe("SIGKILL");
    const job = await t.db.kysely.selectFrom("import_job").selectAll().where("file_path", "=", file).executeTakeFirstOrThrow();
    const committed = Number(job.last_committed_row);
    expect(committed).toBeGreaterThanOrEqual(3000);
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
    expect(all.find((r) => r.external_id === "K-20000")).toMatchObject({ amount: { amount: "20000.25", currency: "USD" } });

    // A plain re-run of the finished file updates every row and adds none.
    const third = await revline(["import", "--object", "opportunity", "--file", file, "--json"]);
    expect(JSON.parse(third.stdout)).toMatchObject({ read: rows, inserted: 0, updated: rows });
    expect((await allRecords(t.ctx, "opportunity", ["external_id"])).filter((r) => String(r.external_id).startsWith("K-")).length).toBe(rows);
  }, 2 * SLOW);
});

describe("revline export (child process)", { timeout: SLOW }, () => {
  it("writes CSV and XLSX of a filtered, sorted list, with formula cells neutralised", async () => {
    const file = write("evil.csv", 'external_id,name,stage,amount\nE-1,"=HYPERLINK(""http://x"")",Won,5\nE-2,+1 boss,Won,7.5\nE-3,@SUM(A1),Lost,-3\nE-4,plain,Won,1\n');
    expect((await revline(["import", "--object", "opportunity", "--file", file])).code).toBe(0);
    const filter = JSON.stringify({ field: "external_id", op: "in", value: ["E-1", "E-2", "E-3", "E-4"] });
    const csvOut = path.join(t.dir, "out.csv");
    const r = await revline(["export", "--object", "opportunity", "--filter", filter, "--sort", "-amount", "--fields", "external_id,name,amount", "--out", csvOut]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(csvOut, "utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/)).toEqual([
      "external_id,name,amount,amount_currency",
      "E-2,'+1 boss,7.50,USD",
      "E-1,\"'=HYPERLINK(\"\"http://x\"\")\",5.00,USD",
      "E-4,plain,1.00,USD",
      "E-3,'@SUM(A1),-3.00,USD",
    ]);
    const xlsxOut = path.join(t.dir, "out.xlsx");
    const x = await revline(["export", "--object", "opportunity", "--filter", filter, "--sort", "external_id", "--fields", "external_id,name,amount,stage", "--format", "xlsx", "--out", xlsxOut]);
    expect(x.code, x.stderr).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxOut);
    const ws = wb.worksheets[0]!;
    const values = ws.getSheetValues().slice(1).map((row) => (row as unknown[]).slice(1));
    expect(values).toEqual([
      ["external_id", "name", "amount", "amount_currency", "stage"],
      ["E-1", "'=HYPERLINK(\"http://x\")", 5, "USD", "Won"],
      ["E-2", "'+1 boss", 7.5, "USD", "Won"],
      ["E-3", "'@SUM(A1)", -3, "USD", "Lost"],
      ["E-4", "plain", 1, "USD", "Won"],
    ]);
    // The export imports back onto the same records.
    const back = await revline(["import", "--object", "opportunity", "--file", csvOut, "--json"]);
    expect(JSON.parse(back.stdout)).toMatchObject({ read: 4, inserted: 0, updated: 4, rejected: 0 });
    const names = (await allRecords(t.ctx, "opportunity", ["external_id", "name"])).filter((o) => String(o.external_id).startsWith("E-"));
    expect(names.map((o) => o.name).sort()).toEqual(["+1 boss", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "plain"]);
  });
});
