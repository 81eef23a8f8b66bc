/**
 * Text encoding of an uploaded file, decided from its first 64 KB, in this order:
 * 1. an explicit choice (`--encoding gbk`) always wins;
 * 2. a byte-order mark: UTF-8, UTF-16 LE or BE;
 * 3. UTF-16 without a BOM: most ASCII characters then have a zero byte on one side;
 * 4. valid UTF-8 (most files) is UTF-8;
 * 5. text that decodes as GB18030 (a superset of GBK, what Excel in China saves) into mostly
 *    Chinese characters is GB18030: chardet alone guesses poorly on short Chinese files;
 * 6. otherwise chardet's best guess, and windows-1252 when it has none.
 */
import chardet from "chardet";
import iconv from "iconv-lite";
import { invalid } from "@revline/core";

export type DetectedEncoding = {
  /** iconv-lite name used to decode. */
  encoding: string;
  /** How it was decided, for people. */
  label: string;
  hasBom: boolean;
};

export const SAMPLE_BYTES = 64 * 1024;

function looksUtf16(sample: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  const n = Math.min(sample.length, 4096) & ~1;
  if (n < 4) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) zeroEven++;
    if (sample[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd > pairs * 0.3 && zeroEven < pairs * 0.05) return "utf-16le";
  if (zeroEven > pairs * 0.3 && zeroOdd < pairs * 0.05) return "utf-16be";
  return undefined;
}

function isUtf8(sample: Uint8Array): boolean {
  try {
    // stream: true tolerates a character cut in half at the end of the sample.
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

function looksChinese(sample: Uint8Array): boolean {
  // Cut at the last ASCII byte so that no double-byte character is split.
  let end = sample.length;
  while (end > 0 && sample[end - 1]! >= 0x80) end--;
  const text = iconv.decode(Buffer.from(sample.buffer, sample.byteOffset, end), "gb18030");
  let nonAscii = 0;
  let cjk = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    nonAscii++;
    if (CJK.test(ch)) cjk++;
  }
  return nonAscii > 0 && cjk / nonAscii >= 0.9;
}

export function detectEncoding(sample: Uint8Array, override?: string): DetectedEncoding {
  if (override) {
    const name = override.toLowerCase();
    if (!iconv.encodingExists(name)) throw invalid(`unknown encoding "${override}"`, [{ field: "encoding", reason: "not a known encoding" }]);
    const hasBom = (name.startsWith("utf8") || name.startsWith("utf-8")) && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf;
    return { encoding: name, label: override, hasBom };
  }
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: "utf-8", label: "UTF-8 (BOM)", hasBom: true };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: "utf-16le", label: "UTF-16LE (BOM)", hasBom: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: "utf-16be", label: "UTF-16BE (BOM)", hasBom: true };
  const utf16 = looksUtf16(sample);
  if (utf16) return { encoding: utf16, label: utf16.toUpperCase(), hasBom: false };
  if (isUtf8(sample)) return { encoding: "utf-8", label: "UTF-8", hasBom: false };
  if (looksChinese(sample)) return { encoding: "gb18030", label: "GB18030", hasBom: false };
  const guess = chardet.detect(sample);
  if (guess && iconv.encodingExists(guess) && !/^ISO-8859-1$/i.test(guess)) return { encoding: guess.toLowerCase(), label: guess, hasBom: false };
  return { encoding: "windows-1252", label: "windows-1252", hasBom: false };
}

/** A stream that decodes bytes into text (dropping a BOM). */
export function decoder(encoding: string): NodeJS.ReadWriteStream {
  return iconv.decodeStream(encoding, { stripBOM: true });
}

/** Decodes a sample (dropping a BOM and a trailing partial character). */
export function decodeSample(sample: Uint8Array, encoding: string): string {
  const text = iconv.decode(Buffer.from(sample.buffer, sample.byteOffset, sample.length), encoding, { stripBOM: true });
  return text.replace(/\ufffd$/, "");
}
