/**
 * Import figure: rows per second of the product's import engine reading a real CSV file, against raw
 * prepared inserts of the same rows into the same table (same indexes), and the import's peak memory
 * at two file sizes (a tenth and the whole) to show that it stays flat. Each run is its own process
 * on a fresh copy of the template database.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createWorld, csvLine, CSV_COLUMNS, generateOpportunities } from "./generate";
import { log, progress } from "./measure";
import { CACHE_DIR, copyDataDir, dbFileOf, ensureTemplate, openSqlite } from "./seed";

export type ImportRun = { rows: number; seconds: number; maxRssKb: number; summary?: { read: number; inserted: number; updated: number; rejected: number } };
export type ImportFigures = { product: ImportRun; productSmall: ImportRun; floor: ImportRun };

/** The CSV a user would export from a spreadsheet: relations by name, amounts in dollars. */
async function ensureCsv(rows: number): Promise<string> {
  const file = path.join(CACHE_DIR, `opportunities-${rows}.csv`);
  if (fs.existsSync(file)) return file;
  const building = `${file}.building-${process.pid}`;
  const out = fs.createWriteStream(building);
  const bar = progress(`writing ${rows.toLocaleString("en-US")}-row CSV`, rows);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  await write(`${CSV_COLUMNS.join(",")}\n`);
  let i = 0;
  let chunk = "";
  for (const o of generateOpportunities(createWorld(), rows)) {
    chunk += `${csvLine(o)}\n`;
    if (++i % 10_000 === 0) {
      await write(chunk);
      chunk = "";
      bar.update(i);
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  bar.update(rows);
  bar.done();
  fs.renameSync(building, file);
  return file;
}

/** Progress of a running import as the product records it (import_job, committed with each batch). */
function watchImportJob(dataDir: string, rows: number): () => void {
  const bar = progress("importing", rows);
  const timer = setInterval(() => {
    try {
      const db = openSqlite(dbFileOf(dataDir), true);
      try {
        const job = db.prepare(`select "read" as n from import_job order by created_at desc limit 1`).get() as { n: number } | undefined;
        if (job) bar.update(Number(job.n));
      } finally {
        db.close();
      }
    } catch {
      // The job table may not exist yet or be busy for a moment; the next tick reads it.
    }
  }, 5000);
  return () => {
    clearInterval(timer);
    bar.done();
  };
}

const describeRun = (r: ImportRun) =>
  `${r.rows.toLocaleString("en-US")} rows in ${r.seconds.toFixed(1)} s = ${Math.round(r.rows / r.seconds).toLocaleString("en-US")} rows/s, peak RSS ${Math.round(r.maxRssKb / 1024)} MiB`;

function runChild(args: string[]): Promise<ImportRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "import-child.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`import run (${args[0]}) failed with exit code ${code}`));
      const run = JSON.parse(line) as ImportRun;
      log(`    ${args[0]}: ${describeRun(run)}`);
      resolve(run);
    });
  });
}

/** A data folder with a fresh copy of the template database, private to this process (runs may overlap). */
async function freshDataDir(name: string): Promise<string> {
  const dir = path.join(CACHE_DIR, `${name}-${process.pid}`);
  copyDataDir(await ensureTemplate(createWorld()), dir);
  return dir;
}

const dropDataDir = (dir: string) => fs.rmSync(dir, { recursive: true, force: true });

async function productRun(rows: number): Promise<ImportRun> {
  const csv = await ensureCsv(rows);
  const dir = await freshDataDir("import-product");
  try {
    log(`  import: revline import of a ${rows.toLocaleString("en-US")}-row CSV ...`);
    const stopWatching = watchImportJob(dir, rows);
    const run = await runChild(["product", dir, csv]).finally(stopWatching);
    const s = run.summary;
    if (s && (s.read !== rows || s.inserted !== rows || s.rejected !== 0))
      throw new Error(`The product's import of ${rows} rows reported ${JSON.stringify(s)}: every row should be inserted.`);
    return run;
  } finally {
    dropDataDir(dir);
  }
}

async function floorRun(rows: number): Promise<ImportRun> {
  const dir = await freshDataDir("import-floor");
  try {
    log(`  import: floor, raw prepared inserts of ${rows.toLocaleString("en-US")} rows ...`);
    return await runChild(["floor", dir, String(rows)]);
  } finally {
    dropDataDir(dir);
  }
}

/**
 * An import cannot be interleaved with its floor, so the floor runs before and after the product's
 * runs and the faster of the two counts: load that comes and goes elsewhere on the machine can then
 * only make the product's share look worse, never better.
 */
export async function benchImport(rows: number): Promise<ImportFigures> {
  const before = await floorRun(rows);
  const productSmall = await productRun(Math.max(1000, Math.round(rows / 10)));
  const product = await productRun(rows);
  const after = await floorRun(rows);
  const floor = before.rows / before.seconds >= after.rows / after.seconds ? before : after;
  return { product, productSmall, floor };
}
