/**
 * Users are records of the standard `user` object, so identity reaches them through a small
 * directory the composition root implements on the records layer (identity sits below records in
 * the platform order). Here live what records do not hold: password hashes and roles.
 */
import { invalid } from "@revline/core";
import type { Actor, Db } from "../context";
import { withTransaction } from "../db";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "./passwords";
import { checkPasswordPolicy, type PasswordOwner } from "./password-policy";

/**
 * Where a user sits in the organisation, computed by the directory (app.ts, on records) at sign-in
 * resolution: teams = own team, every team below it (team.parent_team) and the teams they manage
 * with theirs; subordinates = users below them through user.manager, transitively, and the members
 * of the teams they manage; partner = the region of a partner user (user_type "partner"), else null.
 */
export type OrgInfo = { userType: "internal" | "partner"; manager: string | null; teams: string[]; subordinates: string[]; partner: string | null };

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
  /** The user's own language choice (written as the system on their behalf: users may not edit their user record). */
  setLocale?: (userId: string, locale: "en" | "zh-CN") => Promise<void>;
  /** The user's place in the organisation, for $actor variables (access); absent: no team/subtree attributes. */
  orgOf?: (userId: string) => Promise<OrgInfo>;
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

/**
 * Sets a password after checking the policy (password-policy.ts); `owner` (email, name) lets it refuse
 * the user's own email or name, `field` names the body field in the 400 it throws.
 */
export async function setPassword(db: Db, userId: string, password: string, now: Date, owner: PasswordOwner = {}, field = "password"): Promise<void> {
  const problems = checkPasswordPolicy(password, owner, field);
  if (problems.length)
    throw invalid(`The password does not meet the policy: ${problems.map((p) => p.reason).join("; ")}. Use at least ${MIN_PASSWORD_LENGTH} characters, not your email or name, not a common password.`, problems);
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

/**
 * The actor a user acts as: roles from auth_user_role, attributes ($actor variables) from the user
 * record and the directory's org lookup. A token's scopes narrow its rights (access); the admin API
 * needs the admin role and, for a token, the scope "all" or "admin".
 */
export async function actorFor(db: Db, user: UserInfo, via: "user" | "token", scopes?: string[], users?: Pick<UserDirectory, "orgOf">): Promise<Actor> {
  const roles = await getRoles(db, user.id);
  const org = users?.orgOf ? await users.orgOf(user.id) : undefined;
  const adminScoped = !scopes || scopes.includes("all") || scopes.includes(ADMIN_ROLE);
  const actor: Actor = {
    kind: via,
    id: user.id,
    name: user.name,
    isAdmin: roles.includes(ADMIN_ROLE) && adminScoped,
    roles,
    attrs: {
      id: user.id,
      name: user.name,
      email: user.email,
      locale: user.locale,
      team: user.team,
      region: user.region,
      roles,
      manager: org?.manager ?? null,
      teams: org?.teams ?? (user.team ? [user.team] : []),
      subordinates: org?.subordinates ?? [],
      partner: org?.partner ?? null,
      userType: org?.userType ?? "internal",
    },
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
  await setPassword(db, user.id, password, opts.now, { email, name: user.name });
  await setRoles(db, user.id, [...(await getRoles(db, user.id)), ADMIN_ROLE]);
  return { created: true, email, userId: user.id, ...(opts.password ? {} : { generatedPassword: password }) };
}
