/**
 * Browser-journey harness: builds the web UI when missing, starts the real server (`revline start`)
 * on a free port with a fresh SQLite folder, seeds a small sales data set through the HTTP API,
 * and drives Debian's Chromium with playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const ADMIN_EMAIL = "admin@e2e.example.com";
export const ADMIN_PASSWORD = "e2e-Password-123";
export const SHOTS_DIR = process.env.REVLINE_SCREENSHOTS ?? path.join(os.tmpdir(), "revline-screens");

export function ensureWebBuild(): void {
  if (fs.existsSync(path.join(ROOT, "packages/web/dist/index.html"))) return;
  const r = spawnSync("npm", ["run", "build", "-w", "@revline/web"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the web UI failed");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export type Server = { url: string; api: ApiClient; stop: () => Promise<void>; log: () => string };

/** Starts `node bin/revline.mjs start` and waits for GET /api/health. */
export async function startServer(opts: { demo?: boolean } = {}): Promise<Server> {
  ensureWebBuild();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-e2e-"));
  const port = await freePort();
  const logFile = path.join(dataDir, "server.log");
  const out = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(process.execPath, ["bin/revline.mjs", "start"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      REVLINE_DATA_DIR: dataDir,
      REVLINE_ADMIN_EMAIL: ADMIN_EMAIL,
      REVLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      REVLINE_DEMO: opts.demo ? "1" : "0",
      REVLINE_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", out, out],
  });
  const url = `http://127.0.0.1:${port}`;
  const log = () => fs.readFileSync(logFile, "utf8");
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    fs.closeSync(out);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.demo ? 600_000 : 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not become healthy in time:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const api = await ApiClient.login(url, ADMIN_EMAIL, ADMIN_PASSWORD);
  return { url, api, stop, log };
}

/** A cookie-session client of the HTTP API, for seeding and for checking what the UI did. */
export class ApiClient {
  private constructor(
    readonly url: string,
    private cookie: string,
  ) {}

  static async login(url: string, email: string, password: string): Promise<ApiClient> {
    const res = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
    if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const setCookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    return new ApiClient(url, setCookie);
  }

  async call<T>(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}${p}`, {
      method,
      // Cookie sessions need the CSRF header on unsafe requests: the value of the revline_csrf cookie.
      headers: { cookie: this.cookie, "x-csrf-token": /(?:^|;\s*)revline_csrf=([^;]+)/.exec(this.cookie)?.[1] ?? "", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} -> ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(p: string) {
    return this.call<T>("GET", p);
  }
  post<T>(p: string, body: unknown) {
    return this.call<T>("POST", p, body);
  }
}

export type Rec = Record<string, unknown> & { id: string; version?: number };
export type ListPage = { records: Rec[]; nextCursor: string | null };

/** Every record matching a filter, following cursors. */
export async function listAll(api: ApiClient, object: string, body: { filter?: unknown; sort?: string; fields?: string[] }): Promise<Rec[]> {
  const out: Rec[] = [];
  let cursor: string | null = null;
  do {
    const page: ListPage = await api.post(`/api/objects/${object}/records/query`, { ...body, limit: 1000, cursor: cursor ?? undefined });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export const STAGES = ["Prospecting", "Engaging", "Won", "Lost"] as const;

/**
 * A small sales team: 3 regions, 4 agents, 6 accounts, 48 opportunities spread over the stages and
 * twelve months. Seeded through bulk upsert, the same door integrations use.
 */
export async function seedSales(api: ApiClient): Promise<void> {
  const regionIds: string[] = [];
  for (const name of ["Central", "East", "West"]) regionIds.push((await api.post<Rec>("/api/objects/region/records", { name, code: name.slice(0, 1) })).id);
  const agents = ["Darcel Schlecht", "Vicki Laflamme", "Anna Snelling", "Moses Frase"];
  const userIds: string[] = [];
  for (const [i, name] of agents.entries()) {
    const u = await api.post<Rec>("/api/objects/user/records", { name, email: `${name.split(" ")[0]!.toLowerCase()}@e2e.example.com`, region: regionIds[i % 3] });
    userIds.push(u.id);
  }
  const accounts = ["Acme Corporation", "Betasoloin", "Cancity", "Dontechi", "Funholding", "Goodsilron"];
  const accountIds: string[] = [];
  for (const [i, name] of accounts.entries()) {
    const a = await api.post<Rec>("/api/objects/account/records", { name, industry: i % 2 ? "retail" : "software", owner: userIds[i % 4], region: regionIds[i % 3] });
    accountIds.push(a.id);
  }
  const products = ["GTX Pro", "MG Special", "GTX Basic", "MG Advanced"];
  const rows = Array.from({ length: 48 }, (_, i) => {
    const stage = STAGES[i % 4]!;
    const month = String((i % 12) + 1).padStart(2, "0");
    const closed = stage === "Won" || stage === "Lost";
    return {
      external_id: `E2E-${String(i + 1).padStart(3, "0")}`,
      name: `${products[i % 4]} for ${accounts[i % 6]} #${i + 1}`,
      stage,
      amount: { amount: `${1000 + i * 250}.00`, currency: "USD" },
      close_date: closed ? `2024-${month}-15` : null,
      engage_date: stage === "Prospecting" ? null : `2024-${month}-01`,
      account: accountIds[i % 6],
      owner: userIds[i % 4],
      region: regionIds[i % 3],
    };
  });
  await api.post("/api/objects/opportunity/records/bulk-upsert", { key: "external_id", records: rows });
}

/** The server and browser of a test file; both are set once the file's `before` hook has run. */
export type App = { server: Server; browser: Browser };

/**
 * Registers a test file's `before`/`after` hooks: a fresh server seeded with the sales set (or by
 * `seed`), and a headless Chromium; both are closed after the file's tests. Call at the top level.
 */
export function useApp(opts: { seed?: (api: ApiClient) => Promise<void>; demo?: boolean } = {}): App {
  const app = {} as App;
  before(async () => {
    app.server = await startServer({ demo: opts.demo });
    await (opts.seed ?? seedSales)(app.server.api);
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.stop();
  });
  return app;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

export async function newContext(browser: Browser, locale: "en-US" | "zh-CN" = "en-US"): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale, deviceScaleFactor: 1 });
  // CI machines are shared and slow at times: wait longer than Playwright's 30 s before failing.
  context.setDefaultTimeout(60_000);
  return context;
}

/** Retries a check until it passes (the UI settles asynchronously), then returns its value. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A fresh browser context of the test file's app, signed in as the admin, on `path` when given. */
export async function signedIn(app: App, path?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await signIn(page, app.server.url);
  if (path !== undefined) await page.goto(`${app.server.url}${path}`);
  return { context, page };
}

/** Signs in through the login form and waits for the dashboard. */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel(/Email|邮箱/).fill(ADMIN_EMAIL);
  await page.getByLabel(/Password|密码/).fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: /Sign in|登录/ }).click();
  await page.waitForURL(`${url}/`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
