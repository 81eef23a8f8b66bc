/** The web UI and its SPA fallback, the API reference page, health, and unknown routes. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

describe("static web with a build", () => {
  let t: TestApp;
  let dist: string;
  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), "revline-dist-"));
    fs.mkdirSync(path.join(dist, "assets"));
    fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>Revline UI</title><div id=root></div>");
    fs.writeFileSync(path.join(dist, "assets", "app-1234.js"), "console.log('app')");
    t = await createTestApp({ webDist: dist });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  it("serves index.html at / and for deep links, assets with long caching", async () => {
    for (const p of ["/", "/objects/opportunity", "/objects/opportunity/01234?tab=x", "/login"]) {
      const res = await t.get(p, { token: null, headers: { accept: "text/html" } });
      expect(res.status, p).toBe(200);
      expect(res.contentType).toMatch(/^text\/html/);
      expect(res.text).toContain("<title>Revline UI</title>");
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
    const asset = await t.get("/assets/app-1234.js", { token: null });
    expect(asset.status).toBe(200);
    expect(asset.contentType).toMatch(/javascript/);
    expect(asset.text).toBe("console.log('app')");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("answers 404 problems for missing files and unknown API routes, not the UI", async () => {
    const missing = await t.get("/assets/missing.js", { token: null });
    expect(missing.status).toBe(404);
    for (const p of ["/api/nothing", "/api/objects/account/records/x/y/z", "/api"]) {
      const res = await t.get(p, { token: null, headers: { accept: "text/html" } });
      expect(res.status, p).toBe(404);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
    }
    const post = await t.post("/somewhere", { a: 1 }, { token: null });
    expect(post.status).toBe(404);
  });

  it("serves the API reference page and its assets without signing in", async () => {
    const page = await t.get("/api/docs", { token: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain("swagger-ui-bundle.js");
    const init = await t.get("/api/docs/init.js", { token: null });
    expect(init.text).toContain('url: "/api/openapi.json"');
    const bundle = await t.get("/api/docs/swagger-ui-bundle.js", { token: null });
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    const css = await t.get("/api/docs/swagger-ui.css", { token: null });
    expect(css.contentType).toMatch(/^text\/css/);
  });

  it("answers health without signing in", async () => {
    const res = await t.get("/api/health", { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    t.built.setReady(false);
    expect((await t.get("/api/health", { token: null })).status).toBe(503);
    t.built.setReady(true);
  });
});

describe("static web without a build", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("says how to build the UI", async () => {
    for (const p of ["/", "/objects/account"]) {
      const res = await t.get(p, { token: null });
      expect(res.status).toBe(200);
      expect(res.text).toContain("npm run build:web");
    }
  });
});
