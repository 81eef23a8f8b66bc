import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/**
 * Sign-in state for users (who are records of the standard `user` object): password hashes, roles,
 * sessions and API tokens. Secrets are stored only as hashes (argon2id for passwords, sha256 for
 * random session and token values). No foreign keys to obj_user: object tables come from schema
 * sync, after the system migrations.
 */
export const identityMigration: Migration = {
  id: "002-identity",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table auth_credential (
      user_id text primary key,
      password_hash text,
      updated_at ${t.timestamp} not null)`);
    await run(`create table auth_user_role (
      user_id text not null,
      role text not null,
      primary key (user_id, role))`);
    await run(`create table auth_session (
      id text primary key,
      user_id text not null,
      created_at ${t.timestamp} not null,
      expires_at ${t.timestamp} not null,
      ip text,
      user_agent text)`);
    await run(`create index auth_session_user on auth_session (user_id)`);
    await run(`create index auth_session_expires on auth_session (expires_at)`);
    await run(`create table api_token (
      id text primary key,
      user_id text not null,
      name text not null,
      token_hash text not null unique,
      scopes text not null,
      created_at ${t.timestamp} not null,
      created_by text not null,
      expires_at ${t.timestamp},
      last_used_at ${t.timestamp},
      revoked_at ${t.timestamp})`);
    await run(`create index api_token_user on api_token (user_id)`);
  },
};
