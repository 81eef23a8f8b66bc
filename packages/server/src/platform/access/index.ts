/**
 * platform/access: roles and policies (tables access_role, access_policy), compiled per actor,
 * object and action into { allowed, rowCondition, fieldRules }; records applies them on every read
 * and write. Also the admin API for roles, policies, users' roles and "see the list as user X".
 *
 *   await loadAccess(db);                        // at start (app.ts), after migrations
 *   policyFor(ctx, "opportunity", "read")        // sync, cached per role set + scopes + object + action
 *   registerAccessRoutes(app, { users, preview, onChange })
 */
export { policyFor, loadAccess, refreshAccess, isAccessLoaded, listRoles, getRole } from "./store";
export type { Role } from "./store";
export { compilePolicy, scopesAllow, scopesAllowAdmin, ACTIONS, FIELD_RULES, TOKEN_SCOPES, ADMIN_ROLE, DENY, FULL } from "./compile";
export type { Action, FieldRule, FieldRuleKind, Policy, PolicyRow } from "./compile";
export { registerAccessRoutes } from "./access.routes";
export { accessOpenApiPaths } from "./access.openapi";
export type { AccessRouteDeps, PreviewFn } from "./access.routes";
