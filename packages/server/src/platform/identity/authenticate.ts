/** Request authentication: a bearer API token or the session cookie, resolved to an Actor. */
import type {} from "@fastify/cookie"; // request.cookies
import type { FastifyRequest } from "fastify";
import type { Actor, Db } from "../context";
import { findSession, SESSION_COOKIE } from "./sessions";
import { findLiveToken } from "./tokens";
import { actorFor, type UserDirectory, type UserInfo } from "./users";

export type Authenticated = { actor: Actor; user: UserInfo; via: "session" | "token" };

export type AuthDeps = { db: Db; users: UserDirectory; clock: () => Date };

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

/** Who made the request, or null. An inactive user is nobody, whatever credential they hold. */
export async function authenticateRequest(deps: AuthDeps, request: FastifyRequest): Promise<Authenticated | null> {
  const now = deps.clock();
  const bearer = bearerOf(request);
  if (bearer) {
    const token = await findLiveToken(deps.db, bearer, now);
    if (!token) return null;
    const user = await deps.users.getById(token.userId);
    if (!user || !user.isActive) return null;
    return { actor: await actorFor(deps.db, user, "token", token.scopes), user, via: "token" };
  }
  const cookie = sessionTokenOf(request);
  if (!cookie) return null;
  const session = await findSession(deps.db, cookie, now);
  if (!session) return null;
  const user = await deps.users.getById(session.userId);
  if (!user || !user.isActive) return null;
  return { actor: await actorFor(deps.db, user, "user"), user, via: "session" };
}
