/**
 * platform/identity: who someone is. Users are records of the standard `user` object (declared in
 * identity.objects.ts); this part keeps what records do not: password hashes (argon2id) and the
 * password policy, roles, sessions (cookie + CSRF) and API tokens (both stored as sha256), TOTP
 * second factor, lock-out, OIDC single sign-on; and turns a request into an Actor.
 */
export { identityObjects, userObject, teamObject, regionObject } from "./identity.objects";
export { authenticateRequest, bearerOf, sessionTokenOf, createAuthCache } from "./authenticate";
export type { Authenticated, AuthCache, AuthDeps } from "./authenticate";
export { registerIdentityRoutes } from "./identity.routes";
export type { MeUser } from "./identity.routes";
export { identityOpenApiPaths } from "./identity.openapi";
export { registerDeactivationHooks, endAccessOfInactiveUsers } from "./deactivation";
export { generatePassword, hashPassword, verifyPassword, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from "./passwords";
export { checkPasswordPolicy } from "./password-policy";
export { createSession, deleteSession, deleteUserSessions, deleteExpiredSessions, SESSION_COOKIE, SESSION_TTL_MS } from "./sessions";
export { CSRF_COOKIE, CSRF_HEADER, csrfTokenFor } from "./csrf";
export { createToken, listTokens, revokeToken, revokeUserTokens, findLiveToken, TOKEN_PREFIX, TOKEN_SCOPES } from "./tokens";
export type { ApiToken, TokenScope } from "./tokens";
export { LOCKOUT_FAILURES, LOCKOUT_WINDOW_MS } from "./lockout";
export { ssoConfigFromEnv } from "./sso";
export type { SsoSettings } from "./sso";
export {
  actorFor,
  ensureAdmin,
  getRoles,
  setRoles,
  setPassword,
  normalizeEmail,
  ADMIN_ROLE,
  DEFAULT_ADMIN_EMAIL,
} from "./users";
export type { AdminSetup, OrgInfo, UserDirectory, UserInfo } from "./users";
