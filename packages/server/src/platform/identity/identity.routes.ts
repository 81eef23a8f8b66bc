/** Sign-in, sign-out, the current user, and API tokens (admin). Thin: parse, call, reply. */
import type {} from "@fastify/cookie"; // reply.setCookie
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { invalid, notFound, unauthorized } from "@revline/core";
import { clientOf, requestCtx, requireAdmin } from "../http";
import type { AuthDeps } from "./authenticate";
import { sessionTokenOf } from "./authenticate";
import { verifyAgainstNothing, verifyPassword } from "./passwords";
import { createSession, deleteSession, deleteUserSessions, SESSION_COOKIE } from "./sessions";
import { createToken, listTokens, revokeToken } from "./tokens";
import { getPasswordHash, getRoles, normalizeEmail, setPassword, type UserInfo } from "./users";

export type MeUser = { id: string; name: string; email: string | null; locale: string | null; isAdmin: boolean; roles: string[] };

const WRONG_LOGIN = "The email or password is wrong.";

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expires: Date): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: request.protocol === "https",
    expires,
  });
}

async function meOf(deps: AuthDeps, user: UserInfo): Promise<MeUser> {
  const roles = await getRoles(deps.db, user.id);
  return { id: user.id, name: user.name, email: user.email, locale: user.locale, isAdmin: roles.includes("admin"), roles };
}

const loginSchema = {
  body: {
    type: "object",
    required: ["email", "password"],
    // Unknown fields are refused, never dropped: a client sending {isAdmin} or {otp} must learn it is ignored.
    additionalProperties: false,
    properties: { email: { type: "string", minLength: 1, maxLength: 320 }, password: { type: "string", minLength: 1, maxLength: 1000 } },
  },
} as const;

const passwordSchema = {
  body: {
    type: "object",
    required: ["currentPassword", "newPassword"],
    additionalProperties: false,
    properties: { currentPassword: { type: "string", maxLength: 1000 }, newPassword: { type: "string", maxLength: 1000 } },
  },
} as const;

const tokenSchema = {
  body: {
    type: "object",
    required: ["name"],
    additionalProperties: false,
    properties: {
      name: { type: "string", minLength: 1, maxLength: 100 },
      expiresAt: { type: ["string", "null"], format: "date-time" },
      userId: { type: "string", minLength: 1, maxLength: 64 },
      scopes: { type: "array", items: { type: "string", minLength: 1, maxLength: 64 }, maxItems: 50 },
    },
  },
} as const;

export function registerIdentityRoutes(app: FastifyInstance, deps: AuthDeps): void {
  app.post("/api/auth/login", { config: { isPublic: true }, schema: loginSchema }, async (request, reply) => {
    const { email, password } = request.body as { email: string; password: string };
    const user = await deps.users.findByEmail(normalizeEmail(email));
    const hash = user?.isActive ? await getPasswordHash(deps.db, user.id) : undefined;
    const ok = user && hash ? await verifyPassword(hash, password) : await verifyAgainstNothing(password);
    if (!ok || !user) throw unauthorized(WRONG_LOGIN);
    const { token, expiresAt } = await createSession(deps.db, user.id, deps.clock(), clientOf(request));
    setSessionCookie(request, reply, token, expiresAt);
    return { user: await meOf(deps, user) };
  });

  app.post("/api/auth/logout", { config: { isPublic: true } }, async (request, reply) => {
    const token = sessionTokenOf(request);
    if (token) await deleteSession(deps.db, token);
    deps.cache?.clear();
    void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.code(204).send();
  });

  app.get("/api/auth/me", async (request) => {
    const ctx = requestCtx(request);
    const user = await deps.users.getById(ctx.actor.id);
    if (!user) throw unauthorized("Your user no longer exists; sign in again.");
    return { user: await meOf(deps, user) };
  });

  app.post("/api/auth/password", { schema: passwordSchema }, async (request, reply) => {
    const ctx = requestCtx(request);
    if (ctx.actor.kind !== "user") throw invalid("Change a password from a signed-in session, not with an API token.");
    const { currentPassword, newPassword } = request.body as { currentPassword: string; newPassword: string };
    const hash = await getPasswordHash(deps.db, ctx.actor.id);
    if (!hash || !(await verifyPassword(hash, currentPassword)))
      throw invalid("The current password is wrong.", [{ field: "currentPassword", reason: "does not match" }]);
    await setPassword(deps.db, ctx.actor.id, newPassword, deps.clock());
    // Every other browser signed in as this user is signed out; this one gets a fresh session.
    await deleteUserSessions(deps.db, ctx.actor.id);
    deps.cache?.clear();
    const { token, expiresAt } = await createSession(deps.db, ctx.actor.id, deps.clock(), clientOf(request));
    setSessionCookie(request, reply, token, expiresAt);
    return reply.code(204).send();
  });

  app.post("/api/tokens", { schema: tokenSchema }, async (request, reply) => {
    const ctx = requireAdmin(request);
    const body = request.body as { name: string; expiresAt?: string | null; userId?: string; scopes?: string[] };
    const userId = body.userId ?? ctx.actor.id;
    if (body.userId && !(await deps.users.getById(body.userId))) throw notFound(`No user with id ${body.userId}.`);
    const { token, apiToken } = await createToken(
      deps.db,
      { userId, name: body.name, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null, scopes: body.scopes, createdBy: ctx.actor.id },
      deps.clock(),
    );
    return reply.code(201).send({ ...apiToken, token });
  });

  app.get("/api/tokens", async (request) => {
    requireAdmin(request);
    return { tokens: await listTokens(deps.db) };
  });

  app.delete("/api/tokens/:id", async (request, reply) => {
    requireAdmin(request);
    const { id } = request.params as { id: string };
    await revokeToken(deps.db, id, deps.clock());
    deps.cache?.clear();
    return reply.code(204).send();
  });
}
