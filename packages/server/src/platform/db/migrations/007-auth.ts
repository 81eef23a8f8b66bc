import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/**
 * Sign-in hardening (issue 3): TOTP second factor with single-use recovery codes, the short-lived
 * challenge between the password step and the code step, failed sign-ins per account (lock-out that
 * holds across app nodes), and OpenID Connect single sign-on (its settings, the state of a sign-in
 * in flight, and which provider account is linked to which user). Secrets are hashes except the TOTP
 * secret and the SSO client secret, which the server must read back to use.
 */
export const authMigration: Migration = {
  id: "007-auth",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table auth_totp (
      user_id text primary key,
      secret text not null,
      enabled_at ${t.timestamp},
      last_step ${t.bigint},
      created_at ${t.timestamp} not null)`);
    await run(`create table auth_recovery_code (
      user_id text not null,
      code_hash text not null,
      used_at ${t.timestamp},
      primary key (user_id, code_hash))`);
    await run(`create table auth_login_challenge (
      id text primary key,
      user_id text not null,
      expires_at ${t.timestamp} not null,
      attempts integer not null default 0)`);
    await run(`create table auth_login_failure (
      id text primary key,
      account text not null,
      at ${t.timestamp} not null)`);
    await run(`create index auth_login_failure_account on auth_login_failure (account, at)`);
    await run(`create table auth_sso_config (
      id text primary key,
      config text not null,
      client_secret text,
      updated_at ${t.timestamp} not null,
      updated_by text not null)`);
    await run(`create table auth_sso_state (
      id text primary key,
      code_verifier text not null,
      nonce text not null,
      return_to text,
      expires_at ${t.timestamp} not null)`);
    await run(`create table auth_sso_identity (
      issuer text not null,
      subject text not null,
      user_id text not null,
      created_at ${t.timestamp} not null,
      primary key (issuer, subject))`);
    await run(`create index auth_sso_identity_user on auth_sso_identity (user_id)`);
  },
};
