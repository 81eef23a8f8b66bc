/**
 * Passwords: argon2id hashes only (OWASP parameters: 19 MiB, 2 passes, 1 lane, the library's
 * defaults), and generated passwords for the first admin.
 */
import { randomInt } from "node:crypto";
import { hash, verify, type Algorithm } from "@node-rs/argon2";

// The declared const enum cannot be read under isolatedModules; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export { MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from "./password-policy";

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

// A hash of a throwaway password, verified against when the account is unknown, so that the
// answer takes as long for "no such user" as for "wrong password".
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("revline-no-such-user");
  await verifyPassword(await dummyHash, password);
  return false;
}

// No 0/O, 1/l/I: the password is read off a terminal and typed in by hand.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A random password of `length` characters (~5.8 bits each: 20 chars ≈ 117 bits). */
export function generatePassword(length = 20): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
