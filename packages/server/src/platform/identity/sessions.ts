/**
 * Browser sessions. The cookie carries a random secret; the table stores only its sha256, so a
 * copy of the database cannot be replayed as a session. Sessions slide: one used after half its
 * lifetime is extended, at most once per half-life (one write, not one per request).
 */
import type { Db } from "../context";
import { toIsoTimestamp } from "../db";
import { randomSecret, sha256Hex } from "./secrets";

export const SESSION_COOKIE = "revline_session";
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** extended: this lookup slid the expiry (the browser's cookies should be renewed to match). */
export type SessionRow = { id: string; userId: string; expiresAt: string; extended?: boolean };

export async function createSession(
  db: Db,
  userId: string,
  now: Date,
  client: { ip?: string; userAgent?: string } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.kysely
    .insertInto("auth_session")
    .values({
      id: sha256Hex(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      ip: client.ip ?? null,
      user_agent: client.userAgent?.slice(0, 500) ?? null,
    })
    .execute();
  return { token, expiresAt };
}

/** The live session a cookie value names, extended when past half its life; undefined otherwise. */
export async function findSession(db: Db, token: string, now: Date): Promise<SessionRow | undefined> {
  const id = sha256Hex(token);
  const row: { id: string; user_id: string; expires_at: unknown } | undefined = await db.kysely
    .selectFrom("auth_session")
    .select(["id", "user_id", "expires_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const expiresAt = toIsoTimestamp(row.expires_at)!;
  const left = Date.parse(expiresAt) - now.getTime();
  if (left <= 0) {
    await db.kysely.deleteFrom("auth_session").where("id", "=", id).execute();
    return undefined;
  }
  if (left < SESSION_TTL_MS / 2) {
    const extended = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    await db.kysely.updateTable("auth_session").set({ expires_at: extended }).where("id", "=", id).execute();
    return { id, userId: row.user_id, expiresAt: extended, extended: true };
  }
  return { id, userId: row.user_id, expiresAt };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.kysely.deleteFrom("auth_session").where("id", "=", sha256Hex(token)).execute();
}

/** Ends every session of a user (password change, deactivation). */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const r = await db.kysely.deleteFrom("auth_session").where("user_id", "=", userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.kysely.deleteFrom("auth_session").where("expires_at", "<=", now.toISOString()).execute();
}
