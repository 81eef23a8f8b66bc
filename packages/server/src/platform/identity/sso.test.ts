/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider on 127.0.0.1): configured
 * through the admin API, then the authorization-code flow with PKCE walked over real HTTP, the
 * provider's own login and consent forms submitted, back to Revline's callback.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";
import { CookieJar, ssoRoundTrip, startOidcProvider, type OidcProvider } from "../../../test/oidc";

const CLIENT_ID = "revline-test";
const CLIENT_SECRET = "op-client-secret-7f3a9c2e51b84d06";

let t: TestApp;
let op: OidcProvider;

type AuditRow = { action: string; actor_id: string; record_id: string | null; changes: string | null };
async function audits(action: string): Promise<AuditRow[]> {
  return (await t.db.kysely.selectFrom("audit_log").select(["action", "actor_id", "record_id", "changes"]).where("action", "=", action).orderBy("seq").execute());
}

/** A session from a jar as the test app's `cookie` option (session + CSRF cookie). */
const sessionOf = (jar: CookieJar) => `revline_session=${jar.get("revline_session")}; revline_csrf=${jar.get("revline_csrf")}`;

const settings = () => ({
  issuer: op.issuer,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  scopes: ["openid", "email", "profile", "groups"],
  roleClaim: "groups",
  roleMapping: { "crm-sales": "sales_rep", "crm-managers": "sales_manager" },
  autoCreate: true,
  linkByEmail: true,
});

beforeAll(async () => {
  t = await createTestApp();
  op = await startOidcProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${t.url}/api/auth/sso/callback`],
    accounts: {
      "alice-sub": { email: "alice@example.com", name: "Alice Ameri", groups: ["crm-sales", "staff"] },
      "bob-sub": { email: "Bob@Example.com", name: "Bob from the provider", groups: ["crm-managers"] },
      "carol-sub": { email: "carol@example.com", name: "Carol", groups: [] },
      "dave-sub": { email: "dave@example.com", name: "Dave Unverified", emailVerified: false },
      "erin-sub": { email: "erin@example.com", name: "Erin" },
      "admin-sub": { email: "admin@example.com", name: "The Admin", groups: ["crm-sales"] },
    },
  });
});
afterAll(async () => {
  await op?.close();
  await t?.close();
});

describe("single sign-on settings", () => {
  it("are off until an administrator saves them; the client secret is write-only", async () => {
    expect((await t.get("/api/auth/sso/status", { token: null })).body).toEqual({ enabled: false });
    const start = await fetch(`${t.url}/api/auth/sso/start`, { redirect: "manual" });
    expect(start.status).toBe(302);
    expect(start.headers.get("location")).toBe("/login?sso_error=not_configured");

    const user = await t.createUser({ name: "Not An Admin", email: "nadmin@example.com" });
    expect((await t.request("PUT", "/api/auth/sso", { body: settings(), token: user.token })).status).toBe(403);
    expect((await t.get("/api/auth/sso", { token: user.token })).status).toBe(403);
    const bad = await t.request("PUT", "/api/auth/sso", { body: { ...settings(), issuer: "http://idp.example.com", scopes: ["email"], roleMapping: { x: "Not A Role" } } });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["issuer", "scopes", "roleMapping.x"]);
    expect((await t.request("PUT", "/api/auth/sso", { body: { ...settings(), tenant: "x" } })).status).toBe(400);
    // A well-formed role name that no role has: refused, naming the mapping entry (a typo would grant nothing).
    const typo = await t.request("PUT", "/api/auth/sso", { body: { ...settings(), roleMapping: { "crm-sales": "sales_repp" }, defaultRoles: ["intern"] } });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([{ field: "roleMapping.crm-sales", reason: 'no role named "sales_repp"', code: "unknown_role" }]);

    const put = await t.request("PUT", "/api/auth/sso", { body: settings() });
    expect(put.status).toBe(200);
    const got = await t.get("/api/auth/sso");
    for (const res of [put, got]) {
      expect(res.text).not.toContain(CLIENT_SECRET);
      expect(res.body).toMatchObject({ configured: true, source: "database", hasClientSecret: true, redirectUri: `${t.url}/api/auth/sso/callback` });
      expect(res.body.settings).not.toHaveProperty("clientSecret");
      expect(res.body.settings).toMatchObject({ issuer: op.issuer, clientId: CLIENT_ID, roleClaim: "groups", autoCreate: true });
    }
    // Saving without a clientSecret keeps the stored one.
    const { clientSecret: _omit, ...withoutSecret } = settings();
    expect((await t.request("PUT", "/api/auth/sso", { body: withoutSecret })).body.hasClientSecret).toBe(true);
    const configured = await audits("auth.sso_configured");
    expect(configured.map((e) => e.actor_id)).toEqual([t.admin.id, t.admin.id]);
    expect(JSON.stringify(configured)).not.toContain(CLIENT_SECRET);
    expect(JSON.parse(configured[0]!.changes!).clientSecret).toEqual({ after: "set" });
    expect(JSON.parse(configured[1]!.changes!).clientSecret).toEqual({ after: "unchanged" });
    expect((await t.get("/api/auth/sso/status", { token: null })).body).toEqual({ enabled: true });
  });
});

describe("signing in through the provider", () => {
  it("creates the user on first sign-in with roles mapped from the groups claim, and finds them again by subject", async () => {
    const jar = new CookieJar();
    const walk = await ssoRoundTrip(jar, t.url, "alice-sub", { returnTo: "/objects/opportunity" });
    expect(walk.landing).toBe("/objects/opportunity");
    // The flow went through the provider and carried PKCE (S256), state and nonce.
    const authorize = new URL(walk.trail[1]!);
    expect(authorize.origin).toBe(op.issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${t.url}/api/auth/sso/callback`);
    expect(new URL(walk.callbackUrl!).searchParams.get("state")).toBe(authorize.searchParams.get("state"));

    const me = await t.get("/api/auth/me", { cookie: sessionOf(jar) });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ name: "Alice Ameri", email: "alice@example.com", isAdmin: false, roles: ["sales_rep"] });
    const aliceId: string = me.body.user.id;
    expect((await t.get(`/api/users/${aliceId}/roles`)).body.roles).toEqual(["sales_rep"]);
    const links = await t.db.kysely.selectFrom("auth_sso_identity").select(["issuer", "subject", "user_id"]).execute();
    expect(links).toEqual([{ issuer: op.issuer, subject: "alice-sub", user_id: aliceId }]);
    // The session works for writes too, with the CSRF cookie it was given.
    expect((await t.post("/api/auth/logout", undefined, { cookie: sessionOf(jar) })).status).toBe(204);

    const again = new CookieJar();
    expect((await ssoRoundTrip(again, t.url, "alice-sub")).landing).toBe("/");
    expect((await t.get("/api/auth/me", { cookie: sessionOf(again) })).body.user.id).toBe(aliceId);
    const users = (await t.db.kysely.selectFrom("obj_user").select("id").where("email", "=", "alice@example.com").execute()) as unknown[];
    expect(users).toHaveLength(1);

    const logins = (await audits("auth.sso_login")).filter((e) => e.record_id === aliceId);
    expect(logins.map((e) => [e.actor_id, JSON.parse(e.changes!)])).toEqual([
      [aliceId, { method: { after: "sso" } }],
      [aliceId, { method: { after: "sso" } }],
    ]);
    const roleChanges = (await audits("access.user_roles_changed")).filter((e) => e.record_id === aliceId);
    expect(roleChanges.map((e) => [e.actor_id, JSON.parse(e.changes!)])).toEqual([["system", { roles: { before: [], after: ["sales_rep"] }, source: { after: "sso" } }]]);
  });

  it("returns only to paths of this site", async () => {
    for (const returnTo of ["//evil.example/x", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "/%2F%2Fevil.example"]) {
      const jar = new CookieJar();
      const walk = await ssoRoundTrip(jar, t.url, "alice-sub", { returnTo });
      expect(walk.landing, JSON.stringify(returnTo)).toBe(returnTo === "/%2F%2Fevil.example" ? "/%2F%2Fevil.example" : "/");
    }
  });

  it("links the first sign-in to an existing user with the same email, and the claim replaces their roles", async () => {
    const bob = await t.createUser({ name: "Bob Builder", email: "bob@example.com", roles: ["sales_rep"] });
    const jar = new CookieJar();
    expect((await ssoRoundTrip(jar, t.url, "bob-sub")).landing).toBe("/");
    const me = (await t.get("/api/auth/me", { cookie: sessionOf(jar) })).body.user;
    expect(me).toMatchObject({ id: bob.id, name: "Bob Builder", email: "bob@example.com", roles: ["sales_manager"] });
    const link = await t.db.kysely.selectFrom("auth_sso_identity").select("user_id").where("subject", "=", "bob-sub").execute();
    expect(link).toEqual([{ user_id: bob.id }]);
    // The password still works too: SSO is one more way in, not a replacement.
    expect((await t.login(bob.email, bob.password)).res.status).toBe(200);
  });

  it("never maps away the admin role of the last active administrator", async () => {
    const jar = new CookieJar();
    expect((await ssoRoundTrip(jar, t.url, "admin-sub")).landing).toBe("/");
    expect((await t.get("/api/auth/me", { cookie: sessionOf(jar) })).body.user).toMatchObject({ id: t.admin.id, isAdmin: true, roles: ["admin", "sales_rep"] });
    // With another active administrator, the mapping applies as configured.
    const second = await t.createUser({ name: "Second Admin", email: "admin2@example.com", roles: ["admin"] });
    const again = new CookieJar();
    await ssoRoundTrip(again, t.url, "admin-sub");
    expect((await t.get("/api/auth/me", { cookie: sessionOf(again) })).body.user).toMatchObject({ id: t.admin.id, isAdmin: false, roles: ["sales_rep"] });
    expect((await t.request("PUT", `/api/users/${t.admin.id}/roles`, { body: { roles: ["admin"] }, token: second.token })).status).toBe(200);
  });

  it("gives the default roles when no group maps", async () => {
    await t.request("PUT", "/api/auth/sso", { body: { ...settings(), defaultRoles: ["intern"] } });
    const jar = new CookieJar();
    expect((await ssoRoundTrip(jar, t.url, "carol-sub")).landing).toBe("/");
    expect((await t.get("/api/auth/me", { cookie: sessionOf(jar) })).body.user).toMatchObject({ email: "carol@example.com", roles: ["intern"] });
  });

  it("does not link or create a user from an email the provider says is unverified", async () => {
    await t.createUser({ name: "Dave Real", email: "dave@example.com" });
    const jar = new CookieJar();
    const walk = await ssoRoundTrip(jar, t.url, "dave-sub");
    expect(walk.landing).toBe("/login?sso_error=no_email");
    expect(jar.get("revline_session")).toBeUndefined();
    expect(await t.db.kysely.selectFrom("auth_sso_identity").select("user_id").where("subject", "=", "dave-sub").execute()).toEqual([]);
  });

  it("refuses a user when automatic creation is off and no user has the email", async () => {
    await t.request("PUT", "/api/auth/sso", { body: { ...settings(), autoCreate: false } });
    const jar = new CookieJar();
    expect((await ssoRoundTrip(jar, t.url, "erin-sub")).landing).toBe("/login?sso_error=unknown_user");
    expect(await t.db.kysely.selectFrom("obj_user").select("id").where("email", "=", "erin@example.com").execute()).toEqual([]);
    await t.request("PUT", "/api/auth/sso", { body: settings() });
  });
});

describe("refusals", () => {
  it("refuses a callback whose state does not match the browser's", async () => {
    const before = (await audits("auth.login_failed")).length;
    const forged = new CookieJar();
    const walk = await ssoRoundTrip(forged, t.url, "alice-sub", {
      onCallback: (url) => {
        const u = new URL(url);
        u.searchParams.set("state", "a-state-this-browser-never-started");
        return u.href;
      },
    });
    expect(walk.landing).toBe("/login?sso_error=state");
    expect(forged.get("revline_session")).toBeUndefined();

    // Login CSRF: a callback with a real code and state, followed by a browser that did not start it.
    const other = new CookieJar();
    const noCookie = await ssoRoundTrip(other, t.url, "alice-sub", {
      onCallback: (url) => {
        other.delete("revline_sso");
        return url;
      },
    });
    expect(noCookie.landing).toBe("/login?sso_error=state");
    expect(other.get("revline_session")).toBeUndefined();

    // A callback URL is good once: replayed with the right cookie, it is refused.
    const jar = new CookieJar();
    let callback = "";
    let stateCookie = "";
    const ok = await ssoRoundTrip(jar, t.url, "alice-sub", {
      onCallback: (url) => {
        callback = url;
        stateCookie = jar.get("revline_sso")!;
        return url;
      },
    });
    expect(ok.landing).toBe("/");
    const replay = await fetch(callback, { redirect: "manual", headers: { cookie: `revline_sso=${stateCookie}` } });
    expect(replay.headers.get("location")).toBe("/login?sso_error=state");
    expect(replay.headers.getSetCookie().some((c) => c.startsWith("revline_session="))).toBe(false);

    const failed = (await audits("auth.login_failed")).slice(before);
    expect(failed.map((e) => [e.actor_id, JSON.parse(e.changes!).method.after, JSON.parse(e.changes!).reason.after.split(":")[0]])).toEqual([
      ["anonymous", "sso", "state"],
      ["anonymous", "sso", "state"],
      ["anonymous", "sso", "state"],
    ]);
  });

  it("checks the nonce of the ID token against the one this sign-in sent", async () => {
    const jar = new CookieJar();
    const walk = await ssoRoundTrip(jar, t.url, "alice-sub", {
      onCallback: async (url) => {
        // The provider signed an ID token with the nonce it was sent; expect another one.
        await t.db.kysely.updateTable("auth_sso_state").set({ nonce: "a-nonce-the-provider-never-saw" }).execute();
        return url;
      },
    });
    expect(walk.landing).toBe("/login?sso_error=exchange");
    expect(jar.get("revline_session")).toBeUndefined();
    const last = (await audits("auth.login_failed")).at(-1)!;
    expect(JSON.parse(last.changes!).reason.after).toMatch(/^exchange: .*nonce/);
  });

  it("refuses a deactivated user", async () => {
    const alice = (await t.db.kysely.selectFrom("obj_user").select("id").where("email", "=", "alice@example.com").executeTakeFirst()) as { id: string };
    expect((await t.patch(`/api/objects/user/records/${alice.id}`, { is_active: false })).status).toBe(200);
    const jar = new CookieJar();
    expect((await ssoRoundTrip(jar, t.url, "alice-sub")).landing).toBe("/login?sso_error=inactive");
    expect(jar.get("revline_session")).toBeUndefined();
  });
});
