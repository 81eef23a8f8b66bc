/**
 * Deactivating a user (is_active = false through the records API) ends their access at once: in the
 * same request, before its answer is sent, their sessions are deleted, their API tokens revoked, the
 * auth cache of this node cleared, and user.deactivated appended (in the transaction that ends them).
 * Users are records, and records sit above identity, so this runs as hooks around the record routes
 * of the `user` object (registered here, wired in app.ts). Other nodes' auth caches forget within
 * their TTL (1 s), and every lookup re-checks is_active, so no credential outlives the deactivation.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { withTransaction } from "../db";
import { optionalRequestCtx } from "../http";
import { auditAuth } from "./auth-audit";
import type { AuthDeps } from "./authenticate";
import { isUnsafeMethod } from "./csrf";
import { deleteUserSessions } from "./sessions";
import { revokeUserTokens } from "./tokens";

const wasActive = new WeakMap<FastifyRequest, Set<string>>();

function userRecordWrite(request: FastifyRequest): { id?: string } | undefined {
  if (!isUnsafeMethod(request.method) || !request.url.startsWith("/api/objects/user/records")) return undefined;
  const params = request.params as { object?: unknown; id?: unknown } | undefined;
  if (params?.object !== "user") return undefined;
  return typeof params.id === "string" ? { id: params.id } : {};
}

/** Users holding a session or a live token (candidates after a bulk write to users). */
async function usersWithCredentials(deps: AuthDeps): Promise<string[]> {
  const s = (await deps.db.kysely.selectFrom("auth_session").select("user_id").distinct().execute()) as { user_id: string }[];
  const t = (await deps.db.kysely.selectFrom("api_token").select("user_id").distinct().where("revoked_at", "is", null).execute()) as { user_id: string }[];
  return [...new Set([...s, ...t].map((r) => r.user_id))];
}

/**
 * Ends the sessions and tokens of those of `userIds` who are inactive (or gone); audits
 * user.deactivated for each one that had credentials or was active before the write. Returns their ids.
 */
export async function endAccessOfInactiveUsers(deps: AuthDeps, request: FastifyRequest | undefined, userIds: string[], activeBefore: Set<string> = new Set()): Promise<string[]> {
  const ended: string[] = [];
  const ctx = request ? optionalRequestCtx(request) : undefined;
  for (const id of userIds) {
    const user = await deps.users.getById(id);
    if (user?.isActive) continue;
    await withTransaction(deps.db, async (db) => {
      const sessions = await deleteUserSessions(db, id);
      const tokens = await revokeUserTokens(db, id, deps.clock());
      if (sessions + tokens === 0 && !activeBefore.has(id)) return;
      if (ctx)
        await auditAuth(deps, db, request, ctx.actor, [
          { action: "user.deactivated", object: "user", recordId: id, changes: { sessions: { after: sessions }, tokens: { after: tokens }, ...(user ? {} : { deleted: { after: true } }) } },
        ]);
      ended.push(id);
    });
  }
  return ended;
}

export function registerDeactivationHooks(app: FastifyInstance, deps: AuthDeps, clearCache: () => void): void {
  app.addHook("preHandler", async (request) => {
    const w = userRecordWrite(request);
    if (!w?.id) return;
    const user = await deps.users.getById(w.id);
    if (user?.isActive) wasActive.set(request, new Set([user.id]));
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const w = userRecordWrite(request);
    if (!w) return payload;
    // A write to a user record (deactivation, team, region) changes who its sessions act as.
    clearCache();
    if (reply.statusCode < 300) {
      const ids = w.id ? [w.id] : await usersWithCredentials(deps);
      const ended = await endAccessOfInactiveUsers(deps, request, ids, wasActive.get(request));
      if (ended.length) clearCache();
    }
    return payload;
  });
}
