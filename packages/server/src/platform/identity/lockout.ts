/**
 * Lock-out after repeated failed sign-ins, per account: 5 failures within 15 minutes lock the
 * account's password (and TOTP) sign-in until the oldest of those 5 is 15 minutes old. Failures are
 * rows in auth_login_failure, so the count holds across app nodes. The account key is the normalised
 * email as typed, whether or not such a user exists, so the lock-out answer tells nothing about
 * which accounts exist. Attempts made while locked are refused without being counted (an attacker
 * cannot keep extending the lock). Per-IP limits are the rate limiter's job (guards).
 */
import type { FastifyRequest } from "fastify";
import { AppError } from "@revline/core";
import type { Db } from "../context";
import { newId, toIsoTimestamp, withTransaction } from "../db";
import { ANONYMOUS_ACTOR, auditAuth } from "./auth-audit";
import type { AuthDeps } from "./authenticate";

export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60 * 1000;

async function recentFailures(db: Db, account: string, now: Date): Promise<Date[]> {
  const since = new Date(now.getTime() - LOCKOUT_WINDOW_MS).toISOString();
  const rows = (await db.kysely
    .selectFrom("auth_login_failure")
    .select("at")
    .where("account", "=", account)
    .where("at", ">", since)
    .orderBy("at", "desc")
    .limit(LOCKOUT_FAILURES)
    .execute()) as { at: unknown }[];
  return rows.map((r) => new Date(toIsoTimestamp(r.at)!));
}

/** Seconds until the account may try again, or 0 when it is not locked. */
export async function lockedForSeconds(db: Db, account: string, now: Date): Promise<number> {
  const failures = await recentFailures(db, account, now);
  if (failures.length < LOCKOUT_FAILURES) return 0;
  const oldest = failures[LOCKOUT_FAILURES - 1]!;
  return Math.max(1, Math.ceil((oldest.getTime() + LOCKOUT_WINDOW_MS - now.getTime()) / 1000));
}

export function lockedError(seconds: number): AppError {
  const minutes = Math.ceil(seconds / 60);
  return new AppError(
    "rate_limited",
    `Too many failed sign-ins for this account. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or ask an administrator.`,
    [{ field: "retryAfter", reason: String(seconds), code: "locked" }],
  );
}

/**
 * Refuses an attempt on a locked account. The refused attempt is audited (auth.login_failed, reason
 * "locked") but not counted, so that the log shows every try while the lock cannot be extended.
 */
export async function assertNotLocked(deps: AuthDeps, account: string, request?: FastifyRequest, userId?: string): Promise<void> {
  const seconds = await lockedForSeconds(deps.db, account, deps.clock());
  if (seconds <= 0) return;
  if (request)
    await auditAuth(deps, deps.db, request, ANONYMOUS_ACTOR, [
      { action: "auth.login_failed", object: userId ? "user" : null, recordId: userId ?? null, changes: { email: { after: account }, reason: { after: "locked" } } },
    ]);
  throw lockedError(seconds);
}

/**
 * Records a failed sign-in (audited auth.login_failed with the email attempted, never the password)
 * and, when it is the one that locks the account, auth.locked. One transaction.
 */
export async function recordFailure(
  deps: AuthDeps,
  request: FastifyRequest,
  account: string,
  userId: string | undefined,
  reason: "password" | "totp" | "inactive" | "current_password",
): Promise<void> {
  const now = deps.clock();
  await withTransaction(deps.db, async (db) => {
    await db.kysely.deleteFrom("auth_login_failure").where("account", "=", account).where("at", "<=", new Date(now.getTime() - LOCKOUT_WINDOW_MS).toISOString()).execute();
    await db.kysely.insertInto("auth_login_failure").values({ id: newId(), account, at: now.toISOString() }).execute();
    const count = (await recentFailures(db, account, now)).length;
    const target = { object: userId ? "user" : null, recordId: userId ?? null };
    const entries: { action: string; object: string | null; recordId: string | null; changes: Record<string, { after: string }> }[] = [
      { action: "auth.login_failed", ...target, changes: { email: { after: account }, reason: { after: reason } } },
    ];
    if (count === LOCKOUT_FAILURES)
      entries.push({ action: "auth.locked", ...target, changes: { email: { after: account }, reason: { after: `${LOCKOUT_FAILURES} failed sign-ins in ${LOCKOUT_WINDOW_MS / 60000} minutes` } } });
    await auditAuth(deps, db, request, ANONYMOUS_ACTOR, entries);
  });
}

export async function clearFailures(db: Db, account: string): Promise<void> {
  await db.kysely.deleteFrom("auth_login_failure").where("account", "=", account).execute();
}
