/**
 * The one small set of errors services throw; platform/http maps them to application/problem+json.
 * `details` names each offending field (or condition path, or import column) and why.
 */
export type ErrorDetail = { field: string; reason: string; code?: string; row?: number; value?: unknown };

export type AppErrorKind = "not_found" | "forbidden" | "unauthorized" | "invalid" | "conflict" | "rate_limited" | "too_large";

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (message: string) => new AppError("not_found", message);
export const forbidden = (message: string) => new AppError("forbidden", message);
export const unauthorized = (message: string) => new AppError("unauthorized", message);
export const invalid = (message: string, details: ErrorDetail[] = []) => new AppError("invalid", message, details);
export const conflict = (message: string, details: ErrorDetail[] = []) => new AppError("conflict", message, details);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
