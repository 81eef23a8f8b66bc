/**
 * Users are records of the standard `user` object, so identity reaches them through a small
 * directory the composition root implements on the records layer (identity sits below records in
 * the platform order). Here live what records do not hold: password hashes and roles.
 */
import { invalid } from "@revline/core";
import type { Actor, Db } from "../context";
import { withTransaction } from "../db";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "./passwords";

/** What identity needs to know of a user record. */
export type UserInfo = {
  id: string;
  name: string;
  email: string | null;
  locale: string | null;
  isActive: boolean;
  team: string | null;
  region: string | null;
};

export type UserDirectory = {
  findByEmail: (email: string) => Promise<UserInfo | undefined>;
  getById: (id: string) => Promise<UserInfo | undefined>;
  create: (input: { name: string; email: string; locale?: string }) => Promise<UserInfo>;
};

export const ADMIN_ROLE = "admin";
export const DEFAULT_ADMIN_EMAIL = "admin@revline.local";

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function getRoles(db: Db, userId: string): Promise<string[]> {
  const rows = (await db.kysely.selectFrom("auth_user_role").select("role").where("user_id", "=", userId).orderBy("role").execute()) as {
    role: string;
  }[];
  return rows.map((r) => r.role);
}

export async function setRoles(db: Db, userId: string, roles: string[]): Promise<void> {
  await withTransaction(db, async (trx) => {
    await trx.kysely.deleteFrom("auth_user_role").where("user_id", "=", userId).execute();
    const unique = [...new Set(roles)];
    if (unique.length > 0) await trx.kysely.insertInto("auth_user_role").values(unique.map((role) => ({ user_id: userId, role }))).execute();
  });
}

export async function setPassword(db: Db, userId: string, password: string, now: Date): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`, [{ field: "password", reason: `shorter than ${MIN_PASSWORD_LENGTH} characters` }]);
  const passwordHash = await hashPassword(password);
  const updated = await db.kysely
    .updateTable("auth_credential")
    .set({ password_hash: passwordHash, updated_at: now.toISOString() })
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0)
    await db.kysely.insertInto("auth_credential").values({ user_id: userId, password_hash: passwordHash, updated_at: now.toISOString() }).execute();
}

export async function getPasswordHash(db: Db, userId: string): Promise<string | undefined> {
  const row: { password_hash: string | null } | undefined = await db.kysely
    .selectFrom("auth_credential")
    .select("password_hash")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.password_hash ?? undefined;
}

/** The actor a user acts as: roles from auth_user_role, attributes from the user record. */
export async function actorFor(db: Db, user: UserInfo, via: "user" | "token", scopes?: string[]): Promise<Actor> {
  const roles = await getRoles(db, user.id);
  const actor: Actor = {
    kind: via,
    id: user.id,
    name: user.name,
    isAdmin: roles.includes(ADMIN_ROLE),
    roles,
    attrs: { id: user.id, email: user.email, team: user.team, region: user.region },
  };
  if (scopes) actor.scopes = scopes;
  return actor;
}

export type AdminSetup = { created: false } | { created: true; email: string; userId: string; generatedPassword?: string };

/**
 * First start: when no administrator exists, make one, from the given email/password (automated
 * deployments) or with a generated password returned once for printing. Never resets an existing admin.
 */
export async function ensureAdmin(
  db: Db,
  users: UserDirectory,
  opts: { email?: string; password?: string; now: Date },
): Promise<AdminSetup> {
  const existing = await db.kysely.selectFrom("auth_user_role").select("user_id").where("role", "=", ADMIN_ROLE).executeTakeFirst();
  if (existing) return { created: false };
  const email = normalizeEmail(opts.email || DEFAULT_ADMIN_EMAIL);
  const user = (await users.findByEmail(email)) ?? (await users.create({ name: "Administrator", email, locale: "en" }));
  const password = opts.password || generatePassword();
  await setPassword(db, user.id, password, opts.now);
  await setRoles(db, user.id, [...(await getRoles(db, user.id)), ADMIN_ROLE]);
  return { created: true, email, userId: user.id, ...(opts.password ? {} : { generatedPassword: password }) };
}
