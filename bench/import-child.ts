/**
 * One import run in its own process, so that its peak RSS is its own:
 *   node --import tsx bench/import-child.ts product <data dir> <csv file>
 *   node --import tsx bench/import-child.ts floor <data dir> <rows>
 * Prints one JSON line: {rows, seconds, maxRssKb, summary?}.
 */
import { createWorld, generateOpportunities, OPPORTUNITY_COLUMNS, opportunityStorageRow } from "./generate";
import { now } from "./measure";
import { runProductImport } from "./product";
import { dbFileOf, openSqlite } from "./seed";

const BATCH = 1000;

/** Raw prepared inserts of the same rows, 1,000 per transaction; only the inserts are timed. */
function floorImport(dataDir: string, rows: number): { rows: number; seconds: number } {
  const db = openSqlite(dbFileOf(dataDir));
  const stmt = db.prepare(`insert into obj_opportunity (${OPPORTUNITY_COLUMNS.join(", ")}) values (${OPPORTUNITY_COLUMNS.map(() => "?").join(", ")})`);
  const insertBatch = db.transaction((items: unknown[][]) => {
    for (const item of items) stmt.run(item);
  });
  let ms = 0;
  const batch: unknown[][] = [];
  const flush = () => {
    const start = now();
    insertBatch(batch);
    ms += now() - start;
    batch.length = 0;
  };
  for (const o of generateOpportunities(createWorld(), rows)) {
    batch.push(opportunityStorageRow(o, "system"));
    if (batch.length === BATCH) flush();
  }
  if (batch.length) flush();
  db.close();
  return { rows, seconds: ms / 1000 };
}

async function main(): Promise<void> {
  const [mode, dataDir, arg] = process.argv.slice(2);
  if (!dataDir || !arg || (mode !== "product" && mode !== "floor")) throw new Error("usage: import-child.ts product|floor <data dir> <csv file|rows>");
  let result: Record<string, unknown>;
  if (mode === "floor") {
    result = floorImport(dataDir, Number(arg));
  } else {
    const start = now();
    const summary = await runProductImport(dataDir, arg);
    result = { rows: summary.read, seconds: (now() - start) / 1000, summary };
    // Rejected rows make `revline import` exit 2; the parent checks the summary itself.
    process.exitCode = 0;
  }
  process.stdout.write(`${JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
