/**
 * Guards around every request: rate limits (@fastify/rate-limit), security headers
 * (@fastify/helmet), and request body size limits. app.ts calls
 *
 *   await registerGuards(app, config);        // before the auth hook and before any route
 *   registerAuthHook(app, ...);
 *   registerActorRateLimit(app, config);      // after the auth hook: it keys on the actor
 *
 * Rate limits, each a fixed one-minute window counted in this process (see docs/security.md):
 * - every /api request without credentials (no bearer token, no session cookie): per client IP,
 *   REVLINE_RATE_LIMIT_ANON_PER_MIN (default 600);
 * - every /api request that presents credentials: per client IP, REVLINE_RATE_LIMIT_IP_PER_MIN
 *   (default 6,000), a ceiling against floods of made-up tokens that stays out of the way of an
 *   office behind one NAT address;
 * - every authenticated /api request: per API token (a token's own bucket) or per user (all their
 *   browser sessions together), REVLINE_RATE_LIMIT_PER_MIN (default 1,200);
 * - POST /api/auth/login and /api/auth/login/totp (the second step), together: per client IP,
 *   REVLINE_RATE_LIMIT_LOGIN_PER_MIN (default 20). Identity locks an account after repeated
 *   failures; this limit is the per-IP part against credential stuffing and code guessing.
 * REVLINE_RATE_LIMIT=0 turns them all off. A limited request gets 429 problem+json with Retry-After.
 * Behind a reverse proxy set REVLINE_TRUST_PROXY=1, or every client shares the proxy's address.
 * With several app nodes each node counts on its own (no shared store is configured): the
 * effective limit is the per-node limit times the number of nodes.
 */
import crypto from "node:crypto";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "@revline/core";
import { optionalRequestCtx } from "./auth";

export type RateLimits = {
  /** Per API token, or per user across their sessions, a minute. */
  perActor: number;
  /** Per client IP a minute, requests that present no credentials. */
  anonymousPerIp: number;
  /** Per client IP a minute, requests that present credentials (a ceiling). */
  perIp: number;
  /** Per client IP a minute, POST /api/auth/login. */
  login: number;
  /** Window length in ms (default one minute). */
  windowMs?: number;
};

export type GuardConfig = {
  /** false turns rate limiting off (tests do; REVLINE_RATE_LIMIT=0). */
  rateLimits: RateLimits | false;
};

export const DEFAULT_RATE_LIMITS: RateLimits = { perActor: 1200, anonymousPerIp: 600, perIp: 6000, login: 20 };

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number of requests a minute (1 or more), not "${raw}".`);
  return n;
}

/** The guard settings from the environment (see the file comment for the variables). */
export function guardConfigFromEnv(env: Env = process.env): GuardConfig {
  if (env.REVLINE_RATE_LIMIT !== undefined && /^(0|false|no|off)$/i.test(env.REVLINE_RATE_LIMIT.trim())) return { rateLimits: false };
  return {
    rateLimits: {
      perActor: positiveInt(env, "REVLINE_RATE_LIMIT_PER_MIN", DEFAULT_RATE_LIMITS.perActor),
      anonymousPerIp: positiveInt(env, "REVLINE_RATE_LIMIT_ANON_PER_MIN", DEFAULT_RATE_LIMITS.anonymousPerIp),
      perIp: positiveInt(env, "REVLINE_RATE_LIMIT_IP_PER_MIN", DEFAULT_RATE_LIMITS.perIp),
      login: positiveInt(env, "REVLINE_RATE_LIMIT_LOGIN_PER_MIN", DEFAULT_RATE_LIMITS.login),
    },
  };
}

/**
 * Content-Security-Policy for the built SPA and the API reference: scripts only from this origin
 * (Vite emits no inline script; /api/docs loads its init script as a file); inline styles are
 * allowed because Ant Design and swagger-ui inject <style> elements and style attributes; images
 * may be data:/blob: URLs (the watermark is a canvas-made data: URL, swagger-ui uses data: SVGs).
 */
export const CSP_DIRECTIVES: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", "blob:"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

/** Body limits for routes that do not set their own (the app default applies to the rest). */
const PREFIX_BODY_LIMITS: [prefix: string, bytes: number][] = [
  ["/api/auth/", 64 * 1024],
  ["/api/settings/", 16 * 1024],
  ["/api/exports", 256 * 1024],
];

/** Sign-in steps: they share the strict per-IP bucket. */
const SIGN_IN_ROUTES = new Set(["/api/auth/login", "/api/auth/login/totp"]);

const isApi = (request: FastifyRequest) => request.url === "/api" || request.url.startsWith("/api/");

function hasCredentials(request: FastifyRequest): boolean {
  return typeof request.headers.authorization === "string" || /(?:^|;\s*)revline_session=/.test(request.headers.cookie ?? "");
}

const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex").slice(0, 32);

/** The bucket of an authenticated request: its token, or its user. */
function actorKey(request: FastifyRequest): string | undefined {
  const ctx = optionalRequestCtx(request);
  if (!ctx) return undefined;
  if (ctx.actor.kind === "token") {
    const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? "")?.[1];
    return `token:${bearer ? sha(bearer) : ctx.actor.id}`;
  }
  return `user:${ctx.actor.id}`;
}

type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * One limit. Built on createRateLimit, not app.rateLimit: the handlers app.rateLimit makes share a
 * once-per-request flag, so after the first limiter had run on a request (the per-IP one) every
 * later one (the per-actor one) was skipped and never counted.
 */
function limiter(app: FastifyInstance, max: number, windowMs: number, what: string, keyGenerator: (request: FastifyRequest) => string): Limiter {
  const check = app.createRateLimit({ max, timeWindow: windowMs, keyGenerator });
  return async (request, reply) => {
    const r = await check(request);
    if (r.isAllowed || !r.isExceeded) return;
    const seconds = Math.max(1, r.ttlInSeconds);
    void reply.header("retry-after", String(seconds));
    throw new AppError("rate_limited", `Too many requests: at most ${r.max} a minute ${what}. Try again in ${seconds} seconds.`, [
      { field: "request", reason: `rate limit of ${r.max} a minute ${what} exceeded`, code: "rate_limited" },
    ]);
  };
}

/** Security headers, body limits, and the rate limits that do not need the actor. Call before the auth hook and the routes. */
export async function registerGuards(app: FastifyInstance, config: GuardConfig): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Only over https (below): on plain http it would be ignored at best, a trap at worst.
    hsts: false,
    crossOriginEmbedderPolicy: false,
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
  });
  app.addHook("onRequest", async (request, reply) => {
    if (request.protocol === "https") void reply.header("strict-transport-security", HSTS_VALUE);
  });

  app.addHook("onRoute", (route) => {
    if (route.bodyLimit !== undefined) return;
    const hit = PREFIX_BODY_LIMITS.find(([prefix]) => route.url.startsWith(prefix));
    if (hit) route.bodyLimit = hit[1];
  });

  const limits = config.rateLimits;
  await app.register(rateLimit, { global: false });
  if (!limits) return;
  const windowMs = limits.windowMs ?? 60_000;
  const anonymous = limiter(app, limits.anonymousPerIp, windowMs, "from one address without signing in", (r) => `anon:${r.ip}`);
  const perIp = limiter(app, limits.perIp, windowMs, "from one address", (r) => `ip:${r.ip}`);
  const login = limiter(app, limits.login, windowMs, "to sign in from one address", (r) => `login:${r.ip}`);
  app.addHook("onRequest", async (request, reply) => {
    if (!isApi(request)) return;
    if (request.method === "POST" && SIGN_IN_ROUTES.has(request.routeOptions.url ?? "")) await login(request, reply);
    await (hasCredentials(request) ? perIp : anonymous)(request, reply);
  });
}

/** The per-token / per-user limit. Call right after registerAuthHook (it reads the request's actor). */
export function registerActorRateLimit(app: FastifyInstance, config: GuardConfig): void {
  const limits = config.rateLimits;
  if (!limits) return;
  const windowMs = limits.windowMs ?? 60_000;
  const perActor = limiter(app, limits.perActor, windowMs, "for one user or API token", (r) => actorKey(r) ?? `anon:${r.ip}`);
  app.addHook("onRequest", async (request, reply) => {
    if (!isApi(request) || !optionalRequestCtx(request)) return;
    await perActor(request, reply);
  });
}
