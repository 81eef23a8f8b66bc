/** Request authentication: a bearer API token or the session cookie, resolved to an Actor. */
import type {} from "@fastify/cookie"; // request.cookies
import type { FastifyRequest } from "fastify";
import type { Actor, Db } from "../context";
import type { CtxFactory } from "../http";
import { assertCsrf } from "./csrf";
import { sha256Hex } from "./secrets";
import { deleteUserSessions, findSession, SESSION_COOKIE } from "./sessions";
import { findLiveToken, revokeUserTokens } from "./tokens";
import { actorFor, type UserDirectory, type UserInfo } from "./users";

export type Authenticated = { actor: Actor; user: UserInfo; via: "session" | "token" };

/**
 * A short-lived memory of credentials already checked. Resolving one costs three queries (the
 * session or token, the user record, the roles), more than a small list query itself; for a burst
 * of requests it is done once. Only valid credentials are remembered. Sign-out, token revocation,
 * password changes and writes to users clear it in this process; another node notices within ttlMs.
 * A lookup that started before a clear() does not store its (possibly stale) answer afterwards.
 */
export type AuthCache = {
  get: (key: string) => Authenticated | undefined;
  set: (key: string, value: Authenticated, generation?: number) => void;
  clear: () => void;
  /** Bumped by every clear(). */
  generation: () => number;
};

export function createAuthCache(ttlMs = 1000, maxEntries = 10_000): AuthCache {
  const entries = new Map<string, { value: Authenticated; until: number }>();
  let gen = 0;
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    set(key, value, generation) {
      if (generation !== undefined && generation !== gen) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, until: Date.now() + ttlMs });
    },
    clear: () => {
      gen++;
      entries.clear();
    },
    generation: () => gen,
  };
}

export type AuthDeps = {
  db: Db;
  users: UserDirectory;
  clock: () => Date;
  cache?: AuthCache;
  /** Builds the ctx that sign-in audit entries are appended with. */
  ctxFactory: CtxFactory;
  /** The role names that exist (access), to check SSO role mappings; absent: not checked. */
  knownRoles?: () => string[];
  /** Environment for settings that may come from it (SSO); default process.env. */
  env?: Record<string, string | undefined>;
};

export function bearerOf(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== "string") return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const v = request.cookies?.[SESSION_COOKIE];
  return typeof v === "string" && v.length > 0 && v.length < 200 ? v : undefined;
}

/** A credential of an inactive user is ended where it is met (deactivation normally ends them at once). */
async function endInactive(deps: AuthDeps, userId: string): Promise<null> {
  await deleteUserSessions(deps.db, userId);
  await revokeUserTokens(deps.db, userId, deps.clock());
  return null;
}

// Sessions whose expiry this request slid, so the cookies are sent again with the new expiry
// (otherwise the browser drops them at the first expiry, however active the user is).
const extendedSessions = new WeakMap<FastifyRequest, { token: string; expiresAt: Date }>();

/** The session this request extended, once (its cookies are renewed by a hook in identity.routes.ts). */
export function takeExtendedSession(request: FastifyRequest): { token: string; expiresAt: Date } | undefined {
  const s = extendedSessions.get(request);
  extendedSessions.delete(request);
  return s;
}

async function resolve(deps: AuthDeps, request: FastifyRequest, bearer: string | undefined, cookie: string | undefined): Promise<Authenticated | null> {
  const now = deps.clock();
  if (bearer) {
    const token = await findLiveToken(deps.db, bearer, now);
    if (!token) return null;
    const user = await deps.users.getById(token.userId);
    if (!user) return null;
    if (!user.isActive) return endInactive(deps, user.id);
    return { actor: await actorFor(deps.db, user, "token", token.scopes, deps.users), user, via: "token" };
  }
  if (!cookie) return null;
  const session = await findSession(deps.db, cookie, now);
  if (!session) return null;
  const user = await deps.users.getById(session.userId);
  if (!user) return null;
  if (!user.isActive) return endInactive(deps, user.id);
  if (session.extended) extendedSessions.set(request, { token: cookie, expiresAt: new Date(session.expiresAt) });
  return { actor: await actorFor(deps.db, user, "user", undefined, deps.users), user, via: "session" };
}

/**
 * Who made the request, or null. An inactive user is nobody, whatever credential they hold. An
 * unsafe request signed in by the session cookie must carry the CSRF header (csrf.ts): 403 if not.
 */
export async function authenticateRequest(deps: AuthDeps, request: FastifyRequest): Promise<Authenticated | null> {
  const bearer = bearerOf(request);
  const cookie = bearer ? undefined : sessionTokenOf(request);
  if (!bearer && !cookie) return null;
  const key = deps.cache ? sha256Hex(bearer ? `t:${bearer}` : `s:${cookie}`) : "";
  const generation = deps.cache?.generation();
  let found = deps.cache?.get(key) ?? null;
  if (!found) {
    found = await resolve(deps, request, bearer, cookie);
    if (found) deps.cache?.set(key, found, generation);
  }
  if (found && found.via === "session") assertCsrf(request, cookie!);
  return found;
}
