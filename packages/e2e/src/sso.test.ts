/**
 * Journey: single sign-on in the browser. A real OpenID Connect provider (the server's test provider,
 * started as its own process) is configured through the admin API; the login page offers "Sign in
 * with SSO", the browser signs in at the provider's own pages and comes back to Revline signed in,
 * with the role the provider's group maps to. A state that did not start in this browser is refused.
 * And the other way in that needs more than a password: two-factor set-up and sign-in with a code.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, test } from "node:test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, newContext, ROOT, screenshot, signIn, useApp, type ApiClient } from "./harness";

const app = useApp({ seed: configureSso });
const CLIENT_ID = "revline-e2e";
const CLIENT_SECRET = "e2e-client-secret-5d1c7a9b3f";
let provider: ChildProcess | undefined;
let issuer = "";

/** Starts packages/server/test/oidc.ts as a script and reads the issuer it prints. */
async function startProvider(redirectUri: string): Promise<string> {
  const config = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [redirectUri],
    accounts: { "alice-sub": { email: "alice@e2e.example.com", name: "Alice Ameri", groups: ["crm-sales"] } },
  };
  provider = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "packages/server/test/oidc.ts")], {
    cwd: path.join(ROOT, "packages/server"),
    env: { ...process.env, OIDC_TEST_CONFIG: JSON.stringify(config) },
    stdio: ["pipe", "pipe", "pipe"], // the provider stops when its stdin closes
  });
  let stderr = "";
  provider.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: provider.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the OIDC provider did not start:\n${stderr}`)), 60_000);
    provider!.once("exit", (code) => reject(new Error(`the OIDC provider exited with ${code}:\n${stderr}`)));
    lines.on("line", (line) => {
      const m = /^\{"issuer":"([^"]+)"\}$/.exec(line.trim());
      if (!m) return;
      clearTimeout(timer);
      resolve(m[1]!);
    });
  });
}

/** The seed of this journey: a provider and the SSO settings that point at it (no sales data). */
async function configureSso(api: ApiClient): Promise<void> {
  issuer = await startProvider(`${api.url}/api/auth/sso/callback`);
  await api.call("PUT", "/api/auth/sso", {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scopes: ["openid", "email", "profile", "groups"],
    roleClaim: "groups",
    roleMapping: { "crm-sales": "sales_rep" },
    autoCreate: true,
  });
}

after(() => {
  provider?.stdin?.end();
  provider?.kill("SIGTERM");
});

test("'Sign in with SSO' goes to the provider and comes back signed in", async () => {
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/login`);
  const button = page.getByTestId("sso-button");
  await button.waitFor();
  assert.equal((await button.innerText()).trim(), "Sign in with SSO");
  await button.click();

  // The provider's own login page, on its own origin.
  await page.waitForURL((u) => u.href.startsWith(`${issuer}/interaction/`));
  await page.locator('input[name="login"]').fill("alice-sub");
  await page.locator('input[name="password"]').fill("any password");
  await screenshot(page, "sso-provider-login");
  await page.getByRole("button", { name: "Sign-in" }).click();
  // Consent for the scopes Revline asked for.
  await page.getByRole("button", { name: "Continue" }).click();

  await page.waitForURL(`${app.server.url}/`);
  await page.getByTestId("user-menu").getByText("Alice Ameri").waitFor();
  await screenshot(page, "sso-signed-in");
  const me = await page.evaluate(async () => (await (await fetch("/api/auth/me")).json()) as { user: { email: string; roles: string[]; isAdmin: boolean } });
  assert.deepEqual(me.user.email, "alice@e2e.example.com");
  assert.deepEqual(me.user.roles, ["sales_rep"]);
  assert.equal(me.user.isAdmin, false);
  await context.close();
});

test("a callback that did not start in this browser lands on the login page with the reason", async () => {
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/api/auth/sso/callback?code=stolen-code&state=someone-elses-state`);
  await page.waitForURL(/\/login\?sso_error=state$/);
  await page.getByTestId("login-error").waitFor();
  assert.match(await page.getByTestId("login-error").innerText(), /did not start in this browser/);
  const cookies = await context.cookies();
  assert.equal(cookies.some((c) => c.name === "revline_session"), false);
  await context.close();
});

/** RFC 6238 (SHA-1, 6 digits, 30 s) from a base32 secret, computed here independently of the server. */
function totp(secretBase32: string, step: number): string {
  let bits = "";
  for (const ch of secretBase32.replace(/=+$/, "")) bits += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", key).update(msg).digest();
  const o = h[19]! & 0x0f;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
const stepNow = () => Math.floor(Date.now() / 30_000);

test("two-factor sign-in: set up with the shown secret, then sign in with a code, turn off with a recovery code", async () => {
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await signIn(page, app.server.url);
  await page.goto(`${app.server.url}/account/security`);
  await page.getByTestId("totp-setup").click();
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const enrolStep = stepNow();
  await page.getByTestId("totp-enable").getByLabel("Code").fill(totp(secret, enrolStep));
  await page.getByTestId("totp-enable").getByRole("button", { name: "Turn on" }).click();
  const codes = (await page.getByTestId("recovery-codes").innerText()).trim().split(/\s+/);
  assert.equal(codes.length, 10);
  await screenshot(page, "totp-enabled");
  await context.close();

  const fresh = await newContext(app.browser);
  const login = await fresh.newPage();
  await login.goto(`${app.server.url}/login`);
  await login.getByLabel("Email").fill(ADMIN_EMAIL);
  await login.getByLabel("Password").fill(ADMIN_PASSWORD);
  await login.getByRole("button", { name: "Sign in" }).click();
  await login.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
  // The code of the step after enrolment: one step of drift is allowed, and the enrolment's own code is spent.
  await login.getByLabel("Code").fill(totp(secret, Math.max(stepNow(), enrolStep + 1)));
  await login.getByRole("button", { name: "Verify" }).click();
  await login.waitForURL(`${app.server.url}/`);
  await login.getByTestId("user-menu").waitFor();

  await login.goto(`${app.server.url}/account/security`);
  await login.getByTestId("totp-disable").getByLabel("Code").fill(codes[0]!);
  await login.getByTestId("totp-disable").getByRole("button", { name: "Turn off" }).click();
  await login.getByTestId("totp-setup").waitFor();
  await fresh.close();
});
