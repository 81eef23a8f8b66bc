/**
 * Sign-in hardening over real HTTP: password policy on change, CSRF for cookie sessions, token scopes
 * and their audit, sessions ending (sign-out, expiry, password change), deactivation ending sessions
 * and tokens at once, failed sign-ins and lock-out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

type AuditRow = { action: string; actor_id: string; record_id: string | null; changes: string | null; ip: string | null };

let t: TestApp;
let nowMs = Date.parse("2026-03-02T09:00:00.000Z");
const clock = () => new Date(nowMs);

async function audits(action: string): Promise<AuditRow[]> {
  return (await t.db.kysely.selectFrom("audit_log").select(["action", "actor_id", "record_id", "changes", "ip"]).where("action", "=", action).orderBy("seq").execute());
}

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t?.close();
});

describe("your own language", () => {
  it("is remembered on your user record, for any user, and only en or zh-CN", async () => {
    const u = await t.createUser({ name: "Lin Lang", email: "lin@example.com", roles: ["intern"] });
    const res = await t.patch("/api/auth/me", { locale: "zh-CN" }, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.user.locale).toBe("zh-CN");
    expect((await t.get(`/api/objects/user/records/${u.id}`)).body.locale).toBe("zh-CN");
    expect((await t.patch("/api/auth/me", { locale: "fr" }, { token: u.token })).status).toBe(400);
    expect((await t.patch("/api/auth/me", { locale: "en", name: "X" }, { token: u.token })).status).toBe(400);
  });
});

describe("the current-password check and sign-out", () => {
  it("counts wrong current passwords like failed sign-ins (lock-out, audit) and audits sign-out", async () => {
    const u = await t.createUser({ name: "Olga Oracle", email: "olga@example.com", password: "olgas-real-password" });
    const { cookie } = await t.login(u.email, u.password);
    for (let i = 0; i < 5; i++) {
      const r = await t.post("/api/auth/password", { currentPassword: `guess-number-${i}`, newPassword: "a-brand-new-password" }, { cookie });
      expect(r.status).toBe(400);
    }
    // Locked now: even the right current password is refused, and so is signing in elsewhere.
    const right = await t.post("/api/auth/password", { currentPassword: u.password, newPassword: "a-brand-new-password" }, { cookie });
    expect(right.status).toBe(429);
    expect((await t.login(u.email, u.password)).res.status).toBe(429);
    const failed = (await audits("auth.login_failed")).filter((e) => e.record_id === u.id).map((e) => JSON.parse(e.changes!).reason.after);
    expect(failed).toEqual(["current_password", "current_password", "current_password", "current_password", "current_password", "locked"]);
    expect((await audits("auth.locked")).filter((e) => e.record_id === u.id)).toHaveLength(1);

    const other = await t.createUser({ name: "Otto Out", email: "otto@example.com", password: "ottos-real-password" });
    const session = await t.login(other.email, other.password);
    expect((await t.post("/api/auth/logout", undefined, { cookie: session.cookie })).status).toBe(204);
    expect((await audits("auth.logout")).map((e) => [e.actor_id, e.record_id])).toEqual([[other.id, other.id]]);
  });
});

describe("password set by an admin", () => {
  it("applies the policy, ends the user's sessions, is audited, and is for admins only", async () => {
    const u = await t.createUser({ name: "Rosa Reset", email: "rosa@example.com", password: "rosas-first-password", roles: ["sales_rep"] });
    const { cookie } = await t.login(u.email, u.password);
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(200);
    const weak = await t.request("PUT", `/api/users/${u.id}/password`, { body: { password: "rosa@example.com" } });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([["password", "personal"]]);
    const unknownField = await t.request("PUT", `/api/users/${u.id}/password`, { body: { password: "a-fine-new-password", mustChange: true } });
    expect(unknownField.status).toBe(400);
    const byRep = await t.request("PUT", `/api/users/${u.id}/password`, { body: { password: "a-fine-new-password" }, token: u.token });
    expect(byRep.status).toBe(403);
    expect((await t.request("PUT", "/api/users/no-such-user/password", { body: { password: "a-fine-new-password" } })).status).toBe(404);
    const ok = await t.request("PUT", `/api/users/${u.id}/password`, { body: { password: "a-fine-new-password" } });
    expect(ok.status).toBe(204);
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(401);
    expect((await t.login(u.email, u.password)).res.status).toBe(401);
    expect((await t.login(u.email, "a-fine-new-password")).res.status).toBe(200);
    const entries = await audits("auth.password_reset");
    expect(entries.map((e) => [e.actor_id, e.record_id])).toEqual([[t.admin.id, u.id]]);
    expect(JSON.stringify(entries)).not.toContain("a-fine-new-password");
  });
});

describe("password change", () => {
  it("needs the current password and a new one that meets the policy", async () => {
    const u = await t.createUser({ name: "Paul Policy", email: "paul@example.com", password: "first-password-ok" });
    const { cookie } = await t.login(u.email, u.password);
    const wrong = await t.post("/api/auth/password", { currentPassword: "not-it-at-all", newPassword: "another-good-one" }, { cookie });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ field: "currentPassword", reason: "does not match", code: "wrong_password" }]);
    for (const [newPassword, code] of [
      ["short", "too_short"],
      ["paul@example.com", "personal"],
      ["password1234", "common"],
      ["first-password-ok", "unchanged"],
    ]) {
      const res = await t.post("/api/auth/password", { currentPassword: u.password, newPassword }, { cookie });
      expect(res.status, newPassword).toBe(400);
      expect(res.contentType).toMatch(/problem\+json/);
      expect(res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([["newPassword", code]]);
    }
    const ok = await t.post("/api/auth/password", { currentPassword: u.password, newPassword: "second-password-ok" }, { cookie });
    expect(ok.status).toBe(204);
    const entries = await audits("auth.password_changed");
    expect(entries.map((e) => [e.actor_id, e.record_id])).toEqual([[u.id, u.id]]);
    expect(JSON.stringify(entries)).not.toContain("second-password-ok");
  });
});

describe("CSRF for cookie sessions", () => {
  it("refuses unsafe cookie requests without the matching X-CSRF-Token; tokens are exempt", async () => {
    const { cookie, res } = await t.login(t.admin.email, t.admin.password);
    expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const missing = await t.post("/api/tokens", { name: "from a forged form" }, { cookie, csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.contentType).toMatch(/problem\+json/);
    expect(missing.body.errors).toEqual([{ field: "X-CSRF-Token", reason: "missing", code: "csrf" }]);
    const wrong = await t.post("/api/tokens", { name: "x" }, { cookie, csrf: false, headers: { "x-csrf-token": "A".repeat(43) } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors[0].reason).toBe("not the one of this session");
    // Another session's token does not fit this session.
    const other = await t.login(t.admin.email, t.admin.password);
    const otherCsrf = /revline_csrf=([^;]+)/.exec(other.cookie)![1]!;
    expect((await t.post("/api/tokens", { name: "x" }, { cookie, csrf: false, headers: { "x-csrf-token": otherCsrf } })).status).toBe(403);

    expect((await t.get("/api/auth/me", { cookie, csrf: false })).status).toBe(200); // safe methods need none
    expect((await t.post("/api/tokens", { name: "with header" }, { cookie })).status).toBe(201);
    expect((await t.post("/api/tokens", { name: "bearer" })).status).toBe(201); // admin bearer token, no cookie
    expect((await t.post("/api/auth/logout", undefined, { cookie, csrf: false })).status).toBe(403);
    expect((await t.post("/api/auth/logout", undefined, { cookie })).status).toBe(204);
  });
});

describe("sessions", () => {
  it("refuses a cookie after sign-out, for reads and for writes that carry the CSRF header", async () => {
    const u = await t.createUser({ name: "Sam Session", email: "sam@example.com" });
    const { cookie } = await t.login(u.email, u.password);
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(200);
    expect((await t.post("/api/auth/logout", undefined, { cookie })).status).toBe(204);
    // The browser may still hold the cookies: an ended session is nobody (401), not a CSRF problem (403).
    const read = await t.get("/api/auth/me", { cookie });
    expect(read.status).toBe(401);
    expect(read.contentType).toMatch(/problem\+json/);
    expect((await t.post("/api/objects/account/records", { name: "After logout" }, { cookie })).status).toBe(401);
    expect(await t.db.kysely.selectFrom("auth_session").select("id").where("user_id", "=", u.id).execute()).toEqual([]);
  });

  it("slides on use and expires after 7 days without use", async () => {
    const u = await t.createUser({ name: "Ed Expiry", email: "ed@example.com" });
    const { cookie, res } = await t.login(u.email, u.password);
    const expires = /Expires=([^;]+)/i.exec(res.headers.getSetCookie()[0]!)![1]!;
    expect(new Date(expires).toISOString()).toBe(new Date(nowMs + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, ".000Z"));
    nowMs += 4 * 86_400_000; // past half its life: this use extends it to now + 7 days
    await new Promise((r) => setTimeout(r, 1100)); // past the 1 s auth cache
    const slid = await t.get("/api/auth/me", { cookie });
    expect(slid.status).toBe(200);
    // ... and sends the cookies again with the new expiry, or the browser would drop them at the old one.
    const renewed = slid.headers.getSetCookie();
    expect(renewed.map((c) => c.split("=")[0])).toEqual(["revline_session", "revline_csrf"]);
    expect(renewed[0]).toContain(`${cookie.split("; ")[0]};`);
    expect(renewed[1]).toContain(`${cookie.split("; ")[1]};`);
    expect(new Date(/Expires=([^;]+)/i.exec(renewed[0]!)![1]!).getTime()).toBe(Math.floor((nowMs + 7 * 86_400_000) / 1000) * 1000);
    expect((await t.get("/api/auth/me", { cookie })).headers.getSetCookie()).toEqual([]); // once per half-life
    nowMs += 6 * 86_400_000; // 10 days after sign-in (past the first expiry), 6 after the last use: extended again
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(200);
    nowMs += 7 * 86_400_000 + 1000; // 7 days and a second without use
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(401);
    expect(await t.db.kysely.selectFrom("auth_session").select("id").where("user_id", "=", u.id).execute()).toEqual([]);
  });

  it("ends the other sessions when the password changes", async () => {
    const u = await t.createUser({ name: "Pia Change", email: "pia@example.com", password: "pias-first-password" });
    const a = await t.login(u.email, u.password);
    const b = await t.login(u.email, u.password);
    const changed = await t.post("/api/auth/password", { currentPassword: u.password, newPassword: "pias-second-password" }, { cookie: a.cookie });
    expect(changed.status).toBe(204);
    expect((await t.get("/api/auth/me", { cookie: b.cookie })).status).toBe(401);
    expect((await t.get("/api/auth/me", { cookie: a.cookie })).status).toBe(401); // replaced by a fresh one
    const fresh = changed.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect((await t.get("/api/auth/me", { cookie: fresh })).status).toBe(200);
  });
});

describe("API tokens", () => {
  it("accepts only the known scopes and audits creation and revocation", async () => {
    const bad = await t.post("/api/tokens", { name: "x", scopes: ["read", "reed"] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: "scopes", reason: "unknown scope reed; expected one of all, read, write, export, import, admin", code: "enum" }]);
    expect((await t.post("/api/tokens", { name: "x", scopes: [] })).status).toBe(400);
    const made = await t.post("/api/tokens", { name: "BI export", scopes: ["read", "export", "read"], expiresAt: "2026-04-01T00:00:00.000Z" });
    expect(made.status).toBe(201);
    expect(made.body.scopes).toEqual(["read", "export"]);
    expect((await t.get("/api/tokens")).body.scopes).toEqual(["all", "read", "write", "export", "import", "admin"]);
    expect((await t.del(`/api/tokens/${made.body.id}`)).status).toBe(204);
    expect((await t.del(`/api/tokens/${made.body.id}`)).status).toBe(204); // idempotent, audited once
    const created = (await audits("token.created")).find((e) => e.record_id === made.body.id)!;
    expect(created.actor_id).toBe(t.admin.id);
    expect(JSON.parse(created.changes!)).toEqual({
      name: { after: "BI export" },
      userId: { after: t.admin.id },
      scopes: { after: ["read", "export"] },
      expiresAt: { after: "2026-04-01T00:00:00.000Z" },
    });
    expect(created.changes).not.toContain(made.body.token);
    expect((await audits("token.revoked")).filter((e) => e.record_id === made.body.id)).toHaveLength(1);
  });

  it("stops working at its expiry", async () => {
    const made = await t.post("/api/tokens", { name: "short-lived", expiresAt: new Date(nowMs + 60_000).toISOString() });
    expect((await t.get("/api/auth/me", { token: made.body.token })).status).toBe(200);
    nowMs += 61_000;
    await new Promise((r) => setTimeout(r, 1100)); // past the 1 s auth cache
    expect((await t.get("/api/auth/me", { token: made.body.token })).status).toBe(401);
  });
});

describe("deactivation", () => {
  it("ends the user's sessions and tokens in the same request, before the answer", async () => {
    const u = await t.createUser({ name: "Dee Active", email: "dee@example.com" });
    const { cookie } = await t.login(u.email, u.password);
    // Both credentials are checked once, so the auth cache holds them.
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(200);
    expect((await t.get("/api/auth/me", { token: u.token })).status).toBe(200);
    const off = await t.patch(`/api/objects/user/records/${u.id}`, { is_active: false });
    expect(off.status).toBe(200);
    // No waiting for a cache to expire: the very next requests are refused.
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(401);
    expect((await t.get("/api/auth/me", { token: u.token })).status).toBe(401);
    const sessions = await t.db.kysely.selectFrom("auth_session").select("id").where("user_id", "=", u.id).execute();
    expect(sessions).toEqual([]);
    const tokens = (await t.db.kysely.selectFrom("api_token").select("revoked_at").where("user_id", "=", u.id).execute()) as { revoked_at: unknown }[];
    expect(tokens.length).toBe(1);
    expect(tokens.every((r) => r.revoked_at !== null)).toBe(true);
    const entry = (await audits("user.deactivated")).find((e) => e.record_id === u.id)!;
    expect(entry.actor_id).toBe(t.admin.id);
    expect(JSON.parse(entry.changes!)).toEqual({ sessions: { after: 1 }, tokens: { after: 1 } });
    // Reactivating does not bring the old credentials back.
    expect((await t.patch(`/api/objects/user/records/${u.id}`, { is_active: true })).status).toBe(200);
    expect((await t.get("/api/auth/me", { token: u.token })).status).toBe(401);
    expect((await t.login(u.email, u.password)).res.status).toBe(200);
  });
});

describe("failed sign-ins and lock-out", () => {
  it("audits failures without the password, locks after 5 in 15 minutes, and unlocks after", async () => {
    const u = await t.createUser({ name: "Lou Locked", email: "lou@example.com", password: "lous-real-password" });
    for (let i = 0; i < 5; i++) {
      const r = await t.login("LOU@example.com", `wrong-guess-${i}`);
      expect(r.res.status).toBe(401);
    }
    const locked = await t.login(u.email, u.password);
    expect(locked.res.status).toBe(429);
    expect(locked.res.headers.get("retry-after")).toBe("900"); // 5 failures at 09:00 + 15 min - now
    expect(locked.res.contentType).toMatch(/problem\+json/);
    expect(locked.res.headers.get("set-cookie")).toBeNull();
    const failed = (await audits("auth.login_failed")).filter((e) => e.record_id === u.id);
    expect(failed).toHaveLength(5);
    expect(JSON.parse(failed[0]!.changes!)).toEqual({ email: { after: "lou@example.com" }, reason: { after: "password" } });
    expect(failed[0]!.actor_id).toBe("anonymous");
    expect(failed[0]!.ip).toBe("127.0.0.1");
    expect(JSON.stringify(failed)).not.toContain("wrong-guess");
    expect((await audits("auth.locked")).filter((e) => e.record_id === u.id)).toHaveLength(1);
    // The refused attempt while locked (with the right password, even) is in the log too, not counted.
    const whileLocked = (await audits("auth.login_failed")).filter((e) => JSON.parse(e.changes!).email.after === "lou@example.com" && JSON.parse(e.changes!).reason.after === "locked");
    expect(whileLocked).toHaveLength(1);

    nowMs += 10 * 60_000;
    const stillLocked = await t.login(u.email, u.password);
    expect(stillLocked.res.headers.get("retry-after")).toBe("300");
    nowMs += 5 * 60_000;
    const back = await t.login(u.email, u.password);
    expect(back.res.status).toBe(200);
    const logins = (await audits("auth.login")).filter((e) => e.record_id === u.id);
    expect(logins.map((e) => [e.actor_id, JSON.parse(e.changes!).method.after])).toEqual([[u.id, "password"]]);
  });

  it("locks unknown emails the same way, so the answer tells nothing about who exists", async () => {
    for (let i = 0; i < 5; i++) expect((await t.login("nobody-here@example.com", `guess-${i}-guess`)).res.status).toBe(401);
    const r = await t.login("nobody-here@example.com", "guess-6-guess");
    expect(r.res.status).toBe(429);
    expect(r.res.body.errors[0]).toMatchObject({ field: "retryAfter", code: "locked" });
  });
});
