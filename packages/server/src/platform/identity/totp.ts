/**
 * TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock drift either way) with
 * single-use recovery codes. The secret is shown once at enrolment (as text and as an otpauth://
 * URI for a QR code) and becomes active only after the user proves they hold it with a code. A code
 * is accepted once: the last used time step is kept, so a code seen over a shoulder cannot be replayed.
 * Recovery codes are random, stored as sha256 and crossed out when used.
 * Between the password step and the code step of a sign-in, the client holds a challenge: a random
 * value (stored as sha256) that lives 5 minutes and allows 5 code attempts.
 */
import { randomInt } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import { conflict, invalid } from "@revline/core";
import type { Db } from "../context";
import { toIsoTimestamp } from "../db";
import { randomSecret, sha256Hex } from "./secrets";

const PERIOD = 30;
const DIGITS = 6;
const ISSUER = "Revline";
export const RECOVERY_CODE_COUNT = 10;
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const CHALLENGE_ATTEMPTS = 5;

type TotpRow = { user_id: string; secret: string; enabled_at: unknown; last_step: unknown };

function totpOf(secretBase32: string, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secretBase32) });
}

async function rowOf(db: Db, userId: string): Promise<TotpRow | undefined> {
  return (await db.kysely.selectFrom("auth_totp").select(["user_id", "secret", "enabled_at", "last_step"]).where("user_id", "=", userId).executeTakeFirst());
}

export async function isTotpEnabled(db: Db, userId: string): Promise<boolean> {
  const row = await rowOf(db, userId);
  return !!row && toIsoTimestamp(row.enabled_at) !== null;
}

export type TotpStatus = { enabled: boolean; enabledAt: string | null; recoveryCodesLeft: number };

export async function totpStatus(db: Db, userId: string): Promise<TotpStatus> {
  const row = await rowOf(db, userId);
  const enabledAt = row ? toIsoTimestamp(row.enabled_at) : null;
  const left = enabledAt
    ? ((await db.kysely.selectFrom("auth_recovery_code").select("code_hash").where("user_id", "=", userId).where("used_at", "is", null).execute()) as unknown[]).length
    : 0;
  return { enabled: enabledAt !== null, enabledAt, recoveryCodesLeft: left };
}

/** Starts (or restarts) enrolment: a fresh secret, not yet active. */
export async function beginTotpEnrolment(db: Db, user: { id: string; email: string | null; name: string }, now: Date): Promise<{ secret: string; uri: string }> {
  const existing = await rowOf(db, user.id);
  if (existing && toIsoTimestamp(existing.enabled_at) !== null)
    throw conflict("Two-factor sign-in is already on. Turn it off first to enrol a new authenticator.", [{ field: "totp", reason: "already enabled", code: "enabled" }]);
  const secret = new Secret({ size: 20 }).base32;
  await db.kysely.deleteFrom("auth_totp").where("user_id", "=", user.id).execute();
  await db.kysely.insertInto("auth_totp").values({ user_id: user.id, secret, enabled_at: null, last_step: null, created_at: now.toISOString() }).execute();
  return { secret, uri: totpOf(secret, user.email ?? user.name).toString() };
}

/** The time step a code matches (within one step of drift), or null. */
function matchStep(secretBase32: string, code: string, now: Date): number | null {
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(code)) return null;
  const delta = totpOf(secretBase32, "x").validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}

/** Accepts a TOTP code once (records its step). */
async function useTotpCode(db: Db, row: TotpRow, code: string, now: Date): Promise<boolean> {
  const step = matchStep(row.secret, code, now);
  if (step === null) return false;
  const last = row.last_step === null || row.last_step === undefined ? -1 : Number(row.last_step);
  if (step <= last) return false; // replayed
  const r = await db.kysely
    .updateTable("auth_totp")
    .set({ last_step: step })
    .where("user_id", "=", row.user_id)
    .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// Recovery codes: 10 characters from an alphabet without look-alikes, shown as xxxxx-xxxxx.
const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const normalizeRecovery = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, "");

function newRecoveryCode(): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

async function replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.kysely.deleteFrom("auth_recovery_code").where("user_id", "=", userId).execute();
  await db.kysely
    .insertInto("auth_recovery_code")
    .values(codes.map((c) => ({ user_id: userId, code_hash: sha256Hex(normalizeRecovery(c)), used_at: null })))
    .execute();
  return codes;
}

const wrongCode = (field: string) => invalid("The code is wrong or was already used. Enter the current code from your authenticator app.", [{ field, reason: "is wrong or was already used", code: "wrong_code" }]);

/** Confirms enrolment with a code from the new secret; returns the recovery codes (shown once). */
export async function confirmTotpEnrolment(db: Db, userId: string, code: string, now: Date): Promise<string[]> {
  const row = await rowOf(db, userId);
  if (!row) throw invalid("Start two-factor set-up first (POST /api/auth/totp/setup).", [{ field: "code", reason: "no set-up in progress", code: "no_setup" }]);
  if (toIsoTimestamp(row.enabled_at) !== null) throw conflict("Two-factor sign-in is already on.", [{ field: "totp", reason: "already enabled", code: "enabled" }]);
  if (!(await useTotpCode(db, row, code.trim(), now))) throw wrongCode("code");
  await db.kysely.updateTable("auth_totp").set({ enabled_at: now.toISOString() }).where("user_id", "=", userId).execute();
  return replaceRecoveryCodes(db, userId);
}

/** Checks a second-factor code: a current TOTP code or an unused recovery code (crossed out). */
export async function verifySecondFactor(db: Db, userId: string, code: string, now: Date): Promise<"totp" | "recovery" | null> {
  const row = await rowOf(db, userId);
  if (!row || toIsoTimestamp(row.enabled_at) === null) return null;
  const c = code.trim();
  // Exactly 6 digits is a TOTP code; anything else is tried as a recovery code (which may be all digits).
  if (new RegExp(`^\\d{${DIGITS}}$`).test(c)) return (await useTotpCode(db, row, c, now)) ? "totp" : null;
  const hash = sha256Hex(normalizeRecovery(c));
  const r = await db.kysely
    .updateTable("auth_recovery_code")
    .set({ used_at: now.toISOString() })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? "recovery" : null;
}

export async function disableTotp(db: Db, userId: string): Promise<void> {
  await db.kysely.deleteFrom("auth_totp").where("user_id", "=", userId).execute();
  await db.kysely.deleteFrom("auth_recovery_code").where("user_id", "=", userId).execute();
}

/** New recovery codes (the old ones stop working). */
export async function regenerateRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  return replaceRecoveryCodes(db, userId);
}

export async function createLoginChallenge(db: Db, userId: string, now: Date): Promise<string> {
  const challenge = randomSecret();
  await db.kysely.deleteFrom("auth_login_challenge").where("expires_at", "<=", now.toISOString()).execute();
  await db.kysely
    .insertInto("auth_login_challenge")
    .values({ id: sha256Hex(challenge), user_id: userId, expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(), attempts: 0 })
    .execute();
  return challenge;
}

/** The user a live challenge belongs to, counting one attempt; undefined when unknown, expired or spent. */
export async function takeChallengeAttempt(db: Db, challenge: string, now: Date): Promise<string | undefined> {
  const id = sha256Hex(challenge);
  const row: { user_id: string; expires_at: unknown; attempts: unknown } | undefined = await db.kysely
    .selectFrom("auth_login_challenge")
    .select(["user_id", "expires_at", "attempts"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  if (Date.parse(toIsoTimestamp(row.expires_at)!) <= now.getTime() || Number(row.attempts) >= CHALLENGE_ATTEMPTS) {
    await db.kysely.deleteFrom("auth_login_challenge").where("id", "=", id).execute();
    return undefined;
  }
  // Counted in one conditional UPDATE, so parallel requests cannot spend more than CHALLENGE_ATTEMPTS.
  const r = await db.kysely
    .updateTable("auth_login_challenge")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", id)
    .where("attempts", "<", CHALLENGE_ATTEMPTS)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? row.user_id : undefined;
}

export async function deleteChallenge(db: Db, challenge: string): Promise<void> {
  await db.kysely.deleteFrom("auth_login_challenge").where("id", "=", sha256Hex(challenge)).execute();
}
