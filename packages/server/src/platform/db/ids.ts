/**
 * Record and row ids: UUIDv7 (RFC 9562), made in the app. Millisecond timestamp, then a 12-bit
 * counter (rand_a) that keeps ids made in the same millisecond in order, then 62 random bits.
 * Random bytes come from a pooled crypto buffer: one syscall per 4096 ids instead of one per id.
 */
import crypto from "node:crypto";

const POOL_IDS = 4096;
let pool = Buffer.alloc(0);
let offset = 0;
let lastMs = -1;
let counter = 0;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function newId(now = Date.now()): string {
  if (offset + 9 > pool.length) {
    pool = crypto.randomBytes(POOL_IDS * 9);
    offset = 0;
  }
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next one, keeping order.
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = ms;
    counter = pool[offset + 8]! & 0x7f; // random start, room to count upward
  }
  const b = new Array<number>(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (pool[offset]! & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = pool[offset + i - 8]!;
  offset += 9;
  const h = b.map((x) => HEX[x]!);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}
