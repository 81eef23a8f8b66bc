import { describe, expect, it } from "vitest";
import { newId } from "./ids";

describe("newId", () => {
  it("makes UUIDv7 strings that are unique and ordered, also within one millisecond", () => {
    const ids = Array.from({ length: 20_000 }, () => newId(1_700_000_000_000));
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // The first 48 bits are the millisecond timestamp (1_700_000_000_000 = 0x18bcfe56800).
    expect(ids[0]!.replace(/-/g, "").slice(0, 12)).toBe("018bcfe56800");
    const later = newId(Date.now());
    expect(later > ids[ids.length - 1]!).toBe(true);
  });
});
