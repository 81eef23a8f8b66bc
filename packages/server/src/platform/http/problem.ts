/**
 * The one place where errors become HTTP responses: application/problem+json (RFC 9457) with
 * field-level details. Services throw AppError; Fastify throws its own validation, JSON and size
 * errors; anything else is a bug and answers a bare 500 that leaks nothing (the cause is logged).
 */
import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isAppError, type AppErrorKind, type ErrorDetail } from "@revline/core";

export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";

export type ProblemDetail = { field: string; reason: string; code?: string; row?: number };
export type Problem = { type: string; title: string; status: number; detail: string; errors?: ProblemDetail[] };

const STATUS_OF_KIND: Record<AppErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
};

export function problem(status: number, detail: string, errors?: ProblemDetail[]): Problem {
  const p: Problem = { type: "about:blank", title: STATUS_CODES[status] ?? "Error", status, detail };
  if (errors && errors.length > 0) p.errors = errors;
  return p;
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).header("content-type", PROBLEM_CONTENT_TYPE).send(JSON.stringify(p));
}

function detailsOf(details: readonly ErrorDetail[]): ProblemDetail[] {
  return details.map((d) => {
    const out: ProblemDetail = { field: d.field, reason: d.reason };
    if (d.code !== undefined) out.code = d.code;
    if (d.row !== undefined) out.row = d.row;
    return out;
  });
}

/** Fastify's own client errors, by code, with the status we answer. */
const FASTIFY_CLIENT_ERRORS: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
  // @fastify/multipart says 406 (Not Acceptable is about the response); the request body's type is what is wrong.
  FST_INVALID_MULTIPART_CONTENT_TYPE: 415,
};

type ValidationItem = { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> };

/** Fastify schema validation -> one error per offending property, named like the API names it. */
function validationDetails(items: readonly ValidationItem[], context: string | undefined): ProblemDetail[] {
  return items.map((v) => {
    let field = (v.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
    const params = v.params ?? {};
    if (v.keyword === "required" && typeof params.missingProperty === "string") field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    if (v.keyword === "additionalProperties" && typeof params.additionalProperty === "string")
      field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
    return { field: field || context || "body", reason: v.message ?? "is invalid", code: v.keyword };
  });
}

/** Maps any thrown value to a problem; `unexpected` is true when it is a bug to log. */
export function toProblem(err: unknown): { problem: Problem; unexpected: boolean } {
  if (isAppError(err)) {
    return { problem: problem(STATUS_OF_KIND[err.kind] ?? 400, err.message, detailsOf(err.details)), unexpected: false };
  }
  const fe = err as Partial<FastifyError> & { validation?: ValidationItem[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    const errors = validationDetails(fe.validation, fe.validationContext);
    const detail = `The request ${fe.validationContext ?? "body"} is invalid: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}.`;
    return { problem: problem(400, detail, errors), unexpected: false };
  }
  if (fe && typeof fe.code === "string" && fe.code in FASTIFY_CLIENT_ERRORS) {
    const status = FASTIFY_CLIENT_ERRORS[fe.code]!;
    const detail =
      status === 413
        ? "The request body is larger than this endpoint accepts."
        : fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" || err instanceof SyntaxError
          ? "The request body is not valid JSON."
          : (fe.message ?? "Bad request.");
    return { problem: problem(status, detail), unexpected: false };
  }
  // Fastify raises JSON parse failures as a SyntaxError carrying statusCode 400.
  if (err instanceof SyntaxError && (fe as { statusCode?: number }).statusCode === 400) {
    return { problem: problem(400, "The request body is not valid JSON."), unexpected: false };
  }
  // PostgreSQL cannot store U+0000 in text (SQLite can): user input, so a 400, never a 500.
  if (fe && (fe.code === "22021" || fe.code === "22P05") && /0x00|\\u0000/.test(String(fe.message))) {
    const reason = "contains the NUL character (U+0000), which cannot be stored";
    return { problem: problem(400, `The request ${reason}.`, [{ field: "body", reason, code: "invalid_text" }]), unexpected: false };
  }
  // Other Fastify/plugin client errors (4xx) carry a message meant for the client.
  const status = fe?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500 && typeof fe.code === "string" && fe.code.startsWith("FST_")) {
    return { problem: problem(status, fe.message ?? STATUS_CODES[status] ?? "Bad request."), unexpected: false };
  }
  return { problem: problem(500, "An unexpected error occurred. It has been logged; please try again or contact your administrator."), unexpected: true };
}

/** Installs the error handler for the whole app. */
export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { problem: p, unexpected } = toProblem(err);
    if (unexpected) request.log.error({ err }, "unexpected error");
    else if (p.status >= 500) request.log.warn({ err }, "request failed");
    if (p.status === 429 && isAppError(err)) {
      const retry = err.details.find((d) => d.field === "retryAfter");
      if (retry) void reply.header("retry-after", retry.reason);
    }
    return sendProblem(reply, p);
  });
}

/** 404 for any /api path no route answers. */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, problem(404, `No API endpoint answers ${request.method} ${request.url.split("?")[0]}.`));
}
