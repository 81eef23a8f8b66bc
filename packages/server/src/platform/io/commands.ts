/**
 * `revline import` and `revline export`. The program (src/cli) creates the commander program and
 * calls registerImportCommand / registerExportCommand, passing how to open a Ctx.
 * Exit codes of import: 0 every row imported, 2 some rows rejected, 1 the import could not run.
 */
import fs from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import { Option, type Command } from "commander";
import { isAppError } from "@revline/core";
import { openContext as openDefaultContext, type OpenCliContext } from "./cli-context";
import { exportRecords, type ExportFormat } from "./export.service";
import { runImport, type ImportProgress, type ImportSummary } from "./import.service";
import { checkMappingFile } from "./mapping";
import { writeReportCsv } from "./report";

type ImportFlags = {
  object: string;
  file: string;
  map?: string;
  dryRun?: boolean;
  dateOrder?: "dmy" | "mdy" | "ymd";
  onUnresolved?: "reject" | "empty";
  /** false: --no-key. */
  key?: string | false;
  encoding?: string;
  report?: string;
  json?: boolean;
  resume?: boolean | string;
  batchSize?: string;
};

function describeError(e: unknown): string {
  if (isAppError(e)) {
    const details = e.details.map((d) => `  - ${d.row !== undefined ? `row ${d.row}, ` : ""}${d.field}: ${d.reason}`).join("\n");
    return details ? `${e.message}\n${details}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

function progressReporter(quiet: boolean) {
  if (quiet) return { update: (_p: ImportProgress) => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: "importing [{bar}] {percentage}% | {value}/{total} rows | {inserted} new, {updated} updated, {rejected} rejected", hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p: ImportProgress) => {
        const payload = { inserted: p.inserted, updated: p.updated, rejected: p.rejected };
        if (!started) {
          bar.start(p.total ?? p.read, p.read, payload);
          started = true;
        } else bar.update(p.read, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (p: ImportProgress) => {
      // Plain lines for logs and pipes: one every 10,000 rows and at the end.
      if (p.read - last >= 10_000 || p.read === p.total) {
        last = p.read;
        process.stderr.write(`imported ${p.read}/${p.total ?? "?"} rows: ${p.inserted} new, ${p.updated} updated, ${p.rejected} rejected\n`);
      }
    },
    stop: () => undefined,
  };
}

function printSummary(s: ImportSummary): void {
  const lines = [
    `${s.dryRun ? "Dry run of" : "Imported"} ${s.fileName} into ${s.object} (import ${s.id})`,
    `  read ${s.read} = inserted ${s.inserted} + updated ${s.updated} + rejected ${s.rejected}`,
  ];
  if (s.encoding || s.delimiter) lines.push(`  file: ${[s.encoding && `encoding ${s.encoding}`, s.delimiter && `delimiter ${JSON.stringify(s.delimiter)}`].filter(Boolean).join(", ")}`);
  if (s.warnings) lines.push(`  ${s.warnings} relation value(s) left empty (see the report)`);
  if (s.unmappedColumns.length) lines.push(`  columns not imported: ${s.unmappedColumns.join(", ")}`);
  if (!s.key) lines.push("  no key field: every row was inserted as a new record");
  if (s.resumedAfterRow) lines.push(`  resumed after row ${s.resumedAfterRow}`);
  process.stdout.write(lines.join("\n") + "\n");
}

function readMappingFile(file: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`the mapping file ${file} is not readable JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return checkMappingFile(raw);
}

export async function importCommand(flags: ImportFlags, open: OpenCliContext): Promise<number> {
  let opened: Awaited<ReturnType<OpenCliContext>> | undefined;
  const progress = progressReporter(flags.json === true && !process.stderr.isTTY);
  try {
    const mapping = flags.map ? readMappingFile(flags.map) : undefined;
    opened = await open();
    const summary = await runImport(opened.ctx, {
      object: flags.object,
      file: flags.file,
      mapping,
      key: flags.key === false ? null : flags.key,
      dateOrder: flags.dateOrder,
      onUnresolved: flags.onUnresolved,
      encoding: flags.encoding,
      dryRun: flags.dryRun,
      resume: flags.resume,
      batchSize: flags.batchSize ? Number(flags.batchSize) : undefined,
      onProgress: progress.update,
    });
    progress.stop();
    if (flags.report) await writeReportCsv(opened.ctx.db, summary.id, fs.createWriteStream(path.resolve(flags.report)));
    if (flags.json) process.stdout.write(JSON.stringify(summary) + "\n");
    else printSummary(summary);
    return summary.rejected > 0 ? 2 : 0;
  } catch (e) {
    progress.stop();
    if (flags.json) process.stdout.write(JSON.stringify({ error: describeError(e), details: isAppError(e) ? e.details : [] }) + "\n");
    process.stderr.write(`revline import: ${describeError(e)}\n`);
    return 1;
  } finally {
    await opened?.close();
  }
}

export function registerImportCommand(program: Command, open: OpenCliContext = () => openDefaultContext()): Command {
  return program
    .command("import")
    .description("Import a CSV or XLSX file into an object (rows upsert by the key field)")
    .requiredOption("--object <name>", "target object, e.g. opportunity")
    .requiredOption("--file <path>", "CSV (any of , ; tab |) or XLSX (first sheet)")
    .option("--map <file>", "mapping file (JSON): columns, set, key, dateOrder, onUnresolved")
    .option("--dry-run", "check every row and report, write nothing")
    .addOption(new Option("--date-order <order>", "how to read 05/01/2024").choices(["dmy", "mdy", "ymd"]))
    .addOption(new Option("--on-unresolved <mode>", "a relation value matching no record: reject the row, or leave it empty").choices(["reject", "empty"]))
    .option("--key <field>", "field identifying existing records (default: the object's external key)")
    .option("--no-key", "use no key: insert every row as a new record, even when a column feeds the external key")
    .option("--encoding <name>", "file encoding (default: detected), e.g. gbk, utf-16le")
    .option("--report <file>", "write rejected rows (row, column, value, reason) to this CSV file")
    .option("--json", "print the summary as JSON")
    .option("--resume [id]", "continue an interrupted import of the same file after its last committed batch")
    .addOption(new Option("--batch-size <n>", "rows per transaction").default("1000").hideHelp())
    .action(async (flags: ImportFlags) => {
      process.exitCode = await importCommand(flags, open);
    });
}

type ExportFlags = { object: string; filter?: string; sort?: string; fields?: string; format?: ExportFormat; out: string; header?: "name" | "label"; locale?: "en" | "zh-CN" };

export async function exportCommand(flags: ExportFlags, open: OpenCliContext): Promise<number> {
  let opened: Awaited<ReturnType<OpenCliContext>> | undefined;
  try {
    const format: ExportFormat = flags.format ?? (flags.out.toLowerCase().endsWith(".xlsx") ? "xlsx" : "csv");
    opened = await open();
    const out = flags.out === "-" ? process.stdout : fs.createWriteStream(path.resolve(flags.out));
    const { rows } = await exportRecords(opened.ctx, { object: flags.object, format, filter: flags.filter, sort: flags.sort, fields: flags.fields, header: flags.header, locale: flags.locale }, out);
    if (flags.out !== "-") process.stderr.write(`exported ${rows} ${flags.object} records to ${flags.out}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`revline export: ${describeError(e)}\n`);
    return 1;
  } finally {
    await opened?.close();
  }
}

export function registerExportCommand(program: Command, open: OpenCliContext = () => openDefaultContext()): Command {
  return program
    .command("export")
    .description("Export a filtered, sorted list of records as CSV or XLSX")
    .requiredOption("--object <name>", "object to export, e.g. opportunity")
    .option("--filter <json>", 'a condition, e.g. {"field":"stage","op":"eq","value":"Won"}')
    .option("--sort <fields>", "comma-separated, - for descending, e.g. -amount,name")
    .option("--fields <names>", "comma-separated field names (default: all)")
    .addOption(new Option("--format <format>", "file format (default: from --out)").choices(["csv", "xlsx"]))
    .addOption(new Option("--header <kind>", "column titles: field names or labels").choices(["name", "label"]).default("name"))
    .addOption(new Option("--locale <locale>", "language of labels").choices(["en", "zh-CN"]).default("en"))
    .requiredOption("--out <file>", "output file, or - for standard output")
    .action(async (flags: ExportFlags) => {
      process.exitCode = await exportCommand(flags, open);
    });
}
