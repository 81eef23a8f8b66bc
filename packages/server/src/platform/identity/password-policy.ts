/**
 * The password policy, checked wherever a password is set or changed (NIST SP 800-63B style: length
 * over composition rules). At least 12 characters, at most 256; not the account's email, the part
 * before its @, or its name; not one of the most common passwords. Returns one problem per broken
 * rule, named after the field the caller reads the password from.
 */
import type { ErrorDetail } from "@revline/core";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

// The commonest passwords of breach corpora that are 12 characters or longer (shorter ones already
// fail the length rule). Compared case-insensitively.
const COMMON_PASSWORDS = new Set([
  "123456789012",
  "1234567890123",
  "12345678901234",
  "123456789123",
  "1q2w3e4r5t6y",
  "1qaz2wsx3edc",
  "abc123456789",
  "abcdefghijkl",
  "administrator",
  "iloveyou1234",
  "letmein12345",
  "password1234",
  "password12345",
  "password123456",
  "passwordpassword",
  "password!123",
  "password@123",
  "p@ssw0rd1234",
  "p@ssword1234",
  "qwerty123456",
  "qwertyuiop12",
  "qwertyuiopasdf",
  "qazwsxedcrfv",
  "1qazxsw23edc",
  "welcome12345",
  "welcome@1234",
  "changeme1234",
  "football1234",
  "baseball1234",
  "sunshine1234",
  "princess1234",
  "superman1234",
  "trustno1trustno1",
  "000000000000",
  "111111111111",
  "aaaaaaaaaaaa",
  "revline12345",
  "revlinerevline",
]);

export type PasswordOwner = { email?: string | null; name?: string | null };

const norm = (s: string) => s.trim().toLowerCase();

export function checkPasswordPolicy(password: string, owner: PasswordOwner = {}, field = "password"): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const chars = [...password].length;
  if (chars < MIN_PASSWORD_LENGTH) errors.push({ field, reason: `must have at least ${MIN_PASSWORD_LENGTH} characters`, code: "too_short" });
  if (chars > MAX_PASSWORD_LENGTH) errors.push({ field, reason: `must have at most ${MAX_PASSWORD_LENGTH} characters`, code: "too_long" });
  const p = norm(password);
  const email = owner.email ? norm(owner.email) : "";
  const local = email.includes("@") ? email.slice(0, email.indexOf("@")) : "";
  const name = owner.name ? norm(owner.name) : "";
  const nameSquashed = name.replace(/\s+/g, "");
  if ((email && p === email) || (local.length >= 3 && p === local) || (name && (p === name || p === nameSquashed)))
    errors.push({ field, reason: "must not be your email address or name", code: "personal" });
  if (COMMON_PASSWORDS.has(p)) errors.push({ field, reason: "is one of the most common passwords; choose another", code: "common" });
  return errors;
}
