#!/usr/bin/env node
// `npm test`: type check, lint, unit + integration tests on SQLite and on PostgreSQL, browser journeys.
// Prints one closing line "N passed, N failed" over all test runners.
// PostgreSQL: REVLINE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) is an admin
// connection; tests create and drop their own databases. Under CI=true a missing PostgreSQL fails the run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

const root = new URL("..", import.meta.url).pathname;
const tmp = join(root, "tmp");
mkdirSync(tmp, { recursive: true });
const isCi = process.env.CI === "true";
const only = process.argv.slice(2); // optional step names: typecheck lint sqlite postgres e2e
const want = (step) => only.length === 0 || only.includes(step);

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

function run(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status === 0;
}

function vitest(title, env, jsonName, extra = []) {
  const out = join(tmp, jsonName);
  const ok = run(title, "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...extra], env);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, "utf8"));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    if (j.numFailedTests > 0 || !ok) problems.push(title);
  } else if (!ok) {
    failed += 1;
    problems.push(title);
  }
}

async function pgReachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

if (want("typecheck")) {
  if (run("type check", "npm", ["run", "-s", "typecheck"])) passed += 1;
  else { failed += 1; problems.push("type check"); }
}
if (want("lint")) {
  if (run("lint", "npm", ["run", "-s", "lint"])) passed += 1;
  else { failed += 1; problems.push("lint"); }
}
if (want("sqlite")) vitest("unit + integration tests on SQLite", { REVLINE_TEST_DIALECT: "sqlite" }, "vitest-sqlite.json");
if (want("postgres")) {
  const pgUrl = process.env.REVLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (await pgReachable(pgUrl)) {
    vitest("integration tests on PostgreSQL", { REVLINE_TEST_DIALECT: "postgres", REVLINE_TEST_PG_URL: pgUrl }, "vitest-pg.json", ["packages/server"]);
  } else if (isCi) {
    console.error(`\n!!! PostgreSQL is not reachable at ${pgUrl}; CI requires the PostgreSQL run.`);
    failed += 1;
    problems.push("PostgreSQL unreachable");
  } else {
    console.warn(`\n!!! SKIPPED the PostgreSQL run: nothing answers at ${pgUrl}. Set REVLINE_TEST_PG_URL.`);
  }
}
if (want("e2e")) {
  const chromium = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  const dir = join(root, "packages/e2e/src");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".test.ts")).map((f) => join(dir, f)) : [];
  if (!chromium) {
    const msg = "!!! SKIPPED the browser tests: no Chromium found (install Debian's `chromium` or set CHROMIUM_PATH).";
    if (isCi) { console.error(msg + " CI requires them."); failed += 1; problems.push("no chromium"); }
    else console.warn("\n" + "!".repeat(100) + "\n" + msg + "\n" + "!".repeat(100));
  } else if (files.length > 0) {
    const tap = join(tmp, "e2e.tap");
    const ok = run("browser journeys (playwright-core + chromium)", "node", ["--import", "tsx", "--test", "--test-concurrency=1",
      "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files],
      { CHROMIUM_PATH: chromium });
    const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
    const num = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)$`, "m"))?.[1] ?? 0);
    passed += num("pass");
    failed += num("fail");
    skipped += num("skipped");
    if (!ok) { problems.push("browser journeys"); if (num("fail") === 0) failed += 1; }
  }
}

console.log(`\n${problems.length ? "FAILED: " + problems.join(", ") : "all green"}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
