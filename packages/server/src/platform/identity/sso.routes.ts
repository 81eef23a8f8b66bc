/**
 * Single sign-on routes: public status (for the login page), start and callback of the OIDC code
 * flow, and the admin settings API (the client secret is write-only).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as oidc from "openid-client";
import { invalid } from "@revline/core";
import { systemActor } from "../context";
import { withTransaction } from "../db";
import { requireAdmin } from "../http";
import type { AuthDeps } from "./authenticate";
import { ANONYMOUS_ACTOR, auditAuth } from "./auth-audit";
import { completeSignIn } from "./identity.routes";
import { normalizeEmail, getRoles, setRoles, ADMIN_ROLE } from "./users";
import {
  claimString,
  deleteSsoConfig,
  linkedUserId,
  linkIdentity,
  loadSsoConfig,
  newSsoSecrets,
  oidcConfiguration,
  rolesFromClaims,
  saveSsoConfig,
  validateSsoSettings,
  saveSsoState,
  takeSsoState,
  DEFAULT_SSO_SETTINGS,
  SSO_STATE_COOKIE,
  SSO_STATE_TTL_MS,
  type SsoConfig,
  type SsoSettings,
} from "./sso";

const settingsProperties = {
  enabled: { type: "boolean" },
  issuer: { type: "string", minLength: 1, maxLength: 500 },
  clientId: { type: "string", minLength: 1, maxLength: 500 },
  clientSecret: { type: ["string", "null"], maxLength: 2000 },
  scopes: { type: "array", items: { type: "string", minLength: 1, maxLength: 100 }, minItems: 1, maxItems: 30 },
  emailClaim: { type: "string", minLength: 1, maxLength: 200 },
  nameClaim: { type: "string", minLength: 1, maxLength: 200 },
  roleClaim: { type: ["string", "null"], maxLength: 200 },
  roleMapping: { type: "object", additionalProperties: { type: "string", maxLength: 64 }, maxProperties: 200 },
  defaultRoles: { type: "array", items: { type: "string", maxLength: 64 }, maxItems: 50 },
  autoCreate: { type: "boolean" },
  linkByEmail: { type: "boolean" },
  redirectUri: { type: ["string", "null"], maxLength: 500 },
} as const;

const putSchema = { body: { type: "object", required: ["issuer", "clientId"], additionalProperties: false, properties: settingsProperties } } as const;
const startSchema = { querystring: { type: "object", additionalProperties: false, properties: { returnTo: { type: "string", maxLength: 500 } } } } as const;

type PutBody = Partial<SsoSettings> & { issuer: string; clientId: string; clientSecret?: string | null };

const ssoEnv = (deps: AuthDeps) => deps.env ?? process.env;

function redirectUriOf(request: FastifyRequest, c: SsoConfig): string {
  return c.settings.redirectUri ?? `${request.protocol}://${request.host}/api/auth/sso/callback`;
}

/**
 * Only paths of this site: never an open redirect. Resolved the way a browser resolves a Location
 * (which drops tabs and newlines and reads "\\" as "/"), so "/\t/evil.example" cannot become "//evil.example".
 */
function safeReturnTo(v: string | undefined | null): string {
  if (!v || !v.startsWith("/")) return "/";
  const base = "http://revline.invalid";
  try {
    const u = new URL(v, base);
    return u.origin === base ? `${u.pathname}${u.search}${u.hash}` : "/";
  } catch {
    return "/";
  }
}

function publicView(c: SsoConfig | undefined, request: FastifyRequest) {
  if (!c) return { configured: false, source: null, settings: null, hasClientSecret: false, redirectUri: `${request.protocol}://${request.host}/api/auth/sso/callback` };
  return { configured: true, source: c.source, settings: c.settings, hasClientSecret: !!c.clientSecret, redirectUri: redirectUriOf(request, c) };
}

class SsoRefusal extends Error {
  constructor(
    readonly code: "not_configured" | "state" | "provider" | "exchange" | "no_email" | "unknown_user" | "inactive",
    message: string,
  ) {
    super(message);
  }
}

export function registerSsoRoutes(app: FastifyInstance, deps: AuthDeps): void {
  app.get("/api/auth/sso/status", { config: { isPublic: true } }, async () => {
    const c = await loadSsoConfig(deps.db, ssoEnv(deps));
    return { enabled: !!c?.settings.enabled };
  });

  app.get("/api/auth/sso", async (request) => {
    requireAdmin(request);
    return publicView(await loadSsoConfig(deps.db, ssoEnv(deps)), request);
  });

  app.put("/api/auth/sso", { schema: putSchema }, async (request) => {
    const ctx = requireAdmin(request);
    const body = request.body as PutBody;
    const { clientSecret, ...rest } = body;
    const settings: SsoSettings = { ...DEFAULT_SSO_SETTINGS, ...rest };
    // Roles named by the mapping must exist: a typo would silently grant nothing.
    const known = deps.knownRoles?.();
    if (known) {
      validateSsoSettings(settings); // format problems first, all of them in one 400
      const unknown = [
        ...Object.entries(settings.roleMapping).filter(([, role]) => !known.includes(role)).map(([value, role]) => ({ field: `roleMapping.${value}`, reason: `no role named "${role}"`, code: "unknown_role" })),
        ...settings.defaultRoles.filter((role) => !known.includes(role)).map((role) => ({ field: "defaultRoles", reason: `no role named "${role}"`, code: "unknown_role" })),
      ];
      if (unknown.length) throw invalid(`The single sign-on settings name roles that do not exist: ${unknown.map((u) => u.reason.slice(13)).join(", ")}.`, unknown);
    }
    await withTransaction(deps.db, async (db) => {
      await saveSsoConfig(db, settings, clientSecret, ctx.actor.id, deps.clock());
      await auditAuth(deps, db, request, ctx.actor, [
        { action: "auth.sso_configured", object: "sso", changes: { settings: { after: settings }, clientSecret: { after: clientSecret === undefined ? "unchanged" : clientSecret === null ? "removed" : "set" } } },
      ]);
    });
    return publicView(await loadSsoConfig(deps.db, ssoEnv(deps)), request);
  });

  app.delete("/api/auth/sso", async (request, reply) => {
    const ctx = requireAdmin(request);
    await withTransaction(deps.db, async (db) => {
      await deleteSsoConfig(db);
      await auditAuth(deps, db, request, ctx.actor, [{ action: "auth.sso_configured", object: "sso", changes: { settings: { after: null } } }]);
    });
    return reply.code(204).send();
  });

  app.get("/api/auth/sso/start", { config: { isPublic: true }, schema: startSchema }, async (request, reply) => {
    const c = await loadSsoConfig(deps.db, ssoEnv(deps));
    if (!c?.settings.enabled) return refuse(reply, "not_configured");
    let config: oidc.Configuration;
    try {
      config = await oidcConfiguration(c);
    } catch (e) {
      request.log.warn({ err: e }, "OIDC discovery failed");
      return refuse(reply, "provider");
    }
    const { state, nonce, codeVerifier } = newSsoSecrets();
    const returnTo = safeReturnTo((request.query as { returnTo?: string }).returnTo);
    await saveSsoState(deps.db, state, { codeVerifier, nonce, returnTo }, deps.clock());
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUriOf(request, c),
      scope: c.settings.scopes.join(" "),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    void reply.setCookie(SSO_STATE_COOKIE, state, {
      path: "/api/auth/sso",
      httpOnly: true,
      sameSite: "lax",
      secure: request.protocol === "https",
      maxAge: SSO_STATE_TTL_MS / 1000,
    });
    return reply.redirect(url.href, 302);
  });

  app.get("/api/auth/sso/callback", { config: { isPublic: true } }, async (request, reply) => {
    void reply.clearCookie(SSO_STATE_COOKIE, { path: "/api/auth/sso" });
    try {
      const c = await loadSsoConfig(deps.db, ssoEnv(deps));
      if (!c?.settings.enabled) throw new SsoRefusal("not_configured", "single sign-on is not configured");
      const query = request.query as Record<string, unknown>;
      const state = typeof query.state === "string" ? query.state : "";
      const cookieState = request.cookies?.[SSO_STATE_COOKIE];
      // The state must come back to the browser that started the sign-in (no login CSRF).
      if (!state || !cookieState || state !== cookieState) throw new SsoRefusal("state", "the state does not match this browser's sign-in");
      const saved = await takeSsoState(deps.db, state, deps.clock());
      if (!saved) throw new SsoRefusal("state", "the sign-in is unknown, expired or already used");
      if (typeof query.error === "string") throw new SsoRefusal("provider", `the provider answered ${query.error}`);
      const config = await oidcConfiguration(c);
      const redirectUri = redirectUriOf(request, c);
      const currentUrl = new URL(redirectUri);
      currentUrl.search = new URL(request.url, "http://x").search;
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: saved.codeVerifier,
          expectedState: state,
          expectedNonce: saved.nonce,
          idTokenExpected: true,
        });
        claims = { ...(tokens.claims() ?? {}) };
        const missing = !claimString(claims, c.settings.emailClaim) || (c.settings.roleClaim && !(c.settings.roleClaim in claims));
        if (missing && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
          claims = { ...info, ...claims }; // the signed ID token wins over userinfo
        }
      } catch (e) {
        request.log.warn({ err: e }, "OIDC code exchange refused");
        // openid-client's message is generic ("unexpected JWT claim value"); its cause names the claim.
        const why = e instanceof Error ? [e.message, e.cause instanceof Error ? e.cause.message : undefined].filter(Boolean).join(": ") : "";
        throw new SsoRefusal("exchange", why || "the code exchange failed");
      }
      const issuer = config.serverMetadata().issuer;
      const subject = String(claims.sub);
      const emailRaw = claimString(claims, c.settings.emailClaim);
      const email = emailRaw ? normalizeEmail(emailRaw) : undefined;
      const now = deps.clock();
      let userId = await linkedUserId(deps.db, issuer, subject);
      let user = userId ? await deps.users.getById(userId) : undefined;
      if (!user) {
        if (!email) throw new SsoRefusal("no_email", `the provider sent no ${c.settings.emailClaim} claim`);
        // An address the provider itself calls unverified may be anyone's: it neither links nor creates a user.
        if (c.settings.emailClaim === "email" && claims.email_verified === false)
          throw new SsoRefusal("no_email", `the provider says the email ${email} is not verified`);
        const byEmail = c.settings.linkByEmail ? await deps.users.findByEmail(email) : undefined;
        if (byEmail) user = byEmail;
        else if (c.settings.autoCreate) user = await deps.users.create({ name: claimString(claims, c.settings.nameClaim) ?? email, email });
        else throw new SsoRefusal("unknown_user", `no Revline user has the email ${email}, and automatic creation is off`);
        userId = user.id;
        await linkIdentity(deps.db, issuer, subject, user.id, now);
      }
      if (!user.isActive) throw new SsoRefusal("inactive", "the user is deactivated");
      const mapped = rolesFromClaims(c.settings, claims);
      if (mapped) {
        const u = user;
        let roles = mapped;
        // The mapping never takes away the last active administrator: that would lock everyone out of the admin UI.
        if (!roles.includes(ADMIN_ROLE) && (await getRoles(deps.db, u.id)).includes(ADMIN_ROLE) && !(await hasOtherActiveAdmin(deps, u.id))) {
          request.log.warn({ userId: u.id }, "SSO role mapping would remove the last administrator; the admin role is kept");
          roles = [...roles, ADMIN_ROLE].sort();
        }
        await withTransaction(deps.db, async (db) => {
          const before = await getRoles(db, u.id);
          if (JSON.stringify(before) === JSON.stringify(roles)) return;
          await setRoles(db, u.id, roles);
          await auditAuth(deps, db, request, systemActor, [
            { action: "access.user_roles_changed", object: "user", recordId: u.id, changes: { roles: { before, after: roles }, source: { after: "sso" } } },
          ]);
        });
        deps.cache?.clear();
      }
      await completeSignIn(deps, request, reply, user, "sso");
      return reply.redirect(safeReturnTo(saved.returnTo), 302);
    } catch (e) {
      if (!(e instanceof SsoRefusal)) throw e;
      await withTransaction(deps.db, (db) =>
        auditAuth(deps, db, request, ANONYMOUS_ACTOR, [{ action: "auth.login_failed", changes: { method: { after: "sso" }, reason: { after: `${e.code}: ${e.message}`.slice(0, 500) } } }]),
      );
      return refuse(reply, e.code);
    }
  });
}

async function hasOtherActiveAdmin(deps: AuthDeps, userId: string): Promise<boolean> {
  const holders = (await deps.db.kysely.selectFrom("auth_user_role").select("user_id").where("role", "=", ADMIN_ROLE).where("user_id", "!=", userId).execute()) as { user_id: string }[];
  for (const h of holders) if ((await deps.users.getById(h.user_id))?.isActive) return true;
  return false;
}

/** Back to the login page, which explains the refusal in the user's language. */
function refuse(reply: FastifyReply, code: string): FastifyReply {
  return reply.redirect(`/login?sso_error=${encodeURIComponent(code)}`, 302);
}
