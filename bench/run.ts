/**
 * `npm run bench`: each figure of the product beside its floor (the same work in raw SQL on the same
 * machine), as a ratio, with the target from the issue. See docs/benchmarks.md.
 *
 *   npm run bench                      1,000,000 opportunities, every figure
 *   npm run bench -- --quick           100,000 rows, fewer requests (for trying)
 *   npm run bench -- --rows 250000 --only list,aggregate
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { benchAggregate, type AggregateFigures } from "./aggregate";
import { GENERATOR_VERSION } from "./generate";
import { benchImport, type ImportFigures } from "./import";
import { benchList, type ListFigures } from "./list";
import { benchListAsRep, type RepListFigures } from "./list-rep";
import { fmtInt, fmtMiB, fmtMs, log } from "./measure";
import { startProduct } from "./product";
import { dbFileOf, ensureOpportunities } from "./seed";

const FIGURES = ["list", "list-rep", "import", "aggregate"] as const;
type Figure = (typeof FIGURES)[number];

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: npm run bench -- [--rows N] [--quick] [--only list,list-rep,import,aggregate]\n" +
        "  --rows N   opportunities to generate (default 1000000; --quick: 100000)\n" +
        "  --quick    100,000 rows and fewer requests, for trying\n" +
        "  --only     a comma-separated subset of: list, list-rep, import, aggregate\n",
    );
    process.exit(0);
  }
  const rows = Number(values.rows ?? (values.quick ? 100_000 : 1_000_000));
  if (!Number.isInteger(rows) || rows < 10_000) throw new Error("--rows must be a whole number of at least 10000");
  const only = (values.only ?? FIGURES.join(",")).split(",").map((s) => s.trim()) as Figure[];
  const unknown = only.filter((f) => !FIGURES.includes(f));
  if (unknown.length) throw new Error(`--only: unknown figure(s) ${unknown.join(", ")}; choose from ${FIGURES.join(", ")}`);
  return { rows, quick: values.quick, only: new Set(only) };
}

type Line = [figure: string, product: string, floor: string, ratio: string, target: string, verdict: string];

/** Each figure is also logged as soon as it is measured, so a long run shows results as it goes. */
function logLines(lines: Line[]): Line[] {
  for (const l of lines) log(`  => ${l[0].trim()}: ${l[1]} vs ${l[2]} = ${l[3]} (target ${l[4]}) ${l[5]}`);
  return lines;
}

const ratioText = (r: number) => `${r.toFixed(2)}x`;
const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");

function listLines(f: ListFigures): Line[] {
  const name = `list, 2-clause filter + sort, 50-row keyset page, HTTP (${fmtInt(f.requests)} req)`;
  const p50 = f.product.p50 / f.floor.p50;
  const p99 = f.product.p99 / f.floor.p99;
  return [
    [`${name} p50`, `${fmtMs(f.product.p50)} ms`, `${fmtMs(f.floor.p50)} ms`, ratioText(p50), "<= 1.5x", verdict(p50 <= 1.5)],
    [`${name} p99`, `${fmtMs(f.product.p99)} ms`, `${fmtMs(f.floor.p99)} ms`, ratioText(p99), "<= 1.5x", verdict(p99 <= 1.5)],
    [`  same p50, against hand-written SQL (for reference)`, `${fmtMs(f.product.p50)} ms`, `${fmtMs(f.hand.p50)} ms`, ratioText(f.product.p50 / f.hand.p50), "-", ""],
  ];
}

function repListLines(f: RepListFigures): Line[] {
  const name = `list as a rep (team row policy, 3 masked fields) vs as admin (${fmtInt(f.requests)} req)`;
  const p50 = f.rep.p50 / f.admin.p50;
  const p99 = f.rep.p99 / f.admin.p99;
  return [
    [`${name} p50`, `${fmtMs(f.rep.p50)} ms`, `${fmtMs(f.admin.p50)} ms`, ratioText(p50), "<= 1.3x", verdict(p50 <= 1.3)],
    [`${name} p99`, `${fmtMs(f.rep.p99)} ms`, `${fmtMs(f.admin.p99)} ms`, ratioText(p99), "<= 1.3x", verdict(p99 <= 1.3)],
  ];
}

function importLines(f: ImportFigures): Line[] {
  const rate = (r: { rows: number; seconds: number }) => r.rows / r.seconds;
  const share = rate(f.product) / rate(f.floor);
  const growth = f.product.maxRssKb / f.productSmall.maxRssKb;
  return [
    [
      `import of a ${fmtInt(f.product.rows)}-row CSV (rows/s)`,
      `${fmtInt(rate(f.product))}/s`,
      `${fmtInt(rate(f.floor))}/s`,
      `${(share * 100).toFixed(0)}%`,
      ">= 40%",
      verdict(share >= 0.4),
    ],
    [
      `import peak RSS, ${fmtInt(f.productSmall.rows)} vs ${fmtInt(f.product.rows)} rows`,
      fmtMiB(f.productSmall.maxRssKb),
      fmtMiB(f.product.maxRssKb),
      ratioText(growth),
      "flat (<= 1.25x)",
      verdict(growth <= 1.25),
    ],
  ];
}

function aggregateLines(f: AggregateFigures): Line[] {
  const r = f.product.p50 / f.floor.p50;
  return [
    [`aggregate by stage and month, count + sum (${f.runs} runs, p50)`, `${fmtMs(f.product.p50)} ms`, `${fmtMs(f.floor.p50)} ms`, ratioText(r), "<= 1.5x", verdict(r <= 1.5)],
    [`  same, against hand-written SQL (for reference)`, `${fmtMs(f.product.p50)} ms`, `${fmtMs(f.hand.p50)} ms`, ratioText(f.product.p50 / f.hand.p50), "-", ""],
  ];
}

function printTable(lines: Line[]): void {
  const head: Line = ["figure", "product", "floor", "ratio", "target", ""];
  const widths = head.map((_, i) => Math.max(...[head, ...lines].map((l) => l[i]!.length)));
  const fmt = (l: Line) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  process.stdout.write(`${fmt(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${lines.map(fmt).join("\n")}\n`);
}

async function main(): Promise<void> {
  const opts = options();
  const cpus = os.cpus();
  log(`Revline bench: ${fmtInt(opts.rows)} opportunities on SQLite, generator ${GENERATOR_VERSION}, ${cpus.length} x ${cpus[0]?.model ?? "cpu"}, Node ${process.version}`);
  const lines: Line[] = [];
  const sql: string[] = [];
  if (opts.only.has("list") || opts.only.has("list-rep") || opts.only.has("aggregate")) {
    const { dir } = await ensureOpportunities(opts.rows);
    const file = dbFileOf(dir);
    const product = await startProduct(dir);
    // Both list figures walk the same pages with the same budget.
    const listOpts = { requests: opts.quick ? 500 : 2000, warmup: opts.quick ? 50 : 100, pages: 20, budgetSeconds: opts.quick ? 60 : 240 };
    try {
      if (opts.only.has("list")) {
        const f = await benchList(product, file, listOpts);
        lines.push(...logLines(listLines(f)));
        sql.push(`list SQL (page 2):\n${f.sql}`);
      }
      if (opts.only.has("list-rep")) {
        const f = await benchListAsRep(product, file, listOpts);
        lines.push(...logLines(repListLines(f)));
      }
      if (opts.only.has("aggregate")) {
        const f = await benchAggregate(product, file, { runs: opts.quick ? 5 : 10 });
        lines.push(...logLines(aggregateLines(f)));
        sql.push(`aggregate SQL:\n${f.sql}`);
      }
    } finally {
      await product.close();
    }
  }
  if (opts.only.has("import")) lines.push(...logLines(importLines(await benchImport(opts.rows))));
  process.stdout.write(`\nRevline bench, ${fmtInt(opts.rows)} opportunities, ${new Date().toISOString().slice(0, 10)}, ${cpus.length} cores\n\n`);
  printTable(lines);
  if (sql.length) process.stdout.write(`\n${sql.join("\n\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
