/**
 * Who is asking: an onRequest hook authenticates every /api request (except routes marked
 * `config: { isPublic: true }`) with the authenticator identity provides, and attaches the
 * request's Ctx. Routes read it with requestCtx(request) or requireAdmin(request).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { forbidden, unauthorized } from "@revline/core";
import type { Actor, Ctx } from "../context";

declare module "fastify" {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- Fastify's route config is extended by interface merging
  interface FastifyContextConfig {
    /** Answers without a signed-in actor (health, login, the docs page). */
    isPublic?: boolean;
  }
}

export type ClientInfo = { ip?: string; userAgent?: string };
/** Finds the actor of a request (session cookie, bearer token), or null when there is none. */
export type Authenticator = (request: FastifyRequest) => Promise<Actor | null>;
/** Builds the Ctx a service call runs in. */
export type CtxFactory = (actor: Actor, client?: ClientInfo) => Ctx;

const contexts = new WeakMap<FastifyRequest, Ctx>();

export function clientOf(request: FastifyRequest): ClientInfo {
  const ua = request.headers["user-agent"];
  return { ip: request.ip, userAgent: typeof ua === "string" ? ua.slice(0, 500) : undefined };
}

export function registerAuthHook(app: FastifyInstance, deps: { authenticate: Authenticator; ctxFactory: CtxFactory }): void {
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/api/") || request.is404) return;
    const isPublic = request.routeOptions.config?.isPublic === true;
    const actor = await deps.authenticate(request);
    if (actor) contexts.set(request, deps.ctxFactory(actor, clientOf(request)));
    else if (!isPublic) throw unauthorized("Sign in first, or send an API token as 'Authorization: Bearer <token>'.");
  });
}

/** The Ctx of an authenticated request. */
export function requestCtx(request: FastifyRequest): Ctx {
  const ctx = contexts.get(request);
  if (!ctx) throw unauthorized("Sign in first, or send an API token as 'Authorization: Bearer <token>'.");
  return ctx;
}

/** The Ctx of the request when it is no signed-in actor's (public routes); undefined otherwise. */
export function optionalRequestCtx(request: FastifyRequest): Ctx | undefined {
  return contexts.get(request);
}

/** The Ctx of a request made by an administrator; 403 for anyone else. */
export function requireAdmin(request: FastifyRequest): Ctx {
  const ctx = requestCtx(request);
  if (!ctx.actor.isAdmin) throw forbidden("Only an administrator may do this.");
  return ctx;
}
