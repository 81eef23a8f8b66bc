/**
 * Starting Revline: config from the environment -> open the database -> migrate and sync the
 * standard objects -> first-start administrator (and demo data) -> HTTP. `revline start` runs this.
 */
import path from "node:path";
import { systemActor, type Db } from "./platform/context";
import { closeDb, isPostgresUrl, openDb } from "./platform/db";
import { deleteExpiredSessions, ensureAdmin, MIN_PASSWORD_LENGTH, type AdminSetup } from "./platform/identity";
import { loadDemo } from "./platform/io";
import { retentionDaysFromEnv, scheduleAuditArchive } from "./platform/audit";
import { buildApp, DEFAULT_WEB_DIST, prepareDatabase, type BuiltApp } from "./app";

export type RevlineConfig = {
  port: number;
  host: string;
  /** SQLite folder (ignored with a PostgreSQL url). */
  dataDir: string;
  /** postgres://... runs on PostgreSQL; unset runs on SQLite in dataDir. */
  databaseUrl?: string;
  adminEmail?: string;
  adminPassword?: string;
  /** Load the demo data set into a fresh database (default true; REVLINE_DEMO=0 turns it off). */
  loadDemo: boolean;
  webDist: string;
  /** Fastify/pino log level; "silent" turns logging off. */
  logLevel: string;
  trustProxy: boolean;
};

export type Env = Record<string, string | undefined>;

const isOff = (v: string | undefined) => v !== undefined && /^(0|false|no|off)$/i.test(v.trim());
const isOn = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export function configFromEnv(env: Env = process.env): RevlineConfig {
  const port = env.PORT === undefined || env.PORT === "" ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (0-65535), not "${env.PORT}".`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !isPostgresUrl(databaseUrl)) throw new Error("DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for SQLite).");
  return {
    port,
    host: env.HOST || "127.0.0.1",
    dataDir: path.resolve(env.REVLINE_DATA_DIR || "data"),
    databaseUrl,
    adminEmail: env.REVLINE_ADMIN_EMAIL || undefined,
    adminPassword: env.REVLINE_ADMIN_PASSWORD || undefined,
    loadDemo: !isOff(env.REVLINE_DEMO),
    webDist: env.REVLINE_WEB_DIST ? path.resolve(env.REVLINE_WEB_DIST) : DEFAULT_WEB_DIST,
    logLevel: env.REVLINE_LOG_LEVEL || "warn",
    trustProxy: isOn(env.REVLINE_TRUST_PROXY),
  };
}

export type RunningServer = {
  url: string;
  db: Db;
  built: BuiltApp;
  admin: AdminSetup;
  demoLoaded: boolean;
  close: () => Promise<void>;
};

export type Printer = (line: string) => void;

function urlOf(host: string, port: number): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** Everything `revline start` does, without signal handling (tests and the bench start it this way). */
export async function startServer(config: RevlineConfig, print: Printer = (l) => console.log(l)): Promise<RunningServer> {
  if (config.adminPassword && config.adminPassword.length < MIN_PASSWORD_LENGTH)
    throw new Error(`REVLINE_ADMIN_PASSWORD needs at least ${MIN_PASSWORD_LENGTH} characters (and must not be a common password or the admin's email).`);
  const db = openDb({ url: config.databaseUrl, dataDir: config.dataDir });
  let built: BuiltApp | undefined;
  try {
    const { migrated } = await prepareDatabase(db);
    const isFresh = migrated.includes("001-metadata");
    built = await buildApp({
      db,
      dataDir: config.dataDir,
      webDist: config.webDist,
      trustProxy: config.trustProxy,
      logger: config.logLevel === "silent" ? false : { level: config.logLevel },
    });
    built.setReady(false);
    const admin = await ensureAdmin(db, built.users, { email: config.adminEmail, password: config.adminPassword, now: new Date() });
    await deleteExpiredSessions(db, new Date());

    let demoLoaded = false;
    if (isFresh && config.loadDemo) {
      print("First start: loading the demo data set through the importer...");
      try {
        await loadDemo(built.ctxFactory(systemActor), {
          onStep: (step, s) => print(`  ${step.object}: ${s.read} read, ${s.inserted} inserted, ${s.updated} updated, ${s.rejected} rejected`),
        });
        demoLoaded = true;
      } catch (e) {
        print(`The demo data could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
        print("Revline runs without it; import your own data with `revline import`.");
      }
    }

    await built.app.listen({ port: config.port, host: config.host });
    const address = built.app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const url = urlOf(config.host, port);
    built.setReady(true);
    // Retention (docs/audit.md): unset keeps every entry; set, old entries move to the archive daily.
    const retentionDays = retentionDaysFromEnv();
    const built0 = built;
    const stopArchive = retentionDays === null ? () => undefined : scheduleAuditArchive(() => built0.ctxFactory(systemActor), retentionDays);

    print(`Revline is running at ${url}`);
    print(`Database: ${config.databaseUrl ? "PostgreSQL" : `SQLite in ${config.dataDir}`}`);
    if (admin.created) {
      if (admin.generatedPassword) {
        print("");
        print("An administrator was created on this first start. Sign in with:");
        print(`  Email:    ${admin.email}`);
        print(`  Password: ${admin.generatedPassword}`);
        print("This password is shown only once and stored only as a hash: keep it now, or change it after signing in.");
        print("");
      } else {
        print(`An administrator was created: ${admin.email} (password from REVLINE_ADMIN_PASSWORD).`);
      }
    }
    const running = built;
    return {
      url,
      db,
      built: running,
      admin,
      demoLoaded,
      close: async () => {
        stopArchive();
        await running.close();
        await closeDb(db);
      },
    };
  } catch (e) {
    if (built) await built.close().catch(() => {});
    await closeDb(db).catch(() => {});
    throw e;
  }
}

const SHUTDOWN_GRACE_MS = 10_000;

/** `revline start`: starts, then stops gracefully on SIGINT/SIGTERM (a second signal forces it). */
export async function main(config: RevlineConfig = configFromEnv()): Promise<void> {
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`${signal} again: stopping now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping Revline...`);
    const force = setTimeout(() => {
      console.error("Requests did not finish in time; stopping anyway.");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close().then(
      () => {
        console.log("Revline stopped.");
        process.exitCode = 0;
      },
      (e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
