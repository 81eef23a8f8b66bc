/**
 * The `revline` command line: start, migrate, import, export. Import and export come from the
 * import/export part (platform/io); each command has --help. Exit codes: 0 done, 1 could not run
 * (import: 2 when some rows were rejected).
 */
import path from "node:path";
import { Command, Option } from "commander";
import { REVLINE_VERSION, prepareDatabase } from "../app";
import { configFromEnv, main, type RevlineConfig } from "../main";
import { systemActor, type Ctx } from "../platform/context";
import { closeDb, openDb } from "../platform/db";
import { registerExportCommand, registerImportCommand, type CliContext } from "../platform/io";
import { registerAuditCommand } from "../platform/audit";
import { metadataLookup } from "../platform/metadata";

type StartOptions = { port?: string; host?: string; dataDir?: string; demo?: boolean };

function configWith(opts: StartOptions): RevlineConfig {
  const env = { ...process.env };
  if (opts.port !== undefined) env.PORT = opts.port;
  if (opts.host !== undefined) env.HOST = opts.host;
  if (opts.dataDir !== undefined) env.REVLINE_DATA_DIR = opts.dataDir;
  if (opts.demo === false) env.REVLINE_DEMO = "0";
  return configFromEnv(env);
}

const ENV_HELP = `
Environment:
  PORT                    HTTP port (default 3000)
  HOST                    interface to listen on (default 127.0.0.1)
  REVLINE_DATA_DIR        folder of the embedded SQLite database (default ./data)
  DATABASE_URL            postgres://user:pass@host:5432/db to run on PostgreSQL instead
  REVLINE_ADMIN_EMAIL     first administrator's email (default admin@revline.local)
  REVLINE_ADMIN_PASSWORD  first administrator's password (default: generated and printed once)
  REVLINE_DEMO=0          do not load the demo data on first start
  REVLINE_TRUST_PROXY=1   behind a reverse proxy (X-Forwarded-For/-Proto; Secure cookies on https)
  REVLINE_LOG_LEVEL       info, warn (default), error or silent`;

function addStartCommand(program: Command): void {
  program
    .command("start")
    .description("migrate the database, create the first administrator and serve the web UI and API")
    .option("-p, --port <port>", "HTTP port (env PORT, default 3000)")
    .option("-H, --host <host>", "interface to listen on (env HOST, default 127.0.0.1)")
    .option("-d, --data-dir <dir>", "SQLite data folder (env REVLINE_DATA_DIR, default ./data)")
    .option("--no-demo", "do not load the demo data on first start")
    .addHelpText("after", ENV_HELP)
    .action(async (opts: StartOptions) => {
      await main(configWith(opts));
    });
}

function addMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("apply pending database migrations and sync the standard objects, then exit")
    .option("-d, --data-dir <dir>", "SQLite data folder (env REVLINE_DATA_DIR, default ./data)")
    .addHelpText("after", "\nUses DATABASE_URL for PostgreSQL when it is set.")
    .action(async (opts: { dataDir?: string }) => {
      const config = configWith({ dataDir: opts.dataDir });
      const db = openDb({ url: config.databaseUrl, dataDir: config.dataDir });
      try {
        const { migrated } = await prepareDatabase(db);
        console.log(migrated.length ? `Applied migrations: ${migrated.join(", ")}` : "The database is up to date.");
        console.log("Standard objects are in sync.");
      } finally {
        await closeDb(db);
      }
    });
}

/** The database of `revline start` (same environment), migrated and synced, as the system actor. */
async function openCommandContext(): Promise<CliContext> {
  const config = configFromEnv();
  // Said on stderr so that --json and `--out -` keep stdout clean: a command run without the server's
  // REVLINE_DATA_DIR would otherwise work on another database without a word.
  const where = config.databaseUrl ? `PostgreSQL at ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}` : `SQLite in ${path.resolve(config.dataDir)}`;
  process.stderr.write(`Database: ${where} (set REVLINE_DATA_DIR or DATABASE_URL to choose)\n`);
  const db = openDb({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await prepareDatabase(db);
  } catch (e) {
    await closeDb(db);
    throw e;
  }
  const log = {
    info: () => undefined,
    warn: (obj: unknown, msg?: string) => console.warn(msg ?? "", obj),
    error: (obj: unknown, msg?: string) => console.error(msg ?? "", obj),
  };
  const ctx: Ctx = { db, actor: systemActor, meta: metadataLookup(db), clock: () => new Date(), log };
  return { ctx, close: () => closeDb(db) };
}

export function buildProgram(): Command {
  const program = new Command("revline")
    .description("Revline: open-source revenue operations platform")
    .version(REVLINE_VERSION, "-v, --version")
    .showHelpAfterError("(add --help for usage)")
    .addOption(new Option("--no-color", "plain output").hideHelp());
  addStartCommand(program);
  addMigrateCommand(program);
  registerImportCommand(program, openCommandContext);
  registerExportCommand(program, openCommandContext);
  registerAuditCommand(program, openCommandContext);
  return program;
}

/** Runs the CLI; failures print one line (no stack) and exit 1. */
export async function runCli(argv: readonly string[] = process.argv): Promise<void> {
  try {
    const program = buildProgram();
    await program.parseAsync([...argv]);
  } catch (e) {
    console.error(`revline: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.REVLINE_DEBUG) console.error(e);
    process.exitCode = 1;
  }
}
