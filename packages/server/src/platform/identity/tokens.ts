/**
 * API tokens for integrations: `rvl_<random>`, shown once at creation, stored as sha256. A token acts
 * as the user it belongs to, narrowed by its scopes (enforced by the access layer): "all" = the user's
 * rights, "read", "write" (read + create/update/delete), "export", "import", "admin".
 */
import { v7 as uuidv7 } from "uuid";
import { invalid, notFound } from "@revline/core";
import type { Db } from "../context";
import { toIsoTimestamp } from "../db";
import { randomSecret, sha256Hex } from "./secrets";

export const TOKEN_PREFIX = "rvl_";
export const DEFAULT_TOKEN_SCOPES = ["all"];
export const TOKEN_SCOPES = ["all", "read", "write", "export", "import", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
// last_used_at is a hint for admins, not an audit trail: write it at most once a minute per token.
const LAST_USED_PRECISION_MS = 60_000;

export type ApiToken = {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

type TokenRow = {
  id: string;
  user_id: string;
  name: string;
  scopes: string;
  created_at: unknown;
  created_by: string;
  expires_at: unknown;
  last_used_at: unknown;
  revoked_at: unknown;
};

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: toIsoTimestamp(r.created_at)!,
    createdBy: r.created_by,
    expiresAt: toIsoTimestamp(r.expires_at),
    lastUsedAt: toIsoTimestamp(r.last_used_at),
    revokedAt: toIsoTimestamp(r.revoked_at),
  };
}

export type NewToken = { userId: string; name: string; expiresAt?: Date | null; scopes?: string[]; createdBy: string };

export async function createToken(db: Db, input: NewToken, now: Date): Promise<{ token: string; apiToken: ApiToken }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw invalid("A token needs a name of 1 to 100 characters.", [{ field: "name", reason: "must be 1 to 100 characters" }]);
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime())
    throw invalid("The expiry must be in the future.", [{ field: "expiresAt", reason: "must be in the future" }]);
  const scopes = [...new Set(input.scopes ?? DEFAULT_TOKEN_SCOPES)];
  const unknown = scopes.filter((x) => !(TOKEN_SCOPES as readonly string[]).includes(x));
  if (unknown.length)
    throw invalid(`Unknown token scope ${unknown.map((x) => `"${x}"`).join(", ")}; the scopes are ${TOKEN_SCOPES.join(", ")}.`, [
      { field: "scopes", reason: `unknown scope ${unknown.join(", ")}; expected one of ${TOKEN_SCOPES.join(", ")}`, code: "enum" },
    ]);
  if (!scopes.length) throw invalid("A token needs at least one scope.", [{ field: "scopes", reason: "must name at least one scope", code: "required" }]);
  const token = TOKEN_PREFIX + randomSecret();
  const row: TokenRow = {
    id: uuidv7(),
    user_id: input.userId,
    name,
    scopes: JSON.stringify(scopes),
    created_at: now.toISOString(),
    created_by: input.createdBy,
    expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
    last_used_at: null,
    revoked_at: null,
  };
  await db.kysely.insertInto("api_token").values({ ...row, token_hash: sha256Hex(token) }).execute();
  return { token, apiToken: toToken(row) };
}

const COLUMNS = ["id", "user_id", "name", "scopes", "created_at", "created_by", "expires_at", "last_used_at", "revoked_at"] as const;

export async function listTokens(db: Db): Promise<ApiToken[]> {
  const rows = (await db.kysely.selectFrom("api_token").select([...COLUMNS]).orderBy("id", "desc").execute()) as TokenRow[];
  return rows.map(toToken);
}

export async function getToken(db: Db, id: string): Promise<ApiToken | undefined> {
  const row = (await db.kysely.selectFrom("api_token").select([...COLUMNS]).where("id", "=", id).executeTakeFirst());
  return row ? toToken(row) : undefined;
}

/** Revokes every live token of a user (deactivation); returns how many. */
export async function revokeUserTokens(db: Db, userId: string, now: Date): Promise<number> {
  const r = await db.kysely.updateTable("api_token").set({ revoked_at: now.toISOString() }).where("user_id", "=", userId).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function revokeToken(db: Db, id: string, now: Date): Promise<void> {
  const r = await db.kysely
    .updateTable("api_token")
    .set({ revoked_at: now.toISOString() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    const exists = await db.kysely.selectFrom("api_token").select("id").where("id", "=", id).executeTakeFirst();
    if (!exists) throw notFound(`No API token with id ${id}.`);
  }
}

/** The live token a bearer value names (not revoked, not expired); records its use. */
export async function findLiveToken(db: Db, bearer: string, now: Date): Promise<ApiToken | undefined> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return undefined;
  const row: TokenRow | undefined = await db.kysely
    .selectFrom("api_token")
    .select([...COLUMNS])
    .where("token_hash", "=", sha256Hex(bearer))
    .executeTakeFirst();
  if (!row) return undefined;
  const t = toToken(row);
  if (t.revokedAt) return undefined;
  if (t.expiresAt && Date.parse(t.expiresAt) <= now.getTime()) return undefined;
  if (!t.lastUsedAt || now.getTime() - Date.parse(t.lastUsedAt) > LAST_USED_PRECISION_MS) {
    await db.kysely.updateTable("api_token").set({ last_used_at: now.toISOString() }).where("id", "=", t.id).execute();
  }
  return t;
}
