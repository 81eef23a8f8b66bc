/**
 * Single sign-on with OpenID Connect (authorization code flow with PKCE, state and nonce, through
 * openid-client). Settings come from the database (admin API) or, when none are saved, from the
 * environment (REVLINE_OIDC_*). The client secret stays on the server: it is never returned.
 *
 * A sign-in: /start makes a random state, nonce and PKCE verifier, stores them (state as sha256,
 * 10 minutes, single use) and puts the state in an httpOnly cookie bound to this browser; /callback
 * requires the query's state to equal that cookie, exchanges the code (openid-client checks state,
 * nonce, issuer, audience and signature), then finds the user by the provider's (issuer, subject)
 * link, else by email (linking them), else creates them when auto-create is on. Roles mapped from a
 * claim (e.g. groups) replace the user's roles on every sign-in when a mapping is configured.
 */
import * as oidc from "openid-client";
import { invalid } from "@revline/core";
import type { Db } from "../context";
import { toIsoTimestamp } from "../db";
import { randomSecret, sha256Hex } from "./secrets";

export const SSO_STATE_COOKIE = "revline_sso";
export const SSO_STATE_TTL_MS = 10 * 60 * 1000;
const CONFIG_ID = "oidc";

export type SsoSettings = {
  enabled: boolean;
  /** e.g. https://keycloak.example.com/realms/acme or https://login.microsoftonline.com/<tenant>/v2.0 */
  issuer: string;
  clientId: string;
  scopes: string[];
  /** The claim that holds the user's email (default "email"; Azure AD often "preferred_username" or "upn"). */
  emailClaim: string;
  /** The claim that holds the display name (default "name"). */
  nameClaim: string;
  /** The claim whose values map to roles (e.g. "groups", "roles"); null = roles are not managed by SSO. */
  roleClaim: string | null;
  /** Claim value -> Revline role name, e.g. { "sales-managers": "sales_manager" }. */
  roleMapping: Record<string, string>;
  /** Roles given when the mapping yields none (only with a role claim and mapping). */
  defaultRoles: string[];
  /** Create a user on first sign-in when no user has the email. */
  autoCreate: boolean;
  /** Link a first sign-in to an existing user with the same email. */
  linkByEmail: boolean;
  /** The callback URL registered at the provider; default <this server>/api/auth/sso/callback. */
  redirectUri: string | null;
};

export type SsoConfig = { settings: SsoSettings; clientSecret: string | null; source: "database" | "environment" };

export const DEFAULT_SSO_SETTINGS: Omit<SsoSettings, "issuer" | "clientId"> = {
  enabled: true,
  scopes: ["openid", "email", "profile"],
  emailClaim: "email",
  nameClaim: "name",
  roleClaim: null,
  roleMapping: {},
  defaultRoles: [],
  autoCreate: false,
  linkByEmail: true,
  redirectUri: null,
};

const ROLE_NAME = /^[a-z0-9_]{1,64}$/;
const CLAIM_NAME = /^[A-Za-z0-9_:./-]{1,200}$/;

const isLoopback = (u: URL) => ["127.0.0.1", "localhost", "[::1]", "::1"].includes(u.hostname);

function parseUrl(value: string, field: string, errors: { field: string; reason: string; code?: string }[]): URL | undefined {
  try {
    const u = new URL(value);
    if (u.protocol === "https:" || (u.protocol === "http:" && isLoopback(u))) return u;
    errors.push({ field, reason: "must be an https URL (http only on 127.0.0.1/localhost)", code: "url" });
  } catch {
    errors.push({ field, reason: "is not a URL", code: "url" });
  }
  return undefined;
}

/** Checks settings; throws a 400 naming each bad field. */
export function validateSsoSettings(s: SsoSettings): SsoSettings {
  const errors: { field: string; reason: string; code?: string }[] = [];
  parseUrl(s.issuer, "issuer", errors);
  if (s.redirectUri) parseUrl(s.redirectUri, "redirectUri", errors);
  if (!s.clientId.trim()) errors.push({ field: "clientId", reason: "must not be empty", code: "required" });
  if (!s.scopes.includes("openid")) errors.push({ field: "scopes", reason: 'must include "openid"', code: "openid" });
  for (const sc of s.scopes) if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(sc)) errors.push({ field: "scopes", reason: `"${sc}" is not a valid scope`, code: "scope" });
  for (const [field, claim] of [["emailClaim", s.emailClaim], ["nameClaim", s.nameClaim], ["roleClaim", s.roleClaim]] as const)
    if (claim !== null && !CLAIM_NAME.test(claim)) errors.push({ field, reason: "is not a valid claim name", code: "claim" });
  for (const [value, role] of Object.entries(s.roleMapping)) {
    if (!value || value.length > 200) errors.push({ field: "roleMapping", reason: "claim values must be 1 to 200 characters", code: "claim_value" });
    if (!ROLE_NAME.test(role)) errors.push({ field: `roleMapping.${value}`, reason: `"${role}" is not a role name (a-z, 0-9, _)`, code: "role" });
  }
  for (const role of s.defaultRoles) if (!ROLE_NAME.test(role)) errors.push({ field: "defaultRoles", reason: `"${role}" is not a role name (a-z, 0-9, _)`, code: "role" });
  if (Object.keys(s.roleMapping).length && !s.roleClaim) errors.push({ field: "roleClaim", reason: "is required when roleMapping is set", code: "required" });
  if (errors.length) throw invalid(`The single sign-on settings are invalid: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}.`, errors);
  return s;
}

/** REVLINE_OIDC_ROLE_MAP: JSON ({"group":"role"}) or "group=role,group2=role2". */
function parseRoleMap(raw: string | undefined): Record<string, string> {
  if (!raw?.trim()) return {};
  const t = raw.trim();
  if (t.startsWith("{")) return JSON.parse(t) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const pair of t.split(",")) {
    const i = pair.lastIndexOf("=");
    if (i > 0) out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

const list = (raw: string | undefined, sep: RegExp) => (raw ?? "").split(sep).map((s) => s.trim()).filter(Boolean);
const flag = (raw: string | undefined, dflt: boolean) => (raw === undefined || raw === "" ? dflt : ["1", "true", "yes", "on"].includes(raw.toLowerCase()));

export function ssoConfigFromEnv(env: Record<string, string | undefined>): SsoConfig | undefined {
  const issuer = env.REVLINE_OIDC_ISSUER?.trim();
  const clientId = env.REVLINE_OIDC_CLIENT_ID?.trim();
  if (!issuer || !clientId) return undefined;
  const scopes = list(env.REVLINE_OIDC_SCOPES, /[\s,]+/);
  const settings: SsoSettings = {
    ...DEFAULT_SSO_SETTINGS,
    issuer,
    clientId,
    ...(scopes.length ? { scopes } : {}),
    emailClaim: env.REVLINE_OIDC_EMAIL_CLAIM?.trim() || DEFAULT_SSO_SETTINGS.emailClaim,
    nameClaim: env.REVLINE_OIDC_NAME_CLAIM?.trim() || DEFAULT_SSO_SETTINGS.nameClaim,
    roleClaim: env.REVLINE_OIDC_ROLE_CLAIM?.trim() || null,
    roleMapping: parseRoleMap(env.REVLINE_OIDC_ROLE_MAP),
    defaultRoles: list(env.REVLINE_OIDC_DEFAULT_ROLES, /[\s,]+/),
    autoCreate: flag(env.REVLINE_OIDC_AUTO_CREATE, false),
    linkByEmail: flag(env.REVLINE_OIDC_LINK_BY_EMAIL, true),
    redirectUri: env.REVLINE_OIDC_REDIRECT_URI?.trim() || null,
  };
  return { settings: validateSsoSettings(settings), clientSecret: env.REVLINE_OIDC_CLIENT_SECRET ?? null, source: "environment" };
}

export async function loadSsoConfig(db: Db, env: Record<string, string | undefined>): Promise<SsoConfig | undefined> {
  const row: { config: string; client_secret: string | null } | undefined = await db.kysely.selectFrom("auth_sso_config").select(["config", "client_secret"]).where("id", "=", CONFIG_ID).executeTakeFirst();
  if (row) return { settings: { ...DEFAULT_SSO_SETTINGS, ...(JSON.parse(row.config) as SsoSettings) }, clientSecret: row.client_secret, source: "database" };
  return ssoConfigFromEnv(env);
}

/** Saves settings; a clientSecret of undefined keeps the stored one, null removes it. */
export async function saveSsoConfig(db: Db, settings: SsoSettings, clientSecret: string | null | undefined, by: string, now: Date): Promise<void> {
  validateSsoSettings(settings);
  const prev: { client_secret: string | null } | undefined = await db.kysely.selectFrom("auth_sso_config").select("client_secret").where("id", "=", CONFIG_ID).executeTakeFirst();
  const secret = clientSecret === undefined ? (prev?.client_secret ?? null) : clientSecret;
  await db.kysely.deleteFrom("auth_sso_config").where("id", "=", CONFIG_ID).execute();
  await db.kysely
    .insertInto("auth_sso_config")
    .values({ id: CONFIG_ID, config: JSON.stringify(settings), client_secret: secret, updated_at: now.toISOString(), updated_by: by })
    .execute();
  forgetDiscovery();
}

export async function deleteSsoConfig(db: Db): Promise<void> {
  await db.kysely.deleteFrom("auth_sso_config").where("id", "=", CONFIG_ID).execute();
  forgetDiscovery();
}

// Provider metadata (discovery) is fetched once per settings and kept 10 minutes.
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();
function forgetDiscovery(): void {
  discovered.clear();
}

export function oidcConfiguration(c: SsoConfig): Promise<oidc.Configuration> {
  const key = JSON.stringify([c.settings.issuer, c.settings.clientId, c.clientSecret]);
  const hit = discovered.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const issuer = new URL(c.settings.issuer);
  const auth = c.clientSecret ? oidc.ClientSecretBasic(c.clientSecret) : oidc.None();
  const config = oidc.discovery(issuer, c.settings.clientId, undefined, auth, {
    ...(issuer.protocol === "http:" && isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
    timeout: 10,
  });
  discovered.set(key, { at: Date.now(), config });
  config.catch(() => discovered.delete(key));
  return config;
}

export type SsoState = { codeVerifier: string; nonce: string; returnTo: string | null };

export async function saveSsoState(db: Db, state: string, s: SsoState, now: Date): Promise<void> {
  await db.kysely.deleteFrom("auth_sso_state").where("expires_at", "<=", now.toISOString()).execute();
  await db.kysely
    .insertInto("auth_sso_state")
    .values({ id: sha256Hex(state), code_verifier: s.codeVerifier, nonce: s.nonce, return_to: s.returnTo, expires_at: new Date(now.getTime() + SSO_STATE_TTL_MS).toISOString() })
    .execute();
}

/** The stored state of a sign-in in flight, deleted as it is read (single use); undefined when unknown or expired. */
export async function takeSsoState(db: Db, state: string, now: Date): Promise<SsoState | undefined> {
  const id = sha256Hex(state);
  const row: { code_verifier: string; nonce: string; return_to: string | null; expires_at: unknown } | undefined = await db.kysely
    .selectFrom("auth_sso_state")
    .select(["code_verifier", "nonce", "return_to", "expires_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const r = await db.kysely.deleteFrom("auth_sso_state").where("id", "=", id).executeTakeFirst();
  if (Number(r.numDeletedRows) !== 1) return undefined; // another request took it
  if (Date.parse(toIsoTimestamp(row.expires_at)!) <= now.getTime()) return undefined;
  return { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to };
}

export const newSsoSecrets = () => ({ state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() });
export { randomSecret };

export async function linkedUserId(db: Db, issuer: string, subject: string): Promise<string | undefined> {
  const row: { user_id: string } | undefined = await db.kysely.selectFrom("auth_sso_identity").select("user_id").where("issuer", "=", issuer).where("subject", "=", subject).executeTakeFirst();
  return row?.user_id;
}

export async function linkIdentity(db: Db, issuer: string, subject: string, userId: string, now: Date): Promise<void> {
  await db.kysely.deleteFrom("auth_sso_identity").where("issuer", "=", issuer).where("subject", "=", subject).execute();
  await db.kysely.insertInto("auth_sso_identity").values({ issuer, subject, user_id: userId, created_at: now.toISOString() }).execute();
}

/** Roles for the claims: the mapped roles of the claim's values, or defaultRoles when none map; undefined when SSO does not manage roles. */
export function rolesFromClaims(settings: SsoSettings, claims: Record<string, unknown>): string[] | undefined {
  if (!settings.roleClaim || !Object.keys(settings.roleMapping).length) return undefined;
  const raw = claims[settings.roleClaim];
  const values = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(/[\s,]+/).filter(Boolean) : [];
  const mapped = [...new Set(values.flatMap((v) => (Object.hasOwn(settings.roleMapping, v) ? [settings.roleMapping[v]!] : [])))].sort();
  return mapped.length ? mapped : [...settings.defaultRoles].sort();
}

/** A claim as a trimmed string, or undefined. */
export function claimString(claims: Record<string, unknown>, name: string): string | undefined {
  const v = claims[name];
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}
