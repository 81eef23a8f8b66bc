/**
 * `revline audit verify | head | export | archive`. The program (src/cli) calls registerAuditCommand,
 * passing how to open a Ctx (the system actor on the server's database).
 * Exit codes: 0 done (verify: chain intact), 1 broken chain or the command could not run.
 */
import fs from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import { Option, type Command } from "commander";
import { isAppError } from "@revline/core";
import type { Ctx } from "../context";
import type { OpenCliContext } from "../io";
import { archiveAudit, retentionDaysFromEnv } from "./archive";
import { recordAuditExport, writeAuditExport, type AuditExportFormat } from "./export";
import { parseAuditQuery } from "./search";
import { chainHead, describeResult, verifyChain, type Anchor } from "./verify";

const CLI_CLIENT = { userAgent: "revline-cli" };

function describeError(e: unknown): string {
  if (isAppError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

async function withContext(name: string, open: OpenCliContext, fn: (ctx: Ctx) => Promise<number>): Promise<number> {
  let opened: Awaited<ReturnType<OpenCliContext>> | undefined;
  try {
    opened = await open();
    return await fn({ ...opened.ctx, client: CLI_CLIENT });
  } catch (e) {
    process.stderr.write(`revline audit ${name}: ${describeError(e)}\n`);
    return 1;
  } finally {
    await opened?.close();
  }
}

function progressBar() {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: "verifying [{bar}] {percentage}% | {value}/{total} entries", hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update: (p: { checked: number; total: number }) => {
      if (!started) {
        bar.start(Math.max(p.total, 1), p.checked);
        started = true;
      } else {
        bar.setTotal(Math.max(p.total, p.checked, 1));
        bar.update(p.checked);
      }
    },
    stop: () => started && bar.stop(),
  };
}

function parseAnchor(raw: string): Anchor {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(raw.trim());
  if (!m) throw new Error(`--anchor must be <seq>:<hash> as \`revline audit head\` prints it, not "${raw}"`);
  return { seq: Number(m[1]), hash: m[2]! };
}

type VerifyFlags = { anchor?: string; json?: boolean; batchSize?: string };

export async function auditVerifyCommand(flags: VerifyFlags, open: OpenCliContext): Promise<number> {
  return withContext("verify", open, async (ctx) => {
    const anchor = flags.anchor ? parseAnchor(flags.anchor) : undefined;
    const bar = progressBar();
    const r = await verifyChain(ctx.db, { ...(anchor ? { anchor } : {}), ...(flags.batchSize ? { batchSize: Number(flags.batchSize) } : {}), onProgress: bar.update });
    bar.stop();
    process.stdout.write((flags.json ? JSON.stringify(r) : describeResult(r)) + "\n");
    return r.intact ? 0 : 1;
  });
}

export async function auditHeadCommand(flags: { json?: boolean }, open: OpenCliContext): Promise<number> {
  return withContext("head", open, async (ctx) => {
    const head = await chainHead(ctx.db);
    if (flags.json) process.stdout.write(JSON.stringify({ head }) + "\n");
    else if (!head) process.stdout.write("The audit log is empty.\n");
    else process.stdout.write(`${head.seq}:${head.hash} (at ${head.at}, entry ${head.id})\n`);
    return 0;
  });
}

type ExportFlags = { from?: string; to?: string; actor?: string; object?: string; record?: string; action?: string; format?: AuditExportFormat; out: string };

export async function auditExportCommand(flags: ExportFlags, open: OpenCliContext): Promise<number> {
  return withContext("export", open, async (ctx) => {
    const format: AuditExportFormat = flags.format ?? (flags.out.toLowerCase().endsWith(".xlsx") ? "xlsx" : "csv");
    const query = Object.fromEntries(
      Object.entries({ from: flags.from, to: flags.to, actor: flags.actor, object: flags.object, recordId: flags.record, action: flags.action }).filter(([, v]) => v !== undefined),
    );
    const { search } = parseAuditQuery(query, { paged: false });
    const { limit: _limit, cursor: _cursor, ...filter } = search;
    const through = await recordAuditExport(ctx, filter, format);
    const out = flags.out === "-" ? process.stdout : fs.createWriteStream(path.resolve(flags.out));
    const { rows } = await writeAuditExport(ctx, filter, format, through, out);
    if (flags.out !== "-") process.stderr.write(`exported ${rows} audit entries (through seq ${through}) to ${flags.out}\n`);
    return 0;
  });
}

export async function auditArchiveCommand(flags: { olderThanDays?: string }, open: OpenCliContext): Promise<number> {
  return withContext("archive", open, async (ctx) => {
    const days = flags.olderThanDays !== undefined ? Number(flags.olderThanDays) : retentionDaysFromEnv();
    if (days === null) {
      process.stdout.write("No retention is set (REVLINE_AUDIT_RETENTION_DAYS or --older-than-days): every entry stays in the log.\n");
      return 0;
    }
    if (!Number.isSafeInteger(days) || days < 1) throw new Error(`--older-than-days must be a whole number of days (1 or more), not "${flags.olderThanDays}"`);
    const r = await archiveAudit(ctx, { olderThanDays: days, onSegment: (s) => process.stderr.write(`archived seq ${s.seqFrom} to ${s.seqTo} (${s.entries} entries)\n`) });
    process.stdout.write(
      r.entries
        ? `Archived ${r.entries} entries older than ${r.cutoff} in ${r.segments} segments, through seq ${r.throughSeq}. \`revline audit verify\` checks them with the log.\n`
        : `Nothing to archive: no entries older than ${r.cutoff} (the newest entry always stays in the log).\n`,
    );
    return 0;
  });
}

export function registerAuditCommand(program: Command, open: OpenCliContext): Command {
  const audit = program.command("audit").description("Verify, export and archive the tamper-evident audit log");
  audit
    .command("verify")
    .description("Walk the whole hash chain (archive included) and name the first broken link; exit 1 when broken")
    .option("--anchor <seq:hash>", "a head printed earlier by `revline audit head` and kept elsewhere: detects a cut-off tail")
    .option("--json", "print the result as JSON")
    .addOption(new Option("--batch-size <n>", "entries per query").default("5000").hideHelp())
    .action(async (flags: VerifyFlags) => {
      process.exitCode = await auditVerifyCommand(flags, open);
    });
  audit
    .command("head")
    .description("Print the newest entry as <seq>:<hash>: keep it outside the database to detect truncation later")
    .option("--json", "print as JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await auditHeadCommand(flags, open);
    });
  audit
    .command("export")
    .description("Export entries (oldest first) as CSV or XLSX for auditors; the export is itself audited")
    .option("--from <date>", "entries at or after this date or date-time (2024-05-01, 2024-05-01T08:00:00Z)")
    .option("--to <date>", "entries before this date or date-time")
    .option("--actor <id>", 'actor id (a user id, or "system")')
    .option("--object <name>", "object name")
    .option("--record <id>", "record id")
    .option("--action <name>", 'action, or a family such as "auth.*"')
    .addOption(new Option("--format <format>", "file format (default: from --out)").choices(["csv", "xlsx"]))
    .requiredOption("--out <file>", "output file, or - for standard output")
    .action(async (flags: ExportFlags) => {
      process.exitCode = await auditExportCommand(flags, open);
    });
  audit
    .command("archive")
    .description("Move entries older than the retention period into the compressed archive (never dropped)")
    .option("--older-than-days <n>", "retention in days (default: REVLINE_AUDIT_RETENTION_DAYS)")
    .action(async (flags: { olderThanDays?: string }) => {
      process.exitCode = await auditArchiveCommand(flags, open);
    });
  return audit;
}
