import { defineConfig } from "vitest/config";

// Server tests run once per database: REVLINE_TEST_DIALECT=sqlite (default) or postgres.
export default defineConfig({
  test: {
    include: ["packages/core/src/**/*.test.ts", "packages/server/src/**/*.test.ts", "packages/server/test/**/*.test.ts", "packages/web/src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
