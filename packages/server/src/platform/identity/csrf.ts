/**
 * CSRF protection for cookie-authenticated requests: a signed double submit. The value is derived
 * from the session secret (sha256 over a fixed label and the secret), handed to the page in the
 * readable `revline_csrf` cookie, and must come back in the X-CSRF-Token header of every unsafe
 * request (POST, PUT, PATCH, DELETE) that a session cookie authenticates. Another site can make the
 * browser send the cookies but cannot read them, so it cannot set the header; a value planted in the
 * csrf cookie by a sibling domain is useless because it must match the session. Requests with a
 * bearer token carry no ambient credential and are exempt.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "@revline/core";
import { sha256Hex } from "./secrets";

export const CSRF_COOKIE = "revline_csrf";
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfTokenFor(sessionToken: string): string {
  return Buffer.from(sha256Hex(`revline-csrf:${sessionToken}`), "hex").toString("base64url");
}

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Throws 403 when an unsafe request authenticated by `sessionToken` lacks the matching header. */
export function assertCsrf(request: FastifyRequest, sessionToken: string): void {
  if (!isUnsafeMethod(request.method)) return;
  const sent = request.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = typeof sent === "string" ? Buffer.from(sent) : undefined;
  if (!given) throw csrfError("missing");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw csrfError("not the one of this session");
}

function csrfError(reason: string): AppError {
  return new AppError(
    "forbidden",
    `This request needs the X-CSRF-Token header with the value of the ${CSRF_COOKIE} cookie (the header is ${reason}). Reload the page, or use an API token ('Authorization: Bearer ...') from scripts.`,
    [{ field: "X-CSRF-Token", reason, code: "csrf" }],
  );
}

/** Sets the session cookie (httpOnly) and its CSRF companion (readable by the page's script). */
export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, sessionCookie: string, token: string, expires: Date): string {
  const secure = request.protocol === "https";
  void reply.setCookie(sessionCookie, token, { path: "/", httpOnly: true, sameSite: "lax", secure, expires });
  const csrf = csrfTokenFor(token);
  void reply.setCookie(CSRF_COOKIE, csrf, { path: "/", httpOnly: false, sameSite: "lax", secure, expires });
  return csrf;
}

export function clearSessionCookies(reply: FastifyReply, sessionCookie: string): void {
  void reply.clearCookie(sessionCookie, { path: "/" });
  void reply.clearCookie(CSRF_COOKIE, { path: "/" });
}
