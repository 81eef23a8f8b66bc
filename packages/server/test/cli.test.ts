/** The `revline` command as a user runs it: bin/revline.mjs from another working directory. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { testDialect } from "./db";

const bin = fileURLToPath(new URL("../../../bin/revline.mjs", import.meta.url));

function revline(args: string[], env: Record<string, string> = {}) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "revline-cli-"));
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, DATABASE_URL: "", ...env }, encoding: "utf8", timeout: 120_000 });
  fs.rmSync(cwd, { recursive: true, force: true });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

// Spawning the CLI is slow; it runs once, on SQLite (the PostgreSQL start-up path is covered by start.test.ts).
describe.skipIf(testDialect() === "postgres")("revline CLI", () => {
  it("lists its commands with --help and fails on an unknown one", () => {
    const help = revline(["--help"]);
    expect(help.status).toBe(0);
    for (const c of ["start", "migrate", "import", "export"]) expect(help.out).toMatch(new RegExp(`^  ${c} `, "m"));
    const bogus = revline(["frobnicate"]);
    expect(bogus.status).toBe(1);
    expect(bogus.err).toContain("unknown command 'frobnicate'");
  });

  it("migrates a fresh SQLite database, then finds it up to date", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-cli-data-"));
    try {
      const first = revline(["migrate", "--data-dir", dataDir]);
      expect(first.err).toBe("");
      expect(first.status).toBe(0);
      expect(first.out).toMatch(/^Applied migrations: 001-metadata, 002-identity, 003-audit-events/m);
      expect(fs.existsSync(path.join(dataDir, "revline.db"))).toBe(true);
      const second = revline(["migrate"], { REVLINE_DATA_DIR: dataDir });
      expect(second.status).toBe(0);
      expect(second.out).toContain("The database is up to date.");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
