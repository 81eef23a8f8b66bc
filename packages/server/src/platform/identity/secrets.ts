/** Random bearer secrets (session cookies, API tokens) and the sha256 under which they are stored. */
import { createHash, randomBytes } from "node:crypto";

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
