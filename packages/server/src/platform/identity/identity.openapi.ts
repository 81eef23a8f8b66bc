/** The OpenAPI description of the sign-in endpoints (app.ts hands it to the document builder). */
import { oaBody as body, oaJson as json, oaObj as obj, oaOk as ok, oaProblems as problems, oaStr as str, type OaSchema as Schema } from "../http";
const PUBLIC: Schema[] = [];
const tags = ["auth"];
const locked = {
  "429": {
    description: "Too many failed sign-ins for this account (5 in 15 minutes): locked until Retry-After seconds have passed",
    headers: { "Retry-After": { schema: { type: "integer" }, description: "seconds until the account may try again" } },
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  },
};
const signedIn = ok("Signed in: the revline_session (httpOnly) and revline_csrf cookies are set", obj({ user: { $ref: "#/components/schemas/User" }, csrfToken: { ...str, description: "the value to send as X-CSRF-Token with unsafe cookie-authenticated requests" } }));
const recoveryCodes = ok("The recovery codes, shown only in this response", obj({ recoveryCodes: { type: "array", items: str, minItems: 10, maxItems: 10 } }));
const codeBody = body(obj({ code: { ...str, description: "a 6-digit code from the authenticator app (or, where accepted, a recovery code)" } }));
const SCOPES = ["all", "read", "write", "export", "import", "admin"];

const SSO_SETTINGS: Schema = {
  type: "object",
  properties: {
    enabled: { type: "boolean" },
    issuer: { ...str, description: "issuer URL (https; http only on 127.0.0.1/localhost)" },
    clientId: str,
    scopes: { type: "array", items: str, description: 'must include "openid"; default openid email profile' },
    emailClaim: { ...str, description: 'default "email"' },
    nameClaim: { ...str, description: 'default "name"' },
    roleClaim: { type: ["string", "null"], description: 'e.g. "groups"; null = roles are not managed by SSO' },
    roleMapping: { type: "object", additionalProperties: str, description: 'claim value -> role name, e.g. {"sales-managers":"sales_manager"}' },
    defaultRoles: { type: "array", items: str, description: "roles when the mapping yields none" },
    autoCreate: { type: "boolean", description: "create unknown users on first sign-in" },
    linkByEmail: { type: "boolean", description: "link a first sign-in to the user with the same email" },
    redirectUri: { type: ["string", "null"], description: "callback URL registered at the provider; default <server>/api/auth/sso/callback" },
  },
};
const SSO_VIEW: Schema = {
  type: "object",
  required: ["configured", "source", "settings", "hasClientSecret", "redirectUri"],
  properties: {
    configured: { type: "boolean" },
    source: { type: ["string", "null"], enum: ["database", "environment", null] },
    settings: { oneOf: [SSO_SETTINGS, { type: "null" }] },
    hasClientSecret: { type: "boolean", description: "the secret itself is never returned" },
    redirectUri: str,
  },
};

export function identityOpenApiPaths(): Record<string, Record<string, Schema>> {
  return {
    "/api/auth/login": {
      post: {
        tags, operationId: "login", security: PUBLIC,
        summary: "Sign in with email and password; with two-factor on, answers {totpRequired, challenge} for POST /api/auth/login/totp",
        requestBody: body(obj({ email: str, password: str })),
        responses: {
          "200": { description: "Signed in (cookies set), or the second step is needed", content: json({ oneOf: [signedIn.content["application/json"].schema, obj({ totpRequired: { const: true }, challenge: str })] }) },
          ...problems("400", "401"), ...locked,
        },
      },
    },
    "/api/auth/login/totp": {
      post: {
        tags, operationId: "loginTotp", security: PUBLIC, summary: "Second sign-in step: the challenge from /api/auth/login and a TOTP or recovery code",
        requestBody: body(obj({ challenge: str, code: str })),
        responses: { "200": signedIn, ...problems("400", "401"), ...locked },
      },
    },
    "/api/auth/password": {
      post: {
        tags, operationId: "changePassword",
        summary: "Change your password (policy: 12 to 256 characters, not your email or name, not a common password); signs out your other sessions",
        requestBody: body(obj({ currentPassword: str, newPassword: { type: "string", minLength: 12, maxLength: 256 } })),
        responses: { "204": { description: "Changed; a fresh session cookie is set" }, ...problems("400", "401", "403") },
      },
    },
    "/api/auth/totp": {
      get: { tags, operationId: "totpStatus", summary: "Your two-factor status",
        responses: { "200": ok("Status", obj({ enabled: { type: "boolean" }, enabledAt: { type: ["string", "null"], format: "date-time" }, recoveryCodesLeft: { type: "integer" } })), ...problems("401") } },
    },
    "/api/auth/totp/setup": {
      post: { tags, operationId: "totpSetup", summary: "Start two-factor set-up: a new secret, shown once (session only)", requestBody: body(obj({})),
        responses: { "200": ok("The secret and its otpauth:// URI (for a QR code)", obj({ secret: str, uri: str })), ...problems("400", "401", "403", "409") } },
    },
    "/api/auth/totp/enable": {
      post: { tags, operationId: "totpEnable", summary: "Confirm set-up with a code from the app; turns two-factor on (audited auth.totp_enabled)", requestBody: codeBody,
        responses: { "200": recoveryCodes, ...problems("400", "401", "403", "409") } },
    },
    "/api/auth/totp/disable": {
      post: { tags, operationId: "totpDisable", summary: "Turn two-factor off with a current or recovery code (audited auth.totp_disabled)", requestBody: codeBody,
        responses: { "204": { description: "Off" }, ...problems("400", "401", "403") } },
    },
    "/api/auth/totp/recovery-codes": {
      post: { tags, operationId: "totpRecoveryCodes", summary: "New recovery codes (the old ones stop working); needs a current TOTP code", requestBody: codeBody,
        responses: { "200": recoveryCodes, ...problems("400", "401", "403") } },
    },
    "/api/auth/totp/reset": {
      post: { tags, operationId: "totpReset", summary: "Turn a user's two-factor off (admin; audited auth.totp_disabled)", requestBody: body(obj({ userId: str })),
        responses: { "204": { description: "Off" }, ...problems("400", "401", "403", "404") } },
    },
    "/api/users/{id}/password": {
      put: { tags, operationId: "setUserPassword", summary: "Set a user's password (admin; the policy applies; ends the user's sessions; audited auth.password_reset)",
        parameters: [{ name: "id", in: "path", required: true, schema: str }], requestBody: body(obj({ password: str })),
        responses: { "204": { description: "Set" }, ...problems("400", "401", "403", "404") } },
    },
    "/api/tokens": {
      get: { tags, operationId: "listTokens", summary: "API tokens (admin)",
        responses: { "200": ok("Tokens and the known scopes", { type: "object", required: ["tokens", "scopes"], properties: { tokens: { type: "array", items: { $ref: "#/components/schemas/ApiToken" } }, scopes: { type: "array", items: { enum: SCOPES } } } }), ...problems("401", "403") } },
      post: {
        tags, operationId: "createToken", summary: "Make an API token (admin; audited token.created); the token is shown only in this response",
        requestBody: body(obj({ name: str, expiresAt: { type: ["string", "null"], format: "date-time" }, userId: str, scopes: { type: "array", items: { enum: SCOPES }, minItems: 1, description: 'default ["all"]' } }, ["name"])),
        responses: { "201": ok("The token", { allOf: [{ $ref: "#/components/schemas/ApiToken" }, { type: "object", properties: { token: str }, required: ["token"] }] }), ...problems("400", "401", "403", "404") },
      },
    },
    "/api/tokens/{id}": {
      delete: { tags, operationId: "revokeToken", summary: "Revoke an API token (admin; audited token.revoked)", parameters: [{ name: "id", in: "path", required: true, schema: str }],
        responses: { "204": { description: "Revoked" }, ...problems("401", "403", "404") } },
    },
    "/api/auth/sso/status": {
      get: { tags, operationId: "ssoStatus", security: PUBLIC, summary: "Whether single sign-on is on (the login page shows its button)", responses: { "200": ok("Status", obj({ enabled: { type: "boolean" } })) } },
    },
    "/api/auth/sso": {
      get: { tags, operationId: "getSso", summary: "Single sign-on settings (admin); the client secret is never returned", responses: { "200": ok("Settings", SSO_VIEW), ...problems("401", "403") } },
      put: {
        tags, operationId: "putSso", summary: "Save single sign-on settings (admin); clientSecret omitted keeps the stored one, null removes it",
        requestBody: body({ ...SSO_SETTINGS, additionalProperties: false, required: ["issuer", "clientId"], properties: { ...(SSO_SETTINGS.properties as Schema), clientSecret: { type: ["string", "null"] } } }),
        responses: { "200": ok("Saved settings", SSO_VIEW), ...problems("400", "401", "403") },
      },
      delete: { tags, operationId: "deleteSso", summary: "Remove the saved settings (REVLINE_OIDC_* from the environment apply again)", responses: { "204": { description: "Removed" }, ...problems("401", "403") } },
    },
    "/api/auth/sso/start": {
      get: {
        tags, operationId: "ssoStart", security: PUBLIC, summary: "Start single sign-on: redirects to the provider (code flow with PKCE, state and nonce)",
        parameters: [{ name: "returnTo", in: "query", required: false, schema: str, description: "a path of this site to land on afterwards" }],
        responses: { "302": { description: "To the provider, or to /login?sso_error=not_configured|provider" } },
      },
    },
    "/api/auth/sso/callback": {
      get: {
        tags, operationId: "ssoCallback", security: PUBLIC, summary: "The provider's redirect back: signs in and redirects to the UI",
        parameters: [{ name: "code", in: "query", required: false, schema: str }, { name: "state", in: "query", required: false, schema: str }],
        responses: { "302": { description: "Signed in (cookies set) and sent to the UI; or to /login?sso_error=state|exchange|no_email|unknown_user|inactive|provider" } },
      },
    },
  };
}
