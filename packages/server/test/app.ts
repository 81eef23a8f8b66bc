/**
 * createTestApp(): the whole server on a fresh database (SQLite, or PostgreSQL with
 * REVLINE_TEST_DIALECT=postgres), listening on a real port on 127.0.0.1, with an administrator,
 * their API token, and small fetch helpers. API tests go over real HTTP with it.
 *
 *   const t = await createTestApp();
 *   const res = await t.post("/api/objects/account/records", { name: "Acme" });   // as the admin token
 *   expect(res.status).toBe(201);
 *   await t.close();
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Actor, Ctx, Db, Dialect } from "../src/platform/context";
import { systemActor } from "../src/platform/context";
import { createToken, ensureAdmin, setPassword, setRoles } from "../src/platform/identity";
import { updateRecord } from "../src/platform/records";
import { buildApp, type AppConfig, type BuiltApp } from "../src/app";
import type { GuardConfig } from "../src/platform/http";
import { createTestDb, setupPlatform } from "./db";

export const TEST_ADMIN_EMAIL = "admin@example.com";
export const TEST_ADMIN_PASSWORD = "correct-horse-battery-staple";

export type TestResponse = {
  status: number;
  headers: Headers;
  /** Parsed JSON for JSON and problem+json bodies, else the text (undefined when empty). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert the shapes
  text: string;
  contentType: string;
};

export type RequestOptions = {
  body?: unknown;
  /** A raw body sent as is (with its content type), for malformed-input tests. */
  rawBody?: string | Buffer;
  /** Bearer token; default the admin's. null sends none. */
  token?: string | null;
  /**
   * A Cookie header (sends no bearer token unless `token` is also given). When it holds the
   * revline_csrf cookie, its value is sent as X-CSRF-Token, as the web client does (unless csrf: false).
   */
  cookie?: string;
  /** false: do not add the X-CSRF-Token header for a cookie request (CSRF tests). */
  csrf?: boolean;
  headers?: Record<string, string>;
};

export type TestApp = {
  app: FastifyInstance;
  built: BuiltApp;
  /** http://127.0.0.1:<port> */
  url: string;
  db: Db;
  dialect: Dialect;
  /** The data folder import uploads go to. */
  dataDir: string;
  admin: { id: string; email: string; password: string; token: string };
  /** A service-level ctx on the same database (system actor unless one is given). */
  ctx: (actor?: Actor) => Ctx;
  request: (method: string, path: string, opts?: RequestOptions) => Promise<TestResponse>;
  get: (path: string, opts?: RequestOptions) => Promise<TestResponse>;
  post: (path: string, body?: unknown, opts?: RequestOptions) => Promise<TestResponse>;
  patch: (path: string, body?: unknown, opts?: RequestOptions) => Promise<TestResponse>;
  del: (path: string, opts?: RequestOptions) => Promise<TestResponse>;
  /** Signs in over HTTP; returns the Cookie header value to send (session + CSRF cookies) and the response. */
  login: (email: string, password: string) => Promise<{ cookie: string; res: TestResponse }>;
  /** A user record with a password, roles and an API token. */
  createUser: (input: { name: string; email: string; password?: string; roles?: string[]; team?: string; region?: string }) => Promise<{
    id: string;
    email: string;
    password: string;
    token: string;
  }>;
  close: () => Promise<void>;
};

export type TestAppOptions = {
  /** Folder of a built web UI to serve (default: a folder that does not exist, so the "build it" page). */
  webDist?: string;
  clock?: () => Date;
  /** Trust X-Forwarded-* headers (to test what happens behind an https proxy). */
  trustProxy?: boolean;
  /** Data folder (import uploads); default a fresh temporary folder, removed by close(). */
  dataDir?: string;
  /** Rate limits; default off in tests (guards.test.ts turns them on). */
  guards?: GuardConfig;
  /** Fastify's logger option (e.g. a stream into an array, to scan log lines); default off. */
  logger?: AppConfig["logger"];
};

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const tdb = await createTestDb();
  const { db } = tdb;
  const scratch = opts.dataDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "revline-app-data-"));
  const dataDir = opts.dataDir ?? scratch!;
  const removeScratch = () => scratch && fs.rmSync(scratch, { recursive: true, force: true });
  let built: BuiltApp | undefined;
  try {
    await setupPlatform(db);
    built = await buildApp({ db, dataDir, webDist: opts.webDist ?? "/nonexistent-revline-web-dist", clock: opts.clock, trustProxy: opts.trustProxy, guards: opts.guards ?? { rateLimits: false }, logger: opts.logger });
    const now = () => (opts.clock ?? (() => new Date()))();
    const setup = await ensureAdmin(db, built.users, { email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD, now: now() });
    if (!setup.created) throw new Error("createTestApp: expected a fresh database");
    const adminToken = (await createToken(db, { userId: setup.userId, name: "test admin", createdBy: setup.userId }, now())).token;
    await built.app.listen({ port: 0, host: "127.0.0.1" });
    const address = built.app.server.address();
    if (!address || typeof address !== "object") throw new Error("createTestApp: server has no address");
    const url = `http://127.0.0.1:${address.port}`;

    const request = async (method: string, path: string, ro: RequestOptions = {}): Promise<TestResponse> => {
      const headers: Record<string, string> = { ...ro.headers };
      const token = ro.token === undefined ? (ro.cookie ? null : adminToken) : ro.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (ro.cookie) {
        headers.cookie = ro.cookie;
        const csrf = /(?:^|;\s*)revline_csrf=([^;]+)/.exec(ro.cookie)?.[1];
        if (csrf && ro.csrf !== false) headers["x-csrf-token"] ??= csrf;
      }
      let body: string | Buffer | undefined;
      if (ro.rawBody !== undefined) body = ro.rawBody;
      else if (ro.body !== undefined) {
        body = JSON.stringify(ro.body);
        headers["content-type"] ??= "application/json";
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      const contentType = res.headers.get("content-type") ?? "";
      let parsed: unknown = text === "" ? undefined : text;
      if (text !== "" && /json/.test(contentType)) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed, text, contentType };
    };

    const app = built;
    const t: TestApp = {
      app: app.app,
      built: app,
      url,
      db,
      dialect: tdb.dialect,
      dataDir,
      admin: { id: setup.userId, email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD, token: adminToken },
      ctx: (actor = systemActor) => app.ctxFactory(actor),
      request,
      get: (path, ro) => request("GET", path, ro),
      post: (path, body, ro) => request("POST", path, { ...ro, body }),
      patch: (path, body, ro) => request("PATCH", path, { ...ro, body }),
      del: (path, ro) => request("DELETE", path, ro),
      async login(email, password) {
        const res = await request("POST", "/api/auth/login", { body: { email, password }, token: null });
        // The session cookie and its CSRF companion, as a browser would send them back.
        const cookie = res.headers
          .getSetCookie()
          .map((c) => c.split(";")[0] ?? "")
          .filter((c) => c && !c.endsWith("="))
          .join("; ");
        return { cookie, res };
      },
      async createUser(input) {
        const user = await app.users.create({ name: input.name, email: input.email });
        const patch: Record<string, unknown> = {};
        if (input.team) patch.team = input.team;
        if (input.region) patch.region = input.region;
        if (Object.keys(patch).length) {
          await updateRecord(app.ctxFactory(systemActor), "user", user.id, patch);
        }
        const password = input.password ?? "a-test-password-123";
        await setPassword(db, user.id, password, now());
        if (input.roles) await setRoles(db, user.id, input.roles);
        const token = (await createToken(db, { userId: user.id, name: `test ${input.name}`, createdBy: setup.userId }, now())).token;
        return { id: user.id, email: user.email ?? input.email, password, token };
      },
      async close() {
        await app.close();
        await tdb.close();
        removeScratch();
      },
    };
    return t;
  } catch (e) {
    if (built) await built.close().catch(() => {});
    await tdb.close().catch(() => {});
    removeScratch();
    throw e;
  }
}
