/** Sign-in, sessions, API tokens and the admin-only routes, over real HTTP. */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const PROBLEM = /^application\/problem\+json/;

describe("identity over HTTP", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ trustProxy: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 401 problems without credentials", async () => {
    for (const path of ["/api/auth/me", "/api/objects", "/api/objects/account/records", "/api/openapi.json"]) {
      const res = await t.get(path, { token: null });
      expect(res.status, path).toBe(401);
      expect(res.contentType).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ type: "about:blank", title: "Unauthorized", status: 401 });
    }
    expect((await t.get("/api/auth/me", { token: "rvl_made-up" })).status).toBe(401);
    expect((await t.get("/api/auth/me", { token: null, cookie: "revline_session=made-up" })).status).toBe(401);
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const wrong = await t.login(t.admin.email, "not-the-password");
    const unknown = await t.login("nobody@example.com", "whatever-password");
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.res.body.detail).toBe(unknown.res.body.detail);
    expect(wrong.res.headers.get("set-cookie")).toBeNull();
    const invalid = await t.post("/api/auth/login", { email: "x@example.com" }, { token: null });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].field).toBe("password");
  });

  it("signs in with a session cookie stored only as a hash, and signs out", async () => {
    const { cookie, res } = await t.login("  Admin@Example.com ", t.admin.password);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: t.admin.id, name: "Administrator", email: t.admin.email, locale: "en", isAdmin: true, roles: ["admin"] });
    const [setCookie, csrfCookie] = res.headers.getSetCookie();
    expect(setCookie).toMatch(/^revline_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    // The CSRF companion is readable by the page (not HttpOnly) and is also in the body.
    expect(csrfCookie).toMatch(/^revline_csrf=[A-Za-z0-9_-]{43};/);
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/SameSite=Lax/);
    expect(csrfCookie).toContain(`revline_csrf=${res.body.csrfToken};`);

    const token = /revline_session=([^;]+)/.exec(cookie)![1]!;
    const rows = (await t.db.kysely.selectFrom("auth_session").select(["id", "user_id"]).execute()) as { id: string; user_id: string }[];
    expect(rows).toContainEqual({ id: sha256(token), user_id: t.admin.id });
    expect(rows.some((r) => r.id === token)).toBe(false);

    const me = await t.get("/api/auth/me", { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(t.admin.id);
    expect((await t.get("/api/objects/account/records", { cookie })).status).toBe(200);

    const out = await t.post("/api/auth/logout", undefined, { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join("\n")).toMatch(/revline_session=;/);
    expect(out.headers.getSetCookie().join("\n")).toMatch(/revline_csrf=;/);
    expect((await t.get("/api/auth/me", { cookie })).status).toBe(401);
  });

  it("marks the cookie Secure behind an https proxy", async () => {
    const res = await t.post("/api/auth/login", { email: t.admin.email, password: t.admin.password }, { token: null, headers: { "x-forwarded-proto": "https" } });
    expect(res.status).toBe(200);
    for (const c of res.headers.getSetCookie()) expect(c).toMatch(/; Secure/);
  });

  it("stores passwords as argon2id hashes", async () => {
    const row = (await t.db.kysely.selectFrom("auth_credential").select("password_hash").where("user_id", "=", t.admin.id).executeTakeFirst()) as { password_hash: string };
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(t.admin.password);
  });

  it("makes API tokens that are shown once, stored hashed, and can be revoked", async () => {
    const created = await t.post("/api/tokens", { name: "CRM sync" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "CRM sync", userId: t.admin.id, scopes: ["all"], expiresAt: null, revokedAt: null });
    const token = created.body.token as string;
    expect(token).toMatch(/^rvl_[A-Za-z0-9_-]{43}$/);

    const stored = (await t.db.kysely.selectFrom("api_token").select("token_hash").where("id", "=", created.body.id).executeTakeFirst()) as { token_hash: string };
    expect(stored.token_hash).toBe(sha256(token));

    const me = await t.get("/api/auth/me", { token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(t.admin.id);

    const list = await t.get("/api/tokens");
    const listed = list.body.tokens.find((x: { id: string }) => x.id === created.body.id);
    expect(listed.name).toBe("CRM sync");
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(JSON.stringify(list.body)).not.toContain(stored.token_hash);

    expect((await t.del(`/api/tokens/${created.body.id}`)).status).toBe(204);
    expect((await t.get("/api/auth/me", { token })).status).toBe(401);
    expect((await t.del("/api/tokens/no-such-token")).status).toBe(404);
  });

  it("refuses expired tokens", async () => {
    const past = await t.post("/api/tokens", { name: "old", expiresAt: "2020-01-01T00:00:00.000Z" });
    expect(past.status).toBe(400);
    const notDate = await t.post("/api/tokens", { name: "old", expiresAt: "next tuesday" });
    expect(notDate.status).toBe(400);
    const extra = await t.post("/api/tokens", { name: "x", admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.errors[0].field).toBe("admin");

    const soon = await t.post("/api/tokens", { name: "soon", expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(soon.status).toBe(201);
    expect((await t.get("/api/auth/me", { token: soon.body.token })).status).toBe(200);
    await t.db.kysely.updateTable("api_token").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", soon.body.id).execute();
    // A checked token is trusted for at most a second (the auth cache); then the expiry counts.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.get("/api/auth/me", { token: soon.body.token })).status).toBe(401);
  });

  it("builds the actor from the user record and keeps admin routes to admins", async () => {
    const region = await t.post("/api/objects/region/records", { name: "East" });
    const rep = await t.createUser({ name: "Rita Rep", email: "rita@example.com", roles: ["sales_rep"], region: region.body.id });
    const me = await t.get("/api/auth/me", { token: rep.token });
    expect(me.body.user).toEqual({ id: rep.id, name: "Rita Rep", email: "rita@example.com", locale: "en", isAdmin: false, roles: ["sales_rep"] });

    // The actor's attributes come from the user record: {"$actor": "region"} is the rep's region.
    const mine = encodeURIComponent(JSON.stringify({ field: "id", op: "eq", value: { $actor: "region" } }));
    const regions = await t.get(`/api/objects/region/records?filter=${mine}&fields=name`, { token: rep.token });
    expect(regions.status).toBe(200);
    expect(regions.body.records.map((r: { name: string }) => r.name)).toEqual(["East"]);

    for (const [method, path, body] of [
      ["POST", "/api/tokens", { name: "x" }],
      ["GET", "/api/tokens", undefined],
      ["DELETE", "/api/tokens/whatever", undefined],
      ["POST", "/api/objects", { name: "thing", label: { en: "Thing", zh: "东西" }, labelPlural: { en: "Things", zh: "东西" } }],
      ["POST", "/api/objects/account/fields", { name: "x", type: "text", label: { en: "X", zh: "X" } }],
      ["PATCH", "/api/objects/account/fields/city", { label: { en: "Town", zh: "城市" } }],
      ["DELETE", "/api/objects/account/fields/city", undefined],
    ] as const) {
      const res = await t.request(method, path, { token: rep.token, body });
      expect({ path, method, status: res.status }).toEqual({ path, method, status: 403 });
      expect(res.contentType).toMatch(PROBLEM);
    }

    // Password sign-in as the rep, then the rep changes the password; old sessions end.
    const first = await t.login("rita@example.com", rep.password);
    expect(first.res.status).toBe(200);
    const change = await t.post("/api/auth/password", { currentPassword: rep.password, newPassword: "short" }, { cookie: first.cookie });
    expect(change.status).toBe(400);
    const changed = await t.post("/api/auth/password", { currentPassword: rep.password, newPassword: "a-much-better-password" }, { cookie: first.cookie });
    expect(changed.status).toBe(204);
    expect((await t.get("/api/auth/me", { cookie: first.cookie })).status).toBe(401);
    expect((await t.login("rita@example.com", rep.password)).res.status).toBe(401);
    expect((await t.login("rita@example.com", "a-much-better-password")).res.status).toBe(200);

    // A deactivated user is nobody, whatever credential they hold.
    expect((await t.patch(`/api/objects/user/records/${rep.id}`, { is_active: false })).status).toBe(200);
    expect((await t.get("/api/auth/me", { token: rep.token })).status).toBe(401);
    expect((await t.login("rita@example.com", "a-much-better-password")).res.status).toBe(401);
  });
});
