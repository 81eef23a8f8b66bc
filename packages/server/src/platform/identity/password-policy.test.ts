/** The password policy, table-driven: which rules each password breaks. */
import { describe, expect, it } from "vitest";
import { checkPasswordPolicy } from "./password-policy";

const owner = { email: "Rita.Rep@example.com", name: "Rita Rep" };
const codes = (password: string) => checkPasswordPolicy(password, owner).map((e) => e.code);

describe("password policy", () => {
  it.each([
    ["correct-horse-battery-staple", []],
    ["twelve chars", []], // 12 characters exactly
    ["eleven char", ["too_short"]], // 11
    ["短密码但是有十二个字符呢", []], // 12 characters (code points), not bytes
    ["x".repeat(256), []],
    ["x".repeat(257), ["too_long"]],
    ["rita.rep@example.com", ["personal"]],
    ["RITA.REP@EXAMPLE.COM", ["personal"]],
    ["Rita Rep", ["too_short", "personal"]],
    ["ritarep", ["too_short", "personal"]],
    ["password1234", ["common"]],
    ["Qwerty123456", ["common"]],
    ["", ["too_short"]],
  ])("%j -> %j", (password, expected) => {
    expect(codes(password)).toEqual(expected);
  });

  it("names the field it was given", () => {
    expect(checkPasswordPolicy("short", {}, "newPassword")).toEqual([{ field: "newPassword", reason: "must have at least 12 characters", code: "too_short" }]);
  });
});
