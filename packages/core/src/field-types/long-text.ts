import { ok, textType } from "./common";

/** Multi-line text; kept as typed, up to 100,000 characters by default. */
export const longTextField = textType("long_text", 100_000, (s) => ok(s));
