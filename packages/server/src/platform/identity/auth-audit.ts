/** Audit entries of sign-in acts, appended in the caller's transaction with the request's client. */
import type { FastifyRequest } from "fastify";
import type { Actor, Db } from "../context";
import { appendAudit, type AuditInput } from "../db";
import { clientOf } from "../http";
import type { AuthDeps } from "./authenticate";

/** Whoever tried to sign in before we know who they are. */
export const ANONYMOUS_ACTOR: Actor = { kind: "user", id: "anonymous", name: "anonymous", isAdmin: false, roles: [], attrs: {} };

export function userActor(user: { id: string; name: string }): Actor {
  return { kind: "user", id: user.id, name: user.name, isAdmin: false, roles: [], attrs: { id: user.id } };
}

export async function auditAuth(deps: AuthDeps, db: Db, request: FastifyRequest | undefined, actor: Actor, inputs: AuditInput[]): Promise<void> {
  const ctx = { ...deps.ctxFactory(actor, request ? clientOf(request) : undefined), db };
  await appendAudit(ctx, inputs);
}
