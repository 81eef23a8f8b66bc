#!/usr/bin/env node
// The `revline` command: runs the TypeScript CLI through tsx (no build step for the server).
// Paths are resolved from this file, so it works from any working directory and through `npx revline`.
import { register } from "tsx/esm/api";

register();
await import(new URL("../packages/server/src/cli/index.ts", import.meta.url).href);
