/** Thin fetch wrapper for the Revline HTTP API: JSON in/out, cookie session, problem+json errors. */

export type ProblemFieldError = { field: string; reason: string; code?: string; row?: number };
export type Problem = {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: ProblemFieldError[];
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A 409 about the record's version (someone saved in between), as opposed to a duplicate key. */
export function isStaleVersion(e: unknown): boolean {
  if (!isApiError(e) || e.status !== 409) return false;
  const errors = e.problem.errors ?? [];
  return errors.length === 0 || errors.some((x) => x.field === "version" || x.code === "stale_version");
}

type RequestOptions = {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

// Listeners learn about an expired session so the shell can send the user to the login page.
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** The CSRF token the server set beside the session cookie (readable by design; the session cookie is not). */
function csrfToken(): string | undefined {
  const m = /(?:^|;\s*)revline_csrf=([^;]+)/.exec(typeof document === "undefined" ? "" : document.cookie);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export async function apiRaw(path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  const method = (opts.method ?? "GET").toUpperCase();
  // Unsafe requests made with the session cookie must prove they come from this page (double submit).
  if (method !== "GET" && method !== "HEAD") {
    const csrf = csrfToken();
    if (csrf) headers["x-csrf-token"] = csrf;
  }
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(path, { method: opts.method ?? "GET", headers, body, credentials: "same-origin", signal: opts.signal });
  if (!res.ok) {
    const problem = await readProblem(res);
    if (res.status === 401 && !path.startsWith("/api/auth/")) unauthorizedListeners.forEach((fn) => fn());
    throw new ApiError(problem);
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiRaw(path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    return { ...parsed, status: res.status };
  } catch {
    return { status: res.status, title: res.statusText, detail: text.slice(0, 300) || res.statusText };
  }
}

/** Builds a query string, dropping undefined and empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}
