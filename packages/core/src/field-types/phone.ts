import { fail, ok, textType } from "./common";

// Digits with the usual separators and an optional leading +; kept as written (display matters in China and abroad).
const PHONE = /^\+?[0-9][0-9 ()\-./]*[0-9)]$/;

export const phoneField = textType("phone", 40, (raw) => {
  const s = raw.trim();
  if (s === "") return ok(null);
  const digits = s.replace(/\D/g, "").length;
  return PHONE.test(s) && digits >= 3 ? ok(s) : fail("not a valid phone number (digits, spaces, + - ( ) only)");
});
