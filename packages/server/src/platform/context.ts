/**
 * The context every service function takes first: database (or open transaction), who acts,
 * the live metadata, a clock and a logger. Built per request by platform/http, per command by the CLI.
 */
import type { Kysely } from "kysely";
import type { MetadataLookup } from "@revline/core";

export type Dialect = "sqlite" | "postgres";

/** Who acts. Background work uses the explicit `systemActor`. */
export type Actor = {
  kind: "user" | "token" | "system";
  /** user id (for a token: the user it acts for; for system: "system"). */
  id: string;
  name: string;
  isAdmin: boolean;
  roles: string[];
  /** Attributes usable as $actor variables in conditions: id, team, region, teams, ... */
  attrs: Record<string, unknown>;
  /** Token scopes, when kind = "token". */
  scopes?: string[];
};

export const systemActor: Actor = { kind: "system", id: "system", name: "system", isAdmin: true, roles: ["admin"], attrs: { id: "system" } };

export type Logger = {
  info: (obj: unknown, msg?: string) => void;
  warn: (obj: unknown, msg?: string) => void;
  error: (obj: unknown, msg?: string) => void;
};

export type Db = {
  kysely: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- object tables are dynamic
  dialect: Dialect;
};

export type Ctx = {
  db: Db;
  actor: Actor;
  meta: MetadataLookup;
  clock: () => Date;
  log: Logger;
  /** Client info for the audit log. */
  client?: { ip?: string; userAgent?: string };
};
