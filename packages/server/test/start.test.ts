/**
 * `revline start` as a user meets it: config from the environment, first-start administrator with a
 * password printed once and stored only as an argon2id hash, health, and a restart that keeps it.
 * Runs on SQLite, or on a fresh PostgreSQL database with REVLINE_TEST_DIALECT=postgres.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv, startServer, type RevlineConfig } from "../src/main";
import { testDialect, testPgUrl } from "./db";

async function login(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  await res.text();
  return res.status;
}

describe("configFromEnv", () => {
  it("has the documented defaults", () => {
    const c = configFromEnv({});
    expect(c).toMatchObject({ port: 3000, host: "127.0.0.1", dataDir: path.resolve("data"), loadDemo: true, trustProxy: false, logLevel: "warn" });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.adminEmail).toBeUndefined();
  });
  it("reads the environment", () => {
    const c = configFromEnv({
      PORT: "8080",
      HOST: "0.0.0.0",
      REVLINE_DATA_DIR: "/srv/revline",
      DATABASE_URL: "postgres://u:p@db:5432/revline",
      REVLINE_ADMIN_EMAIL: "ops@example.com",
      REVLINE_ADMIN_PASSWORD: "s3cret-enough-for-12",
      REVLINE_DEMO: "0",
      REVLINE_TRUST_PROXY: "1",
    });
    expect(c).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      dataDir: "/srv/revline",
      databaseUrl: "postgres://u:p@db:5432/revline",
      adminEmail: "ops@example.com",
      adminPassword: "s3cret-enough-for-12",
      loadDemo: false,
      trustProxy: true,
    });
  });
  it("refuses nonsense", () => {
    expect(() => configFromEnv({ PORT: "http" })).toThrow(/PORT/);
    expect(() => configFromEnv({ PORT: "70000" })).toThrow(/PORT/);
    expect(() => configFromEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });
});

describe("startServer", () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-start-"));
    if (testDialect() === "postgres") {
      const name = `revline_test_${crypto.randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: testPgUrl() });
      await admin.connect();
      await admin.query(`create database "${name}"`);
      await admin.end();
      const url = new URL(testPgUrl());
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dropDb = async () => {
        const c = new pg.Client({ connectionString: testPgUrl() });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      };
    }
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropDb?.();
  });

  const config = (extra: Partial<RevlineConfig> = {}): RevlineConfig => ({
    ...configFromEnv({ PORT: "0", REVLINE_DATA_DIR: dataDir, REVLINE_DEMO: "0", REVLINE_LOG_LEVEL: "silent", REVLINE_WEB_DIST: path.join(dataDir, "no-web") }),
    databaseUrl,
    ...extra,
  });

  it("creates the administrator on first start, prints the password once, and keeps it across a restart", async () => {
    const lines: string[] = [];
    const first = await startServer(config(), (l) => lines.push(l));
    let password: string;
    try {
      expect(lines[0]).toMatch(/^Revline is running at http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines[0]).toBe(`Revline is running at ${first.url}`);
      expect(lines).toContain("  Email:    admin@revline.local");
      const pwLine = lines.find((l) => l.startsWith("  Password: "))!;
      password = pwLine.slice("  Password: ".length);
      expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);

      const health = await fetch(`${first.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      expect(await login(first.url, "admin@revline.local", password)).toBe(200);
      expect(await login(first.url, "admin@revline.local", "wrong-password")).toBe(401);

      const rows = (await first.db.kysely.selectFrom("auth_credential").select("password_hash").execute()) as { password_hash: string }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
      expect(rows[0]!.password_hash).not.toContain(password);
    } finally {
      await first.close();
    }
    expect(await fetch(`${first.url}/api/health`).then(() => "answered", () => "closed")).toBe("closed");

    const again: string[] = [];
    const second = await startServer(config(), (l) => again.push(l));
    try {
      expect(again[0]).toMatch(/^Revline is running at /);
      expect(again.some((l) => l.includes("Password"))).toBe(false);
      expect(second.admin.created).toBe(false);
      expect(await login(second.url, "admin@revline.local", password)).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe("startServer with the administrator from the environment", () => {
  it("uses REVLINE_ADMIN_EMAIL / REVLINE_ADMIN_PASSWORD and prints no password", async () => {
    if (testDialect() === "postgres") return; // the start-up path is the same; the first suite covers PostgreSQL
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-start-env-"));
    const lines: string[] = [];
    const env = {
      PORT: "0",
      REVLINE_DATA_DIR: dataDir,
      REVLINE_DEMO: "0",
      REVLINE_LOG_LEVEL: "silent",
      REVLINE_WEB_DIST: path.join(dataDir, "no-web"),
      REVLINE_ADMIN_EMAIL: "Ops@Example.com",
      REVLINE_ADMIN_PASSWORD: "deploy-secret-42",
    };
    const server = await startServer(configFromEnv(env), (l) => lines.push(l));
    try {
      expect(lines).toContain("An administrator was created: ops@example.com (password from REVLINE_ADMIN_PASSWORD).");
      expect(lines.join("\n")).not.toContain("deploy-secret-42");
      expect(await login(server.url, "ops@example.com", "deploy-secret-42")).toBe(200);
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    await expect(startServer(configFromEnv({ ...env, REVLINE_ADMIN_PASSWORD: "short" }), () => {})).rejects.toThrow(/at least 12 characters/);
  });
});
