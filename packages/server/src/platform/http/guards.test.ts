/**
 * The guards on a real HTTP server on 127.0.0.1 (rate limits turned on with small numbers and a
 * short window): bursts get 429 problem+json with Retry-After and traffic passes again after the
 * window; the sign-in limit is stricter than the general one; a token has its own bucket; security
 * headers are on every answer (HSTS only behind https); an oversized body is a 413 problem, not a 500.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, TEST_ADMIN_EMAIL, type TestApp, type TestResponse } from "../../../test/app";
import { guardConfigFromEnv, type RateLimits } from "./guards";

let apps: TestApp[] = [];
afterEach(async () => {
  for (const t of apps) await t.close();
  apps = [];
});

const WINDOW_MS = 1200;

async function appWith(limits: Partial<RateLimits>, opts: { trustProxy?: boolean } = {}): Promise<TestApp> {
  const t = await createTestApp({
    guards: { rateLimits: { perActor: 1000, anonymousPerIp: 1000, perIp: 1000, login: 1000, windowMs: WINDOW_MS, ...limits } },
    ...(opts.trustProxy ? { trustProxy: true } : {}),
  });
  apps.push(t);
  return t;
}

function expectLimited(res: TestResponse, max: number) {
  expect(res.status).toBe(429);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(429);
  expect(res.body.detail).toContain(`at most ${max} a minute`);
  const retry = Number(res.headers.get("retry-after"));
  // The window is 1.2 s: the wait is a whole number of seconds, 1 or 2.
  expect(retry === 1 || retry === 2).toBe(true);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("rate limits", () => {
  it("limits an anonymous burst from one address with 429 + Retry-After, and lets traffic through after the window", async () => {
    const t = await appWith({ anonymousPerIp: 5 });
    // Five requests without credentials pass (health is public), the sixth and seventh do not.
    const burst: number[] = [];
    for (let i = 0; i < 7; i++) burst.push((await t.get("/api/health", { token: null })).status);
    expect(burst).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expectLimited(await t.get("/api/health", { token: null }), 5);
    // Requests with credentials are another bucket (the per-IP ceiling, 1000 here): not limited.
    expect((await t.get("/api/settings/watermark")).status).toBe(200);
    await sleep(WINDOW_MS + 300);
    expect((await t.get("/api/health", { token: null })).status).toBe(200);
  });

  it("limits sign-in attempts from one address more strictly than other requests", async () => {
    const t = await appWith({ anonymousPerIp: 10, login: 3 });
    const attempts: number[] = [];
    for (let i = 0; i < 4; i++) attempts.push((await t.post("/api/auth/login", { email: TEST_ADMIN_EMAIL, password: "wrong-password-1" }, { token: null })).status);
    expect(attempts).toEqual([401, 401, 401, 429]);
    const limited = await t.post("/api/auth/login", { email: TEST_ADMIN_EMAIL, password: "wrong-password-1" }, { token: null });
    expectLimited(limited, 3);
    // The second sign-in step (the authenticator code) shares that bucket.
    expectLimited(await t.post("/api/auth/login/totp", { challenge: "x".repeat(43), code: "123456" }, { token: null }), 3);
    // The same address still gets other anonymous requests through (6 sign-in requests counted of 10).
    expect((await t.get("/api/health", { token: null })).status).toBe(200);
    await sleep(WINDOW_MS + 300);
    const ok = await t.login(TEST_ADMIN_EMAIL, t.admin.password);
    expect(ok.res.status).toBe(200);
  });

  it("gives each API token its own bucket", async () => {
    const t = await appWith({ perActor: 4 });
    const other = await t.createUser({ name: "Other", email: "other@example.com" });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.get("/api/settings/watermark")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expectLimited(await t.get("/api/settings/watermark"), 4);
    expect((await t.get("/api/settings/watermark", { token: other.token })).status).toBe(200);
    await sleep(WINDOW_MS + 300);
    expect((await t.get("/api/settings/watermark")).status).toBe(200);
  });

  it("caps requests with credentials per address, made-up tokens included", async () => {
    const t = await appWith({ perIp: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.get("/api/settings/watermark", { token: `rvt_made_up_${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expectLimited(await t.get("/api/settings/watermark"), 3);
  });

  it("reads its limits from the environment, and REVLINE_RATE_LIMIT=0 turns them off", () => {
    expect(guardConfigFromEnv({})).toEqual({ rateLimits: { perActor: 1200, anonymousPerIp: 600, perIp: 6000, login: 20 } });
    expect(
      guardConfigFromEnv({ REVLINE_RATE_LIMIT_PER_MIN: "50", REVLINE_RATE_LIMIT_ANON_PER_MIN: "40", REVLINE_RATE_LIMIT_IP_PER_MIN: "300", REVLINE_RATE_LIMIT_LOGIN_PER_MIN: "5" }),
    ).toEqual({ rateLimits: { perActor: 50, anonymousPerIp: 40, perIp: 300, login: 5 } });
    expect(guardConfigFromEnv({ REVLINE_RATE_LIMIT: "0" })).toEqual({ rateLimits: false });
    expect(() => guardConfigFromEnv({ REVLINE_RATE_LIMIT_LOGIN_PER_MIN: "ten" })).toThrow(/REVLINE_RATE_LIMIT_LOGIN_PER_MIN/);
    expect(() => guardConfigFromEnv({ REVLINE_RATE_LIMIT_PER_MIN: "0" })).toThrow(/1 or more/);
  });
});

describe("security headers", () => {
  it("sends CSP, nosniff, frame denial and a referrer policy on API and page answers; HSTS only over https", async () => {
    const t = await appWith({}, { trustProxy: true });
    for (const path of ["/api/health", "/api/settings/watermark", "/", "/api/no-such-endpoint"]) {
      const res = await t.get(path);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
    const https = await t.get("/api/health", { headers: { "x-forwarded-proto": "https" } });
    expect(https.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("does not believe X-Forwarded-Proto without trustProxy", async () => {
    const t = await appWith({});
    const res = await t.get("/api/health", { headers: { "x-forwarded-proto": "https" } });
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
});

describe("body limits", () => {
  it("answers an oversized body with 413 problem+json, never 500", async () => {
    const t = await appWith({});
    const cases: { method: string; path: string; bytes: number }[] = [
      // /api/auth/ takes 64 KiB
      { method: "POST", path: "/api/auth/login", bytes: 70 * 1024 },
      // a settings route takes 4 KiB
      { method: "PUT", path: "/api/settings/export", bytes: 5 * 1024 },
      // /api/exports takes 256 KiB
      { method: "POST", path: "/api/exports", bytes: 300 * 1024 },
      // everything else: the app default, 2 MiB
      { method: "POST", path: "/api/objects/account/records", bytes: 2 * 1024 * 1024 + 10 },
    ];
    for (const c of cases) {
      const rawBody = JSON.stringify({ name: "x".repeat(c.bytes) });
      const res = await t.request(c.method, c.path, { rawBody, headers: { "content-type": "application/json" } });
      expect(res.status, c.path).toBe(413);
      expect(res.contentType, c.path).toMatch(/^application\/problem\+json/);
      expect(res.body.detail, c.path).toBe("The request body is larger than this endpoint accepts.");
    }
    // Just under a limit is read (and judged on its content: an unknown field here).
    const under = await t.request("PUT", "/api/settings/export", { rawBody: JSON.stringify({ approvalThreshold: 5, note: "x".repeat(3000) }), headers: { "content-type": "application/json" } });
    expect(under.status).toBe(400);
  });
});
