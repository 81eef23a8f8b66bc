// Lint: type-aware TypeScript rules, React hooks rules for the web, and the import rules of
// ARCHITECTURE.md ("Rules between the parts") enforced with eslint-plugin-boundaries.
import { builtinModules } from "node:module";
import js from "@eslint/js";
import boundaries from "eslint-plugin-boundaries";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

const root = import.meta.dirname;

/**
 * The platform, in order: a part imports only the parts to its left, through their index.ts.
 * platform/io (import/export) sits right after records, whose public functions it drives.
 */
const PLATFORM_ORDER = ["db", "http", "identity", "metadata", "access", "records", "io", "audit", "jobs", "automation"];

const TYPED_FILES = ["packages/*/src/**/*.{ts,tsx}", "packages/server/test/**/*.ts", "bench/**/*.ts"];
const TEST_FILES = ["**/*.test.{ts,tsx}"];

/**
 * Each folder of the repository as an element of the architecture, full paths from the root. The first
 * descriptor that matches a file wins, so the deeper folders come before the folders that hold them.
 */
const ELEMENTS = [
  { type: "core", pattern: "packages/core" },
  { type: "web", pattern: "packages/web" },
  { type: "e2e", pattern: "packages/e2e" },
  { type: "server-test", pattern: "packages/server/test" },
  { type: "platform", pattern: "packages/server/src/platform/*", capture: ["part"] },
  // Files directly in platform/: only context.ts belongs there (shared by every part).
  { type: "platform-shared", pattern: "packages/server/src/platform" },
  { type: "module", pattern: "packages/server/src/modules/*", capture: ["module"] },
  { type: "cli", pattern: "packages/server/src/cli" },
  // Files directly in server/src: app.ts, main.ts and the package entry index.ts.
  { type: "composition", pattern: "packages/server/src" },
  { type: "bench", pattern: "bench" },
].map((descriptor) => ({ ...descriptor, partialMatch: false }));

const to = (...types) => types.map((type) => ({ element: { type } }));
const CONTEXT = { element: { type: "platform-shared", fileInternalPath: "context.ts" } };
const platformParts = (parts) => ({ element: { type: "platform", captured: parts.map((part) => ({ part })) } });
const SERVER = ["platform-shared", "platform", "module", "cli", "composition", "server-test"];
const RULES_DOC = "(ARCHITECTURE.md, Rules between the parts)";

/** Default disallow; the last policy that matches decides. */
const DEPENDENCY_POLICIES = [
  { from: to("web"), allow: { to: to("core") } },
  { from: to("e2e"), allow: { to: to("core", "composition") } },
  { from: to("platform-shared"), allow: { to: to("core") } },
  ...PLATFORM_ORDER.map((part, i) => ({
    from: { element: { type: "platform", captured: { part } } },
    allow: { to: [...to("core"), CONTEXT, ...(i > 0 ? [platformParts(PLATFORM_ORDER.slice(0, i))] : [])] },
  })),
  { from: to("module"), allow: { to: [...to("core", "platform"), CONTEXT] } },
  { from: to("cli", "composition", "server-test", "bench"), allow: { to: to("core", ...SERVER) } },
  // Tests reach the rest of the server through the test helpers (createTestApp, createTestDb).
  { from: { element: { types: { anyOf: SERVER } }, file: { categories: "test" } }, allow: { to: to("server-test") } },
  {
    from: to("core"),
    disallow: { to: { element: { type: "*" } } },
    message: `core is pure: it imports nothing from server, web or e2e ${RULES_DOC}.`,
  },
  // Entry points: another part, module or package is reached through its index.ts only.
  {
    disallow: { to: { element: { types: { anyOf: ["platform", "module"] }, fileInternalPath: "!index.ts" } } },
    message: `Import another platform part or module through its index.ts ${RULES_DOC}.`,
  },
  { disallow: { to: { element: { type: "core", fileInternalPath: "!src/index.ts" } } }, message: "Import core as @revline/core." },
  {
    disallow: { to: { element: { type: "platform-shared", fileInternalPath: "!context.ts" } } },
    message: "Only context.ts lives directly in platform/: move this file into the part it belongs to.",
  },
];

const PACKAGE_NAME_ONLY = { group: ["@revline/*/**"], message: "Import a workspace package by its name only (its index.ts)." };
const DEEP_IMPORTS = {
  patterns: [
    PACKAGE_NAME_ONLY,
    {
      regex: "^\\.{1,2}/(.*/)?(core|server|web|e2e)/(src|test)(/|$)",
      message: "Reach another package through its name (@revline/core, @revline/server), not a relative path.",
    },
  ],
};

const NODE_BUILTINS = [...builtinModules.filter((m) => !m.startsWith("_")), ...builtinModules.map((m) => `node:${m}`)];

export default defineConfig([
  globalIgnores(["**/dist/**", "**/node_modules/**", "tmp/**", "**/tmp/**", "bench/.cache/**", "data/**", "coverage/**"]),

  js.configs.recommended,
  { files: ["**/*.{js,mjs,cjs}"], languageOptions: { globals: globals.node } },

  tseslint.configs.recommended,
  {
    files: TYPED_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"] }] },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      // Tests poke at loosely typed JSON responses; the assertions check the shapes.
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },

  {
    // The classic hooks rules. The plugin's React Compiler rules (its "recommended" preset) compile
    // every component and cost about a third of the web lint time, which takes lint past its budget
    // on two cores. Enable them with `extends: [reactHooks.configs.flat.recommended]` when that changes.
    files: ["packages/web/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
    languageOptions: { globals: globals.browser },
  },
  { files: ["packages/server/**/*.ts", "packages/e2e/**/*.ts", "bench/**/*.ts"], languageOptions: { globals: globals.node } },

  // Import rules of ARCHITECTURE.md.
  {
    files: ["packages/**/*.{ts,tsx}", "bench/**/*.ts"],
    plugins: { boundaries },
    settings: {
      "boundaries/root-path": root,
      "boundaries/elements-single-match": true,
      "boundaries/elements": ELEMENTS,
      "boundaries/files": [{ category: "test", pattern: "**/*.test.{ts,tsx}" }],
      "boundaries/include": ["packages/**/*", "bench/**/*"],
      "boundaries/ignore": ["**/node_modules/**", "**/dist/**"],
      "boundaries/dependency-nodes": ["import", "export", "dynamic-import"],
      "boundaries/legacy-templates": false,
      "import/resolver": {
        typescript: {
          alwaysTryTypes: true,
          project: ["packages/*/tsconfig.json", "bench/tsconfig.json"],
          noWarnOnMultipleProjects: true,
        },
      },
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        {
          default: "disallow",
          policies: DEPENDENCY_POLICIES,
        },
      ],
      "boundaries/no-unknown-files": "error",
      "no-restricted-imports": ["error", DEEP_IMPORTS],
    },
  },
  {
    // bench measures the product from outside, like a test: it drives test/app.ts and platform/io directly.
    files: ["bench/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [PACKAGE_NAME_ONLY] }] },
  },
  {
    // core runs in the browser and on the server: no Node built-ins, no DOM.
    files: ["packages/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          ...DEEP_IMPORTS,
          paths: NODE_BUILTINS.map((name) => ({ name, message: "core is pure TypeScript: no Node built-ins." })),
        },
      ],
      "no-restricted-globals": [
        "error",
        ...["window", "document", "navigator", "localStorage", "sessionStorage", "location", "fetch", "XMLHttpRequest", "HTMLElement"].map(
          (name) => ({ name, message: "core runs everywhere: no DOM." }),
        ),
        ...["process", "Buffer", "require", "__dirname", "__filename", "global", "setImmediate"].map((name) => ({
          name,
          message: "core runs everywhere: no Node globals.",
        })),
      ],
    },
  },
]);
