/**
 * The built web UI (packages/web/dist) at /, with the SPA fallback: any GET that is not /api and
 * not a file answers index.html, so deep links such as /objects/opportunity/123 work on reload.
 * Without a build, a small page says how to make one.
 */
import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Revline</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>Revline is running</h1>
<p>The API is up, but the web UI has not been built yet. Build it with</p>
<p><code>npm run build:web</code></p>
<p>then reload this page. (<code>npm start</code> builds it for you.) The API reference is at <a href="/api/docs">/api/docs</a>.</p>
</body></html>
`;

export type StaticWeb = { hasBuild: boolean; root: string };

/** Registers static serving; returns whether a build was found. Call before setting the not-found handler. */
export async function registerStaticWeb(app: FastifyInstance, webDist: string): Promise<StaticWeb> {
  const root = path.resolve(webDist);
  const hasBuild = fs.existsSync(path.join(root, "index.html"));
  if (hasBuild) {
    await app.register(fastifyStatic, {
      root,
      prefix: "/",
      // One route per file found at start: unknown paths fall through to the SPA fallback rather
      // than a catch-all route that would also swallow unknown /api paths.
      wildcard: false,
      index: false,
      setHeaders(reply, filePath) {
        // Vite fingerprints everything under assets/; index.html must always be revalidated.
        if (filePath.includes(`${path.sep}assets${path.sep}`)) void reply.header("cache-control", "public, max-age=31536000, immutable");
        else void reply.header("cache-control", "no-cache");
      },
    });
    app.get("/", { config: { isPublic: true } }, (_request, reply) => sendIndex(reply));
  } else {
    app.get("/", { config: { isPublic: true } }, (_request, reply) => reply.type("text/html; charset=utf-8").send(MISSING_BUILD_PAGE));
  }
  return { hasBuild, root };
}

function sendIndex(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-cache").sendFile("index.html");
}

/**
 * A page navigation the SPA answers: GET/HEAD, not under /api, and either asking for HTML or a path
 * without a file extension (a missing /assets/x.js stays a 404 rather than becoming index.html).
 */
export function isSpaRequest(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const p = request.url.split("?")[0] ?? "";
  if (p === "/api" || p.startsWith("/api/")) return false;
  const last = p.slice(p.lastIndexOf("/") + 1);
  return !last.includes(".") || (request.headers.accept ?? "").includes("text/html");
}

/** Answers a page navigation with the UI (or the missing-build page). */
export function sendSpa(web: StaticWeb, reply: FastifyReply): FastifyReply {
  if (web.hasBuild) return sendIndex(reply);
  return reply.type("text/html; charset=utf-8").send(MISSING_BUILD_PAGE);
}
