/**
 * The composition root: builds the HTTP app around an open database. It wires the platform parts
 * (auth, problem+json, metadata, records, docs, static web) and the modules' routes, and offers
 * the ctx factory that commands and background work use too.
 *
 *   await prepareDatabase(db);                 // migrations + standard objects (schema sync)
 *   const { app, ctxFactory, close } = await buildApp({ db });
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from "fastify";
import { isAppError, notFound, type ObjectDef } from "@revline/core";
import { systemActor, type Actor, type Ctx, type Db, type Logger } from "./platform/context";
import { migrate } from "./platform/db";
import {
  guardConfigFromEnv,
  registerActorRateLimit,
  registerGuards,
  registerSettingsRoutes,
  type GuardConfig,
  registerAuthHook,
  registerDocsRoutes,
  registerHealthRoute,
  registerProblemHandler,
  registerStaticWeb,
  isSpaRequest,
  sendNotFound,
  sendSpa,
  type ClientInfo,
  type CtxFactory,
} from "./platform/http";
import {
  authenticateRequest,
  createAuthCache,
  identityObjects,
  normalizeEmail,
  actorFor,
  getRoles,
  setRoles,
  registerIdentityRoutes,
  registerDeactivationHooks,
  identityOpenApiPaths,
  type AuthDeps,
  type UserDirectory,
  type UserInfo,
} from "./platform/identity";
import { listObjects, metadataLookup, refreshMetadata, registerMetadataRoutes, syncMetadata } from "./platform/metadata";
import { aggregate, computedFieldsOf, createRecord, getRecord, listRecords, presentObject, updateRecord, registerRecordRoutes, type RecordData } from "./platform/records";
import { exportOpenApiPaths, registerIoRoutes } from "./platform/io";
import { accessOpenApiPaths, isAccessLoaded, listRoles, loadAccess, refreshAccess, registerAccessRoutes } from "./platform/access";
import { parseListQuery } from "./platform/http";
import { recordsOrgLookup } from "./org-directory";
import { auditOpenApiPaths, registerAuditRoutes } from "./platform/audit";
import { registerSalesModule, salesObjects } from "./modules/sales";

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_DIST = path.resolve(here, "../../web/dist");
export const REVLINE_VERSION = (JSON.parse(fs.readFileSync(path.resolve(here, "../package.json"), "utf8")) as { version: string }).version;

/** Every standard object, declared in code by its part or module and synced into metadata at start. */
export const STANDARD_OBJECTS: readonly ObjectDef[] = [...identityObjects, ...salesObjects];

/** Modules register into the platform's registries (computed fields, ...). Idempotent. */
export function registerModules(): void {
  registerSalesModule();
}

/** Migrations, then the standard objects into metadata (tables and columns follow). */
export async function prepareDatabase(db: Db): Promise<{ migrated: string[] }> {
  registerModules();
  const migrated = await migrate(db);
  await syncMetadata(db, [...STANDARD_OBJECTS]);
  await loadAccess(db);
  return { migrated };
}

export type AppConfig = {
  db: Db;
  /** Folder of the built web UI; default packages/web/dist. */
  webDist?: string;
  /** Fastify's logger option; default off. */
  logger?: FastifyServerOptions["logger"];
  /** Behind a reverse proxy: trust X-Forwarded-* (client IP, https for Secure cookies). */
  trustProxy?: boolean;
  clock?: () => Date;
  /** Data folder (uploaded import files go under it); default REVLINE_DATA_DIR or ./data. */
  dataDir?: string;
  /** How long a checked session/token is trusted before it is looked up again (default 1000 ms; 0 = always). */
  authCacheMs?: number;
  /** Default body limit in bytes (bulk upsert and imports set their own). */
  bodyLimit?: number;
  /** Rate limits (and their off switch); default from the environment (REVLINE_RATE_LIMIT_*). */
  guards?: GuardConfig;
};

export type BuiltApp = {
  app: FastifyInstance;
  ctxFactory: CtxFactory;
  /** Users as identity sees them, read and written through records as the system actor. */
  users: UserDirectory;
  /** Forget every checked session/token (after changing credentials or users behind the API's back). */
  clearAuthCache: () => void;
  /** /api/health answers 200 only while ready. */
  setReady: (ready: boolean) => void;
  close: () => Promise<void>;
};

const USER_FIELDS = ["name", "email", "locale", "is_active", "team", "region"];

function toUserInfo(r: RecordData): UserInfo {
  const s = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  return {
    id: r.id,
    name: s(r.name) ?? "",
    email: s(r.email),
    locale: s(r.locale),
    isActive: r.is_active !== false,
    team: s(r.team),
    region: s(r.region),
  };
}

/** The user directory identity needs, on the records layer (identity sits below records). */
export function recordsUserDirectory(systemCtx: () => Ctx): UserDirectory {
  return {
    async findByEmail(email) {
      const wanted = normalizeEmail(email);
      const exact = await listRecords(systemCtx(), "user", { filter: { field: "email", op: "eq", value: wanted }, limit: 2, fields: USER_FIELDS });
      if (exact.records.length === 1) return toUserInfo(exact.records[0]!);
      // Imported users may carry mixed-case addresses; compare case-insensitively as a fallback.
      const loose = await listRecords(systemCtx(), "user", { filter: { field: "email", op: "starts_with", value: wanted }, limit: 50, fields: USER_FIELDS });
      const hits = loose.records.filter((r) => typeof r.email === "string" && normalizeEmail(r.email) === wanted);
      return hits.length === 1 ? toUserInfo(hits[0]!) : undefined;
    },
    async getById(id) {
      try {
        return toUserInfo(await getRecord(systemCtx(), "user", id, { fields: USER_FIELDS }));
      } catch (e) {
        if (isAppError(e) && (e.kind === "not_found" || e.kind === "invalid")) return undefined;
        throw e;
      }
    },
    async setLocale(userId, locale) {
      await updateRecord(systemCtx(), "user", userId, { locale });
    },
    async create(input) {
      const r = await createRecord(systemCtx(), "user", { name: input.name, email: normalizeEmail(input.email), locale: input.locale ?? "en", is_active: true });
      return toUserInfo(r);
    },
  };
}

const METADATA_CHECK_MS = 1000;
const SILENT_LOGGER: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export async function buildApp(config: AppConfig): Promise<BuiltApp> {
  const { db } = config;
  registerModules();
  const clock = config.clock ?? (() => new Date());
  const app = Fastify({
    logger: config.logger ?? false,
    trustProxy: config.trustProxy ?? false,
    bodyLimit: config.bodyLimit ?? 2 * 1024 * 1024,
    // Errors are logged where they are mapped (problem.ts); one line per request is noise.
    logController: new LogController({ disableRequestLogging: true }),
    // Unknown properties are errors, not silently dropped; types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  const log: Logger = config.logger ? app.log : SILENT_LOGGER;
  const meta = metadataLookup(db);
  const ctxFactory: CtxFactory = (actor: Actor, client?: ClientInfo): Ctx => ({ db, actor, meta, clock, log, ...(client ? { client } : {}) });
  const systemCtx = () => ctxFactory(systemActor);
  const users: UserDirectory = { ...recordsUserDirectory(systemCtx), ...recordsOrgLookup(systemCtx) };
  if (!isAccessLoaded(db)) await loadAccess(db);
  let ready = false;

  registerProblemHandler(app);
  // Security headers, body limits and the per-IP rate limits: before the auth hook and every route.
  const guards = config.guards ?? guardConfigFromEnv();
  await registerGuards(app, guards);
  await app.register(fastifyCookie);
  // application/merge-patch+json and other JSON media types parse like application/json.
  app.addContentTypeParser(/^application\/[a-z0-9.+-]*\+json$/i, { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));
  const authCache = createAuthCache(config.authCacheMs ?? 1000);
  if (db.dialect === "postgres") {
    // Several app nodes may share one PostgreSQL: notice another node's metadata change within a
    // second (one tiny query at most once a second per node).
    let checkedAt = 0;
    app.addHook("onRequest", async () => {
      const now = Date.now();
      if (now - checkedAt < METADATA_CHECK_MS) return;
      checkedAt = now;
      await refreshMetadata(db);
      // Roles and policies changed on another node: reload, and forget actors built on the old ones.
      if (await refreshAccess(db)) authCache.clear();
    });
  }
  const authDeps: AuthDeps = { db, users, clock, ctxFactory, knownRoles: () => listRoles(db).map((r) => r.name), ...(config.authCacheMs === 0 ? {} : { cache: authCache }) };
  registerAuthHook(app, {
    ctxFactory,
    authenticate: async (request) => (await authenticateRequest(authDeps, request))?.actor ?? null,
  });
  registerActorRateLimit(app, guards);
  // A write to a user record (deactivation, team, region) changes who its sessions act as: the auth
  // cache is cleared before the answer is sent, and deactivation ends sessions and tokens at once.
  registerDeactivationHooks(app, authDeps, () => authCache.clear());

  registerHealthRoute(app, () => ready);
  registerIdentityRoutes(app, authDeps);
  registerMetadataRoutes(app, presentObject);
  registerRecordRoutes(app);
  registerSettingsRoutes(app);
  await registerIoRoutes(app, config.dataDir ? { dataDir: config.dataDir } : {});
  registerAuditRoutes(app);
  registerAccessRoutes(app, {
    actorOf: async (_ctx, userId) => {
      const user = await users.getById(userId);
      return user ? actorFor(db, user, "user", undefined, users) : undefined;
    },
    getRoles: (ctx, userId) => getRoles(ctx.db, userId),
    setRoles: (ctx, userId, roles) => setRoles(ctx.db, userId, roles),
    preview: async (asUser, object, query) => {
      const def = asUser.meta(object);
      if (!def) throw notFound(`No object named "${object}".`);
      const q = parseListQuery(def, query, "body");
      const page = await listRecords(asUser, object, q);
      const counted = await aggregate(asUser, object, { ...(q.filter ? { filter: q.filter } : {}), metrics: [{ fn: "count" }] });
      return { ...page, total: Number(counted.rows[0]?.values.count ?? 0) };
    },
    onChange: () => authCache.clear(),
  });
  registerDocsRoutes(app, {
    // The document describes the API as the caller may use it: readable objects, without hidden fields.
    listObjects: (ctx) => listObjects(ctx).flatMap((o) => presentObject(ctx, o) ?? []),
    version: REVLINE_VERSION,
    hasExport: true,
    hasImports: true,
    computedFields: (object) => [...(computedFieldsOf(object)?.keys() ?? [])],
    extraPaths: () => ({ ...identityOpenApiPaths(), ...accessOpenApiPaths(), ...auditOpenApiPaths(), ...exportOpenApiPaths() }),
  });

  const web = await registerStaticWeb(app, config.webDist ?? DEFAULT_WEB_DIST);
  app.setNotFoundHandler((request, reply) => (isSpaRequest(request) ? sendSpa(web, reply) : sendNotFound(request, reply)));

  await app.ready();
  ready = true;
  return {
    app,
    ctxFactory,
    users,
    clearAuthCache: () => authCache.clear(),
    setReady: (value) => {
      ready = value;
    },
    close: async () => {
      ready = false;
      await app.close();
    },
  };
}
