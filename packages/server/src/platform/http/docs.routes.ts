/**
 * GET /api/openapi.json (generated per request from the live metadata) and the browsable reference
 * at GET /api/docs: swagger-ui-dist's files, served from the installed package, pointed at it.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { ObjectDef } from "@revline/core";
import { buildOpenApiDocument, type OpenApiOptions } from "./openapi";
import type { Ctx } from "../context";
import { requestCtx } from "./auth";

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Revline API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
<p style="font:14px system-ui,sans-serif;margin:12px 20px;color:#555">Generated from this server's live metadata.
Reading it needs a signed-in session: <a href="/">sign in</a> first, or fetch <code>/api/openapi.json</code> with an API token.</p>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so that a Content-Security-Policy without 'unsafe-inline' allows it.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  withCredentials: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
});
`;

/** The objects as the signed-in actor may use them (app.ts: readable ones, without their hidden fields). */
export type DocsDeps = { listObjects: (ctx: Ctx) => readonly ObjectDef[] } & OpenApiOptions;

export function registerDocsRoutes(app: FastifyInstance, deps: DocsDeps): void {
  app.get("/api/openapi.json", (request) => buildOpenApiDocument(deps.listObjects(requestCtx(request)), deps));

  const page = { config: { isPublic: true } };
  app.get("/api/docs", page, (_request, reply) => reply.type("text/html; charset=utf-8").send(PAGE));
  app.get("/api/docs/", page, (_request, reply) => reply.redirect("/api/docs"));
  app.get("/api/docs/init.js", page, (_request, reply) => reply.type("application/javascript; charset=utf-8").send(INIT));
  for (const [file, type] of Object.entries(ASSETS)) {
    app.get(`/api/docs/${file}`, page, (_request, reply) =>
      reply.type(type).header("cache-control", "public, max-age=86400").send(fs.createReadStream(path.join(swaggerDir, file))),
    );
  }
}
