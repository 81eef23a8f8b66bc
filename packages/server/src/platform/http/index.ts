/**
 * platform/http: what every route shares. The auth hook that attaches each request's Ctx, the
 * problem+json error mapping, strict list/aggregate parameter parsing, the OpenAPI document from
 * live metadata with its reference page, health, and the static web UI with its SPA fallback.
 */
export { registerAuthHook, requestCtx, optionalRequestCtx, requireAdmin, clientOf } from "./auth";
export type { Authenticator, ClientInfo, CtxFactory } from "./auth";
export { registerProblemHandler, problem, sendProblem, sendNotFound, toProblem, PROBLEM_CONTENT_TYPE } from "./problem";
export type { Problem, ProblemDetail } from "./problem";
export { parseListQuery, parseGetQuery, parseAggregateQuery, MAX_LIMIT, DEFAULT_LIMIT } from "./query-params";
export type { ListQuery, AggregateQuery, DeletedMode } from "./query-params";
export { buildOpenApiDocument } from "./openapi";
export { problems as oaProblems, json as oaJson, ok as oaOk, body as oaBody, obj as oaObj, str as oaStr } from "./openapi-dsl";
export type { Schema as OaSchema } from "./openapi-dsl";
export type { OpenApiOptions } from "./openapi";
export { registerDocsRoutes } from "./docs.routes";
export type { DocsDeps } from "./docs.routes";
export { registerHealthRoute } from "./health.routes";
export { registerStaticWeb, isSpaRequest, sendSpa } from "./static-web";
export { registerGuards, registerActorRateLimit, guardConfigFromEnv, DEFAULT_RATE_LIMITS, CSP_DIRECTIVES, HSTS_VALUE } from "./guards";
export type { GuardConfig, RateLimits } from "./guards";
export { registerSettingsRoutes, watermarkSetting, exportSetting, readSetting, writeSetting, DEFAULT_APPROVAL_THRESHOLD } from "./settings";
export type { WatermarkSetting, ExportSetting } from "./settings";
export type { StaticWeb } from "./static-web";
