/**
 * The product side of every figure, reached only through the product's own doors: `startServer`
 * (migrations, schema sync, first administrator, HTTP: what `revline start` runs), a bearer token
 * made through the API after signing in, and `revline import` for the import figure.
 */
import { runCli, startServer, type RevlineConfig } from "@revline/server";

export type ProductApp = { baseUrl: string; token: string; close: () => Promise<void> };
export type ImportSummary = { read: number; inserted: number; updated: number; rejected: number };

export const ADMIN_EMAIL = "bench-admin@example.com";
export const ADMIN_PASSWORD = "bench-admin-password-1";

function configFor(dataDir: string): RevlineConfig {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminEmail: ADMIN_EMAIL,
    adminPassword: ADMIN_PASSWORD,
    loadDemo: false,
    // No web UI is needed: the API is what is measured.
    webDist: "/nonexistent-revline-web-dist",
    logLevel: "silent",
    trustProxy: false,
  };
}

/** A fresh product database in `dataDir` (revline.db): migrations, standard objects, the administrator. */
export async function initProductDatabase(dataDir: string): Promise<void> {
  const server = await startServer(configFor(dataDir), () => {});
  await server.close();
}

async function call(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${new URL(url).pathname} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res;
}

/** The product serving the database in `dataDir`, and an API token made the way an admin makes one. */
export async function startProduct(dataDir: string): Promise<ProductApp> {
  const server = await startServer(configFor(dataDir), () => {});
  try {
    const login = await call(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    // The session cookie and its CSRF companion; a browser session sends the CSRF value back as a header.
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0] ?? "")
      .filter((c) => c && !c.endsWith("="))
      .join("; ");
    const { csrfToken } = (await login.json()) as { csrfToken?: string };
    if (!cookie || !csrfToken) throw new Error("POST /api/auth/login set no session cookie or CSRF token.");
    const made = await call(`${server.url}/api/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
      body: JSON.stringify({ name: `bench ${new Date().toISOString()}` }),
    });
    const { token } = (await made.json()) as { token?: string };
    if (!token) throw new Error("POST /api/tokens returned no token.");
    return { baseUrl: server.url, token, close: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/**
 * `revline import --object opportunity --file <csv> --json` on the database in `dataDir`, run in this
 * process. Returns the command's own JSON summary.
 */
export async function runProductImport(dataDir: string, csvFile: string): Promise<ImportSummary> {
  process.env.REVLINE_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  // The command prints its summary on stdout; keep it to read it back.
  const keep = (chunk: string | Uint8Array): boolean => {
    out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  };
  process.stdout.write = keep;
  try {
    await runCli(["node", "revline", "import", "--object", "opportunity", "--file", csvFile, "--json"]);
  } finally {
    process.stdout.write = write;
  }
  const line = out.trim().split("\n").pop() ?? "";
  let summary: Partial<ImportSummary> & { error?: string };
  try {
    summary = JSON.parse(line) as typeof summary;
  } catch {
    throw new Error(`revline import printed no JSON summary: ${out.slice(0, 300)}`);
  }
  if (summary.error) throw new Error(`revline import failed: ${summary.error}`);
  if (process.exitCode && process.exitCode !== 2) throw new Error(`revline import exited with ${process.exitCode}`);
  return { read: summary.read ?? 0, inserted: summary.inserted ?? 0, updated: summary.updated ?? 0, rejected: summary.rejected ?? 0 };
}
