/**
 * @revline/server: what other packages (e2e, bench) start the product with.
 */
export { buildApp, prepareDatabase, STANDARD_OBJECTS, REVLINE_VERSION, DEFAULT_WEB_DIST } from "./app";
export type { AppConfig, BuiltApp } from "./app";
export { startServer, configFromEnv, main } from "./main";
export type { RevlineConfig, RunningServer } from "./main";
export { runCli, buildProgram } from "./cli/program";
