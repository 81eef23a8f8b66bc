/** Request authentication: a bearer API token or the session cookie, resolved to an Actor. */
import type {} from "@fastify/cookie"; // request.cookies
import type { FastifyRequest } from "fastify";
import type { Actor, Db } from "../context";
import { sha256Hex } from "./secrets";
import { findSession, SESSION_COOKIE } from "./sessions";
import { findLiveToken } from "./tokens";
import { actorFor, type UserDirectory, type UserInfo } from "./users";

export type Authenticated = { actor: Actor; user: UserInfo; via: "session" | "token" };

/**
 * A short-lived memory of credentials already checked. Resolving one costs three queries (the
 * session or token, the user record, the roles), more than a small list query itself; for a burst
 * of requests it is done once. Only valid credentials are remembered. Sign-out, token revocation,
 * password changes and writes to users clear it in this process; another node notices within ttlMs.
 */
export type AuthCache = { get: (key: string) => Authenticated | undefined; set: (key: string, value: Authenticated) => void; clear: () => void };

export function createAuthCache(ttlMs = 1000, maxEntries = 10_000): AuthCache {
  const entries = new Map<string, { value: Authenticated; until: number }>();
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
    set(key, value) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, until: Date.now() + ttlMs });
    },
    clear: () => entries.clear(),
  };
}

export type AuthDeps = { db: Db; users: UserDirectory; clock: () => Date; cache?: AuthCache };

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

async function resolve(deps: AuthDeps, bearer: string | undefined, cookie: string | undefined): Promise<Authenticated | null> {
  const now = deps.clock();
  if (bearer) {
    const token = await findLiveToken(deps.db, bearer, now);
    if (!token) return null;
    const user = await deps.users.getById(token.userId);
    if (!user || !user.isActive) return null;
    return { actor: await actorFor(deps.db, user, "token", token.scopes), user, via: "token" };
  }
  if (!cookie) return null;
  const session = await findSession(deps.db, cookie, now);
  if (!session) return null;
  const user = await deps.users.getById(session.userId);
  if (!user || !user.isActive) return null;
  return { actor: await actorFor(deps.db, user, "user"), user, via: "session" };
}

/** Who made the request, or null. An inactive user is nobody, whatever credential they hold. */
export async function authenticateRequest(deps: AuthDeps, request: FastifyRequest): Promise<Authenticated | null> {
  const bearer = bearerOf(request);
  const cookie = bearer ? undefined : sessionTokenOf(request);
  if (!bearer && !cookie) return null;
  const key = deps.cache ? sha256Hex(bearer ? `t:${bearer}` : `s:${cookie}`) : "";
  const cached = deps.cache?.get(key);
  if (cached) return cached;
  const found = await resolve(deps, bearer, cookie);
  if (found) deps.cache?.set(key, found);
  return found;
}
