/** Sign-in (password, then TOTP when on), sign-out, the current user, password change, and API tokens (admin). Thin: parse, call, reply. */
import type {} from "@fastify/cookie"; // reply.setCookie
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, invalid, notFound, unauthorized } from "@revline/core";
import { clientOf, requestCtx, requireAdmin } from "../http";
import { withTransaction } from "../db";
import type { AuthDeps } from "./authenticate";
import { sessionTokenOf, takeExtendedSession } from "./authenticate";
import { auditAuth, userActor } from "./auth-audit";
import { clearSessionCookies, setSessionCookies } from "./csrf";
import { assertNotLocked, clearFailures, recordFailure } from "./lockout";
import { verifyAgainstNothing, verifyPassword } from "./passwords";
import { createSession, deleteSession, deleteUserSessions, findSession, SESSION_COOKIE } from "./sessions";
import { createToken, getToken, listTokens, revokeToken, TOKEN_SCOPES } from "./tokens";
import { createLoginChallenge, deleteChallenge, isTotpEnabled, takeChallengeAttempt, verifySecondFactor } from "./totp";
import { registerSsoRoutes } from "./sso.routes";
import { registerTotpRoutes } from "./totp.routes";
import { getPasswordHash, getRoles, normalizeEmail, setPassword, type UserInfo } from "./users";

export type MeUser = { id: string; name: string; email: string | null; locale: string | null; isAdmin: boolean; roles: string[] };

const WRONG_LOGIN = "The email or password is wrong.";

export async function meOf(deps: AuthDeps, user: UserInfo): Promise<MeUser> {
  const roles = await getRoles(deps.db, user.id);
  return { id: user.id, name: user.name, email: user.email, locale: user.locale, isAdmin: roles.includes("admin"), roles };
}

export type SignInMethod = "password" | "totp" | "recovery" | "sso";

/**
 * The last step of every sign-in: clears the account's failures, opens a session (cookie + CSRF
 * cookie) and appends auth.login (auth.sso_login for SSO), in one transaction.
 */
export async function completeSignIn(
  deps: AuthDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserInfo,
  method: SignInMethod,
): Promise<{ csrfToken: string }> {
  const now = deps.clock();
  const { token, expiresAt } = await withTransaction(deps.db, async (db) => {
    if (user.email) await clearFailures(db, normalizeEmail(user.email));
    const session = await createSession(db, user.id, now, clientOf(request));
    await auditAuth(deps, db, request, userActor(user), [
      { action: method === "sso" ? "auth.sso_login" : "auth.login", object: "user", recordId: user.id, changes: { method: { after: method } } },
    ]);
    return session;
  });
  return { csrfToken: setSessionCookies(request, reply, SESSION_COOKIE, token, expiresAt) };
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

const totpLoginSchema = {
  body: {
    type: "object",
    required: ["challenge", "code"],
    additionalProperties: false,
    properties: { challenge: { type: "string", minLength: 1, maxLength: 200 }, code: { type: "string", minLength: 1, maxLength: 40 } },
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

const meSchema = {
  body: { type: "object", required: ["locale"], additionalProperties: false, properties: { locale: { enum: ["en", "zh-CN"] } } },
} as const;

const adminPasswordSchema = {
  body: { type: "object", required: ["password"], additionalProperties: false, properties: { password: { type: "string", minLength: 1, maxLength: 1000 } } },
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
      scopes: { type: "array", items: { type: "string", minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 50 },
    },
  },
} as const;

export function registerIdentityRoutes(app: FastifyInstance, deps: AuthDeps): void {
  // A session slid by this request gets its cookies again with the new expiry: right after the auth
  // hook (registered before this one), so a route that sets or clears the cookies itself (sign-out,
  // password change) still has the last word, and a request refused later (400) renews them too.
  app.addHook("onRequest", async (request, reply) => {
    const s = takeExtendedSession(request);
    if (s) setSessionCookies(request, reply, SESSION_COOKIE, s.token, s.expiresAt);
  });

  app.post("/api/auth/login", { config: { isPublic: true }, schema: loginSchema }, async (request, reply) => {
    const { email, password } = request.body as { email: string; password: string };
    const account = normalizeEmail(email);
    await assertNotLocked(deps, account, request);
    const user = await deps.users.findByEmail(account);
    const hash = user?.isActive ? await getPasswordHash(deps.db, user.id) : undefined;
    const ok = user && hash ? await verifyPassword(hash, password) : await verifyAgainstNothing(password);
    if (!ok || !user) {
      await recordFailure(deps, request, account, user?.id, user && !user.isActive ? "inactive" : "password");
      throw unauthorized(WRONG_LOGIN);
    }
    if (await isTotpEnabled(deps.db, user.id)) {
      // The password was right; the session waits for the second factor.
      return { totpRequired: true, challenge: await createLoginChallenge(deps.db, user.id, deps.clock()) };
    }
    const { csrfToken } = await completeSignIn(deps, request, reply, user, "password");
    return { user: await meOf(deps, user), csrfToken };
  });

  app.post("/api/auth/login/totp", { config: { isPublic: true }, schema: totpLoginSchema }, async (request, reply) => {
    const { challenge, code } = request.body as { challenge: string; code: string };
    const userId = await takeChallengeAttempt(deps.db, challenge, deps.clock());
    const user = userId ? await deps.users.getById(userId) : undefined;
    if (!user || !user.isActive) throw unauthorized("This sign-in has expired or was used up. Sign in again with your email and password.");
    const account = normalizeEmail(user.email ?? user.id);
    await assertNotLocked(deps, account, request, user.id);
    const how = await verifySecondFactor(deps.db, user.id, code, deps.clock());
    if (!how) {
      await recordFailure(deps, request, account, user.id, "totp");
      throw new AppError("unauthorized", "The code is wrong or was already used. Enter the current code from your authenticator app, or a recovery code.", [
        { field: "code", reason: "is wrong or was already used", code: "wrong_code" },
      ]);
    }
    await deleteChallenge(deps.db, challenge);
    const { csrfToken } = await completeSignIn(deps, request, reply, user, how);
    return { user: await meOf(deps, user), csrfToken };
  });

  app.post("/api/auth/logout", { config: { isPublic: true } }, async (request, reply) => {
    const token = sessionTokenOf(request);
    if (token) {
      const session = await findSession(deps.db, token, deps.clock());
      const user = session ? await deps.users.getById(session.userId) : undefined;
      await withTransaction(deps.db, async (db) => {
        await deleteSession(db, token);
        if (user) await auditAuth(deps, db, request, userActor(user), [{ action: "auth.logout", object: "user", recordId: user.id }]);
      });
    }
    deps.cache?.clear();
    clearSessionCookies(reply, SESSION_COOKIE);
    return reply.code(204).send();
  });

  app.get("/api/auth/me", async (request) => {
    const ctx = requestCtx(request);
    const user = await deps.users.getById(ctx.actor.id);
    if (!user) throw unauthorized("Your user no longer exists; sign in again.");
    return { user: await meOf(deps, user) };
  });

  // Your own language, remembered for your next sign-in on any browser.
  app.patch("/api/auth/me", { schema: meSchema }, async (request) => {
    const ctx = requestCtx(request);
    const { locale } = request.body as { locale: "en" | "zh-CN" };
    if (!deps.users.setLocale) throw invalid("Changing the language is not available here.");
    await deps.users.setLocale(ctx.actor.id, locale);
    deps.cache?.clear();
    const user = await deps.users.getById(ctx.actor.id);
    if (!user) throw unauthorized("Your user no longer exists; sign in again.");
    return { user: await meOf(deps, user) };
  });

  app.post("/api/auth/password", { schema: passwordSchema }, async (request, reply) => {
    const ctx = requestCtx(request);
    if (ctx.actor.kind !== "user") throw invalid("Change a password from a signed-in session, not with an API token.");
    const { currentPassword, newPassword } = request.body as { currentPassword: string; newPassword: string };
    const user = await deps.users.getById(ctx.actor.id);
    // Guessing the current password counts like a failed sign-in: same lock-out, same audit trail.
    const account = normalizeEmail(user?.email ?? ctx.actor.id);
    await assertNotLocked(deps, account, request, ctx.actor.id);
    const hash = await getPasswordHash(deps.db, ctx.actor.id);
    if (!user || !hash || !(await verifyPassword(hash, currentPassword))) {
      await recordFailure(deps, request, account, ctx.actor.id, "current_password");
      throw invalid("The current password is wrong.", [{ field: "currentPassword", reason: "does not match", code: "wrong_password" }]);
    }
    if (newPassword === currentPassword)
      throw invalid("The new password must differ from the current one.", [{ field: "newPassword", reason: "is the current password", code: "unchanged" }]);
    const now = deps.clock();
    const { token, expiresAt } = await withTransaction(deps.db, async (db) => {
      await setPassword(db, user.id, newPassword, now, { email: user.email, name: user.name }, "newPassword");
      // Every other browser signed in as this user is signed out; this one gets a fresh session.
      await deleteUserSessions(db, user.id);
      await auditAuth(deps, db, request, userActor(user), [{ action: "auth.password_changed", object: "user", recordId: user.id }]);
      return createSession(db, user.id, now, clientOf(request));
    });
    deps.cache?.clear();
    setSessionCookies(request, reply, SESSION_COOKIE, token, expiresAt);
    return reply.code(204).send();
  });

  // An admin sets another user's password (onboarding a local account, or a reset). The policy
  // applies; the user's sessions end so that whoever held the old password is out.
  app.put<{ Params: { id: string } }>("/api/users/:id/password", { schema: adminPasswordSchema }, async (request, reply) => {
    const ctx = requireAdmin(request);
    const { password } = request.body as { password: string };
    const user = await deps.users.getById(request.params.id);
    if (!user) throw notFound(`No user with id ${request.params.id}.`);
    await withTransaction(deps.db, async (db) => {
      await setPassword(db, user.id, password, deps.clock(), { email: user.email, name: user.name });
      await deleteUserSessions(db, user.id);
      await auditAuth(deps, db, request, ctx.actor, [{ action: "auth.password_reset", object: "user", recordId: user.id }]);
    });
    deps.cache?.clear();
    return reply.code(204).send();
  });

  app.post("/api/tokens", { schema: tokenSchema }, async (request, reply) => {
    const ctx = requireAdmin(request);
    const body = request.body as { name: string; expiresAt?: string | null; userId?: string; scopes?: string[] };
    const userId = body.userId ?? ctx.actor.id;
    if (body.userId && !(await deps.users.getById(body.userId))) throw notFound(`No user with id ${body.userId}.`);
    const { token, apiToken } = await withTransaction(deps.db, async (db) => {
      const made = await createToken(
        db,
        { userId, name: body.name, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null, scopes: body.scopes, createdBy: ctx.actor.id },
        deps.clock(),
      );
      const t = made.apiToken;
      await auditAuth(deps, db, request, ctx.actor, [
        { action: "token.created", object: "api_token", recordId: t.id, changes: { name: { after: t.name }, userId: { after: t.userId }, scopes: { after: t.scopes }, expiresAt: { after: t.expiresAt } } },
      ]);
      return made;
    });
    return reply.code(201).send({ ...apiToken, token });
  });

  app.get("/api/tokens", async (request) => {
    requireAdmin(request);
    return { tokens: await listTokens(deps.db), scopes: TOKEN_SCOPES };
  });

  app.delete("/api/tokens/:id", async (request, reply) => {
    const ctx = requireAdmin(request);
    const { id } = request.params as { id: string };
    await withTransaction(deps.db, async (db) => {
      const before = await getToken(db, id);
      await revokeToken(db, id, deps.clock());
      if (before && !before.revokedAt)
        await auditAuth(deps, db, request, ctx.actor, [{ action: "token.revoked", object: "api_token", recordId: id, changes: { name: { after: before.name }, userId: { after: before.userId } } }]);
    });
    deps.cache?.clear();
    return reply.code(204).send();
  });

  registerTotpRoutes(app, deps);
  registerSsoRoutes(app, deps);
}
