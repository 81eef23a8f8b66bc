/** Timing, percentiles, a keep-alive HTTP client and progress lines: the same tools measure both sides. */
import http from "node:http";

export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Nearest-rank percentile of a list of durations (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export type HttpResult = { status: number; body: string; ms: number };

/**
 * One sequential client for both the product and the floor: node:http with a keep-alive agent, no
 * retries, no pipelining. The response body is read to the end before the clock stops.
 */
export function createClient(baseUrl: string, headers: Record<string, string> = {}) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, path: string, body?: unknown): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const start = now();
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...headers, ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: now() - start }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  return {
    get: (path: string) => request("GET", path),
    post: (path: string, body: unknown) => request("POST", path, body),
    send: (method: "PUT" | "PATCH" | "DELETE", path: string, body?: unknown) => request(method, path, body),
    close: () => agent.destroy(),
  };
}
export type Client = ReturnType<typeof createClient>;

/** Progress on stderr: a redrawn bar on a terminal, a line every 10 % otherwise. */
export function progress(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const start = now();
  return {
    update(done: number) {
      const fraction = total > 0 ? done / total : 1;
      if (tty) {
        const width = 30;
        const filled = Math.round(fraction * width);
        process.stderr.write(`\r  ${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`);
      } else {
        const tenth = Math.floor(fraction * 10);
        if (tenth > lastTenth) {
          lastTenth = tenth;
          process.stderr.write(`  ${label}: ${Math.round(fraction * 100)}% (${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")})\n`);
        }
      }
    },
    done() {
      const secs = ((now() - start) / 1000).toFixed(1);
      process.stderr.write(tty ? `  ${secs} s\n` : `  ${label}: done in ${secs} s\n`);
    },
  };
}

export const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
export const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
export const fmtMiB = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
