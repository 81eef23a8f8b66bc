/**
 * A real OpenID Connect provider for tests (oidc-provider, the certified implementation) on
 * 127.0.0.1, and a small cookie-jar browser that walks the authorization-code flow over HTTP,
 * submitting the provider's own login and consent forms.
 *
 *   const op = await startOidcProvider({ clientId: "revline", clientSecret: "s3cret", redirectUris: [`${t.url}/api/auth/sso/callback`], accounts });
 *   ... PUT /api/auth/sso { issuer: op.issuer, clientId, clientSecret } ...
 *   const walk = await ssoRoundTrip(new CookieJar(), t.url, "alice");
 *   await op.close();
 *
 * The provider's development login form takes any password: the account is the login typed.
 * Run as a script (`node --import tsx test/oidc.ts`) it starts one provider from OIDC_TEST_CONFIG
 * (JSON of the options) and prints {"issuer": ...} on one line, for the browser journeys.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import Provider from "oidc-provider";

export type OidcAccount = { email?: string; name?: string; groups?: string[]; emailVerified?: boolean };

export type OidcProviderOptions = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Account id (what is typed as the login) -> claims. */
  accounts: Record<string, OidcAccount>;
  port?: number;
};

export type OidcProvider = { issuer: string; close: () => Promise<void> };

export async function startOidcProvider(opts: OidcProviderOptions): Promise<OidcProvider> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["revline-test-cookie-key"] },
    // oidc-provider only answers with ID tokens and codes signed by its (generated) development keys.
    findAccount: (_ctx: unknown, id: string) => {
      const a = opts.accounts[id];
      if (!a) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          ...(a.email !== undefined ? { email: a.email, email_verified: a.emailVerified ?? true } : {}),
          ...(a.name !== undefined ? { name: a.name } : {}),
          ...(a.groups !== undefined ? { groups: a.groups } : {}),
        }),
      };
    },
  });
  handler = provider.callback();
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cookies by name, as a browser keeps them for one host (ports share cookies), honouring Path. */
export class CookieJar {
  private cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const pathAttr = attrs.map((a) => a.trim()).find((a) => /^path=/i.test(a));
      const cookiePath = pathAttr ? pathAttr.slice(5) : "/";
      const expired = attrs.some((a) => /^max-age=0$/i.test(a.trim()) || (/^expires=/i.test(a.trim()) && Date.parse(a.trim().slice(8)) < Date.now()));
      const key = `${name}\n${cookiePath}`;
      if (!value || expired) this.cookies.delete(key);
      else this.cookies.set(key, { value, path: cookiePath });
    }
  }

  header(url: string): string {
    const p = new URL(url).pathname;
    const out: string[] = [];
    for (const [key, c] of this.cookies) if (p === c.path || p.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)) out.push(`${key.split("\n")[0]}=${c.value}`);
    return out.join("; ");
  }

  get(name: string): string | undefined {
    for (const [key, c] of this.cookies) if (key.split("\n")[0] === name) return c.value;
    return undefined;
  }

  delete(name: string): void {
    for (const key of [...this.cookies.keys()]) if (key.split("\n")[0] === name) this.cookies.delete(key);
  }
}

const decodeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The first form of a page: its action and the values of its named inputs. */
export function parseForm(html: string, base: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields[decodeHtml(name)] = decodeHtml(value ?? "");
  }
  return { action: new URL(decodeHtml(form[1]!), base).href, fields };
}

export type RoundTrip = {
  /** Every URL requested, in order. */
  trail: string[];
  /** The callback URL as the provider sent the browser back (before onCallback). */
  callbackUrl?: string;
  /** Where Revline sent the browser after the callback (e.g. "/" or "/login?sso_error=state"). */
  landing: string;
};

/**
 * Walks a single sign-on from Revline's /api/auth/sso/start to the page Revline lands the browser on,
 * signing in at the provider as `login` and granting consent. onCallback may change the callback URL
 * or the jar before the browser follows it (to test refusals).
 */
export async function ssoRoundTrip(
  jar: CookieJar,
  revlineUrl: string,
  login: string,
  opts: { returnTo?: string; onCallback?: (url: string) => string | Promise<string> } = {},
): Promise<RoundTrip> {
  const trail: string[] = [];
  let callbackUrl: string | undefined;
  let next: { url: string; method: "GET" | "POST"; body?: URLSearchParams } = {
    url: `${revlineUrl}/api/auth/sso/start${opts.returnTo ? `?returnTo=${encodeURIComponent(opts.returnTo)}` : ""}`,
    method: "GET",
  };
  for (let hops = 0; hops < 30; hops++) {
    if (next.url.startsWith(`${revlineUrl}/api/auth/sso/callback`) && callbackUrl === undefined) {
      callbackUrl = next.url;
      if (opts.onCallback) next = { url: await opts.onCallback(next.url), method: "GET" };
    }
    trail.push(next.url);
    const headers: Record<string, string> = { cookie: jar.header(next.url) };
    if (next.body) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(next.url, { method: next.method, headers, body: next.body, redirect: "manual" });
    jar.store(res);
    if (res.status >= 300 && res.status < 400) {
      const location = new URL(res.headers.get("location")!, next.url).href;
      await res.arrayBuffer();
      // Back on Revline outside the sign-on routes: the journey is over.
      if (location.startsWith(revlineUrl) && !location.startsWith(`${revlineUrl}/api/auth/sso/`)) return { trail, callbackUrl, landing: location.slice(revlineUrl.length) };
      next = { url: location, method: "GET" };
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${next.method} ${next.url} answered ${res.status}: ${html.slice(0, 500)}`);
    const form = parseForm(html, next.url);
    if (!form) throw new Error(`${next.url} shows no form: ${html.slice(0, 500)}`);
    if (form.fields.prompt === "login") Object.assign(form.fields, { login, password: "any password" });
    next = { url: form.action, method: "POST", body: new URLSearchParams(form.fields) };
  }
  throw new Error(`too many hops: ${trail.join(" -> ")}`);
}

// As a script: one provider for a browser journey, until the process is ended.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const op = await startOidcProvider(JSON.parse(process.env.OIDC_TEST_CONFIG ?? "{}") as OidcProviderOptions);
  process.stdout.write(`${JSON.stringify({ issuer: op.issuer })}\n`);
  // Ends with whoever started it: when they close our stdin (or die), stop.
  process.stdin.on("close", () => void op.close().then(() => process.exit(0)));
  process.stdin.resume();
}
