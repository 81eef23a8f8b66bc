/**
 * Masking for actors whose field rule says "masked" (access, issue 3). The output never contains
 * more than the first character of a name or text, the first 3 and last 4 digits of a phone, or
 * the domain of an email; amounts become a range.
 */
import type { MaskKind } from "../metadata/types";
import { Dec, tryDecimal } from "../money/decimal";
import { isMoney } from "../money/money";
import { textOf } from "./common";

const stars = (n: number) => "*".repeat(Math.max(n, 0));

function maskWord(w: string): string {
  const chars = [...w];
  return chars.length <= 1 ? "*" : chars[0] + stars(chars.length - 1);
}

/** 张三丰 -> 张**, John Doe -> J*** D** */
export function maskPersonName(s: string): string {
  return s.trim().split(/(\s+)/).map((part) => (/^\s+$/.test(part) || part === "" ? part : maskWord(part))).join("");
}

/** 13812345678 -> 138****5678 (digits only; separators dropped). */
export function maskPhone(s: string): string {
  const d = s.replace(/\D/g, "");
  if (d.length >= 8) return d.slice(0, 3) + stars(d.length - 7) + d.slice(-4);
  return d.length <= 2 ? stars(d.length) : stars(d.length - 2) + d.slice(-2);
}

/** john@example.com -> j***@example.com */
export function maskEmail(s: string): string {
  const at = s.lastIndexOf("@");
  if (at <= 0) return maskText(s);
  return [...s.slice(0, at)][0] + "***" + s.slice(at);
}

export function maskText(s: string): string {
  const chars = [...s];
  return chars.length <= 1 ? "***" : chars[0] + "***";
}

const BOUNDS = [0, 1e3, 1e4, 5e4, 1e5, 5e5, 1e6, 5e6, 1e7, 5e7, 1e8];
function short(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}K`;
  return String(n);
}

/** 23000 -> "10K–50K"; 2e8 -> "100M+"; negative -> "<0". Accepts a number, decimal string or money. */
export function maskAmountRange(value: unknown): string {
  const d = tryDecimal(isMoney(value) ? value.amount : value);
  if (!d) return "***";
  if (d.isNegative() && !d.isZero()) return "<0";
  for (let i = 1; i < BOUNDS.length; i++) {
    if (d.lessThan(new Dec(BOUNDS[i]!))) return `${short(BOUNDS[i - 1]!)}–${short(BOUNDS[i]!)}`;
  }
  return `${short(BOUNDS[BOUNDS.length - 1]!)}+`;
}

/** Masked display value; null/empty stays null/empty. */
export function maskValue(kind: MaskKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (kind === "amount_range") return maskAmountRange(value);
  const s = Array.isArray(value) ? value.map(textOf).join(", ") : textOf(value);
  if (s === "") return "";
  switch (kind) {
    case "person_name":
      return maskPersonName(s);
    case "phone":
      return maskPhone(s);
    case "email":
      return maskEmail(s);
    case "text":
      return maskText(s);
  }
}
