/** Entry point of the `revline` command (bin/revline.mjs loads this file through tsx). */
import { runCli } from "./program";

await runCli(process.argv);
