/** Sign-in and password change refuse unknown fields with a 400 naming them, never drop them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe("strict auth bodies", () => {
  it("refuses an unknown field on sign-in, even with the right password", async () => {
    const res = await t.request("POST", "/api/auth/login", { body: { email: t.admin.email, password: t.admin.password, isAdmin: true }, token: null });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "isAdmin" })]);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("refuses an unknown field on password change", async () => {
    const res = await t.post("/api/auth/password", { currentPassword: "x", newPassword: "y", otp: "123456" });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "otp" })]);
  });
});
