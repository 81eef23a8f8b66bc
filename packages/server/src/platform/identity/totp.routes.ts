/** Two-factor set-up for the signed-in user: status, enrol (secret shown once), confirm, disable, new recovery codes; admin reset. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { invalid, notFound, unauthorized, type ErrorDetail } from "@revline/core";
import type { Ctx } from "../context";
import { withTransaction } from "../db";
import { requestCtx, requireAdmin } from "../http";
import type { AuthDeps } from "./authenticate";
import { auditAuth } from "./auth-audit";
import { beginTotpEnrolment, confirmTotpEnrolment, disableTotp, regenerateRecoveryCodes, totpStatus, verifySecondFactor } from "./totp";

const codeBody = {
  body: {
    type: "object",
    required: ["code"],
    additionalProperties: false,
    properties: { code: { type: "string", minLength: 1, maxLength: 40 } },
  },
} as const;

const emptyBody = { body: { type: "object", additionalProperties: false, properties: {} } } as const;

const resetBody = {
  body: { type: "object", required: ["userId"], additionalProperties: false, properties: { userId: { type: "string", minLength: 1, maxLength: 64 } } },
} as const;

/** Two-factor settings belong to a person at a browser, not to an API token acting for them. */
function sessionCtx(request: FastifyRequest): Ctx {
  const ctx = requestCtx(request);
  if (ctx.actor.kind !== "user") throw invalid("Manage two-factor sign-in from a signed-in session, not with an API token.", [{ field: "authorization", reason: "API tokens cannot do this", code: "session_required" }]);
  return ctx;
}

const wrongCode: ErrorDetail[] = [{ field: "code", reason: "is wrong or was already used", code: "wrong_code" }];

export function registerTotpRoutes(app: FastifyInstance, deps: AuthDeps): void {
  app.get("/api/auth/totp", async (request) => {
    const ctx = requestCtx(request);
    return totpStatus(deps.db, ctx.actor.id);
  });

  app.post("/api/auth/totp/setup", { schema: emptyBody }, async (request) => {
    const ctx = sessionCtx(request);
    const user = await deps.users.getById(ctx.actor.id);
    if (!user) throw unauthorized("Your user no longer exists; sign in again.");
    return beginTotpEnrolment(deps.db, user, deps.clock());
  });

  app.post("/api/auth/totp/enable", { schema: codeBody }, async (request) => {
    const ctx = sessionCtx(request);
    const { code } = request.body as { code: string };
    const recoveryCodes = await withTransaction(deps.db, async (db) => {
      const codes = await confirmTotpEnrolment(db, ctx.actor.id, code, deps.clock());
      await auditAuth(deps, db, request, ctx.actor, [{ action: "auth.totp_enabled", object: "user", recordId: ctx.actor.id }]);
      return codes;
    });
    return { recoveryCodes };
  });

  app.post("/api/auth/totp/disable", { schema: codeBody }, async (request, reply) => {
    const ctx = sessionCtx(request);
    const { code } = request.body as { code: string };
    await withTransaction(deps.db, async (db) => {
      const how = await verifySecondFactor(db, ctx.actor.id, code, deps.clock());
      if (!how) throw invalid("The code is wrong or was already used; two-factor sign-in stays on.", wrongCode);
      await disableTotp(db, ctx.actor.id);
      await auditAuth(deps, db, request, ctx.actor, [{ action: "auth.totp_disabled", object: "user", recordId: ctx.actor.id, changes: { method: { after: how } } }]);
    });
    return reply.code(204).send();
  });

  app.post("/api/auth/totp/recovery-codes", { schema: codeBody }, async (request) => {
    const ctx = sessionCtx(request);
    const { code } = request.body as { code: string };
    const recoveryCodes = await withTransaction(deps.db, async (db) => {
      if ((await verifySecondFactor(db, ctx.actor.id, code, deps.clock())) !== "totp")
        throw invalid("Enter the current code from your authenticator app to make new recovery codes.", wrongCode);
      return regenerateRecoveryCodes(db, ctx.actor.id);
    });
    return { recoveryCodes };
  });

  // An administrator turns two-factor off for someone who lost their phone and their recovery codes.
  app.post("/api/auth/totp/reset", { schema: resetBody }, async (request, reply) => {
    const ctx = requireAdmin(request);
    const { userId } = request.body as { userId: string };
    if (!(await deps.users.getById(userId))) throw notFound(`No user with id ${userId}.`);
    await withTransaction(deps.db, async (db) => {
      const before = await totpStatus(db, userId);
      await disableTotp(db, userId);
      if (before.enabled) await auditAuth(deps, db, request, ctx.actor, [{ action: "auth.totp_disabled", object: "user", recordId: userId, changes: { method: { after: "admin_reset" } } }]);
    });
    return reply.code(204).send();
  });
}
