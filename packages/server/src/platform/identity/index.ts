/**
 * platform/identity: who someone is. Users are records of the standard `user` object (declared in
 * identity.objects.ts); this part keeps what records do not: password hashes (argon2id), roles,
 * sessions and API tokens (both stored as sha256), and turns a request into an Actor.
 */
export { identityObjects, userObject, teamObject, regionObject } from "./identity.objects";
export { authenticateRequest, bearerOf, sessionTokenOf, createAuthCache } from "./authenticate";
export type { Authenticated, AuthCache, AuthDeps } from "./authenticate";
export { registerIdentityRoutes } from "./identity.routes";
export type { MeUser } from "./identity.routes";
export { generatePassword, hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from "./passwords";
export { createSession, deleteSession, deleteUserSessions, deleteExpiredSessions, SESSION_COOKIE, SESSION_TTL_MS } from "./sessions";
export { createToken, listTokens, revokeToken, findLiveToken, TOKEN_PREFIX } from "./tokens";
export type { ApiToken } from "./tokens";
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
export type { AdminSetup, UserDirectory, UserInfo } from "./users";
