import { fail, ok, textType } from "./common";

// Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is not our check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

export const emailField = textType("email", 254, (raw) => {
  const s = raw.trim();
  if (s === "") return ok(null);
  return EMAIL.test(s) ? ok(s) : fail("not a valid email address (e.g. name@example.com)");
});
