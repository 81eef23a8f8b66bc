/**
 * TOTP second factor over real HTTP. The codes are computed here from the secret the server shows,
 * with node:crypto HMAC-SHA1 as RFC 6238 defines it (not with the library the server uses), and the
 * server's clock is driven by the test so time steps and drift are exact.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp, type TestResponse } from "../../../test/app";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(s: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of s.replace(/=+$/, "").toUpperCase()) {
    const i = BASE32.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP with RFC 6238's time counter, SHA-1. */
function hotp(key: Buffer, counter: number, digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac("sha1", key).update(msg).digest();
  const o = h[h.length - 1]! & 0x0f;
  const bin = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!;
  return String(bin % 10 ** digits).padStart(digits, "0");
}

const STEP_MS = 30_000;
let nowMs = Date.parse("2026-03-02T09:00:10.000Z"); // 10 s into a time step
const clock = () => new Date(nowMs);
const stepNow = () => Math.floor(nowMs / STEP_MS);
/** Moves the clock to 10 s into the next time step (after n steps). */
const nextStep = (n = 1) => {
  nowMs = (stepNow() + n) * STEP_MS + 10_000;
};

let t: TestApp;

const cookiesOf = (res: TestResponse) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .filter((c) => c && !c.endsWith("="))
    .join("; ");

async function audits(action: string, recordId: string): Promise<{ actor_id: string; changes: string | null }[]> {
  return (await t.db.kysely.selectFrom("audit_log").select(["actor_id", "changes"]).where("action", "=", action).where("record_id", "=", recordId).orderBy("seq").execute());
}

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t?.close();
});

describe("the test's own TOTP", () => {
  it("matches RFC 6238 appendix B (SHA-1, T = 59 s and 1111111109 s)", () => {
    const key = Buffer.from("12345678901234567890", "ascii");
    expect(hotp(key, Math.floor(59 / 30), 8)).toBe("94287082");
    expect(hotp(key, Math.floor(1111111109 / 30), 8)).toBe("07081804");
    expect(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").toString("ascii")).toBe("12345678901234567890");
  });
});

describe("two-factor sign-in", () => {
  let user: { id: string; email: string; password: string; token: string };
  let cookie: string;
  let key: Buffer;
  let recoveryCodes: string[];

  /** Password step: returns the challenge (asserting no session was opened yet). */
  async function passwordStep(): Promise<string> {
    const { res } = await t.login(user.email, user.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ totpRequired: true, challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(res.headers.getSetCookie()).toEqual([]);
    return res.body.challenge;
  }
  const codeStep = (challenge: string, code: string) => t.post("/api/auth/login/totp", { challenge, code }, { token: null });

  it("enrols: set-up shows a secret and an otpauth URI; enabling needs a valid code", async () => {
    user = await t.createUser({ name: "Tia Totp", email: "tia@example.com", password: "tias-password-ok" });
    cookie = (await t.login(user.email, user.password)).cookie;
    expect((await t.get("/api/auth/totp", { cookie })).body).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    // An API token acts for a user but is not the user at a browser.
    const byToken = await t.post("/api/auth/totp/setup", {}, { token: user.token });
    expect(byToken.status).toBe(400);
    expect(byToken.body.errors[0].code).toBe("session_required");
    expect((await t.post("/api/auth/totp/enable", { code: "123456" }, { cookie })).body.errors[0].code).toBe("no_setup");

    const setup = await t.post("/api/auth/totp/setup", {}, { cookie });
    expect(setup.status).toBe(200);
    const { secret, uri } = setup.body as { secret: string; uri: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 random bytes, as RFC 4226 recommends for SHA-1
    key = base32Decode(secret);
    expect(key.length).toBe(20);
    const u = new URL(uri);
    expect(u.protocol).toBe("otpauth:");
    expect(u.host).toBe("totp");
    expect(decodeURIComponent(u.pathname)).toBe("/Revline:tia@example.com");
    expect(Object.fromEntries(u.searchParams)).toEqual({ issuer: "Revline", secret, algorithm: "SHA1", digits: "6", period: "30" });
    // Not active before it is confirmed: sign-in still needs only the password.
    expect((await t.login(user.email, user.password)).res.body.user.id).toBe(user.id);

    const wrongCode = hotp(key, stepNow() + 3);
    const wrong = await t.post("/api/auth/totp/enable", { code: wrongCode }, { cookie });
    expect(wrong.status).toBe(400);
    expect(wrong.contentType).toMatch(/problem\+json/);
    expect(wrong.body.errors).toEqual([{ field: "code", reason: "is wrong or was already used", code: "wrong_code" }]);
    expect((await t.post("/api/auth/totp/enable", { code: "12345" }, { cookie })).status).toBe(400);
    expect((await t.post("/api/auth/totp/enable", {}, { cookie })).status).toBe(400);
    expect((await t.post("/api/auth/totp/enable", { code: hotp(key, stepNow()), extra: 1 }, { cookie })).status).toBe(400);

    const ok = await t.post("/api/auth/totp/enable", { code: hotp(key, stepNow()) }, { cookie });
    expect(ok.status).toBe(200);
    recoveryCodes = ok.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await t.get("/api/auth/totp", { cookie })).body).toEqual({ enabled: true, enabledAt: new Date(nowMs).toISOString(), recoveryCodesLeft: 10 });
    // A second enrolment while on is a conflict, not a silent reset.
    expect((await t.post("/api/auth/totp/setup", {}, { cookie })).status).toBe(409);

    const entries = await audits("auth.totp_enabled", user.id);
    expect(entries.map((e) => e.actor_id)).toEqual([user.id]);
    expect(JSON.stringify(entries)).not.toContain(secret);
    // Stored codes are hashes: none of the shown codes is in the table.
    const stored = JSON.stringify(await t.db.kysely.selectFrom("auth_recovery_code").selectAll().where("user_id", "=", user.id).execute());
    for (const c of recoveryCodes) expect(stored).not.toContain(c.replace("-", ""));
  });

  it("needs the second step to sign in, and refuses a replayed code", async () => {
    nextStep();
    const challenge = await passwordStep();
    const code = hotp(key, stepNow());
    const res = await codeStep(challenge, code);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    const session = cookiesOf(res);
    expect(session).toMatch(/revline_session=[A-Za-z0-9_-]{43}; revline_csrf=/);
    expect((await t.get("/api/auth/me", { cookie: session })).body.user.id).toBe(user.id);
    const logins = await audits("auth.login", user.id);
    expect(JSON.parse(logins.at(-1)!.changes!)).toEqual({ method: { after: "totp" } });

    // The same code again, within its 30 s and one step later (still inside the drift window): refused.
    const again = await passwordStep();
    const replay = await codeStep(again, code);
    expect(replay.status).toBe(401);
    expect(replay.body.errors).toEqual([{ field: "code", reason: "is wrong or was already used", code: "wrong_code" }]);
    expect(replay.headers.getSetCookie()).toEqual([]);
    nextStep();
    expect((await codeStep(again, code)).status).toBe(401);
    // The challenge is still good for a fresh code; once used it is gone.
    const fresh = await codeStep(again, hotp(key, stepNow()));
    expect(fresh.status).toBe(200);
    expect((await codeStep(again, hotp(key, stepNow() + 1))).status).toBe(401);
    const failed = (await t.db.kysely.selectFrom("audit_log").select("changes").where("action", "=", "auth.login_failed").where("record_id", "=", user.id).execute()) as { changes: string }[];
    expect(failed.map((f) => JSON.parse(f.changes).reason.after)).toEqual(["totp", "totp"]);
  });

  it("accepts one step of clock drift either way and refuses two", async () => {
    nowMs += 16 * 60_000; // past the lock-out window of the failures above
    nextStep(10);
    const s = stepNow();
    const challenge = await passwordStep();
    expect((await codeStep(challenge, hotp(key, s - 2))).status).toBe(401);
    expect((await codeStep(challenge, hotp(key, s + 2))).status).toBe(401);
    expect((await codeStep(challenge, hotp(key, s - 1))).status).toBe(200);

    nextStep(10);
    const s2 = stepNow();
    expect((await codeStep(await passwordStep(), hotp(key, s2 + 1))).status).toBe(200);
    // A code of a step not after the last one used is a replay, even inside the window.
    expect((await codeStep(await passwordStep(), hotp(key, s2))).status).toBe(401);
  });

  it("gives a challenge 5 attempts and 5 minutes", async () => {
    nowMs += 16 * 60_000;
    nextStep();
    const challenge = await passwordStep();
    for (let i = 0; i < 4; i++) expect((await codeStep(challenge, "000000")).status).toBe(401);
    expect((await codeStep(challenge, hotp(key, stepNow()))).status).toBe(200); // the 5th attempt
    nowMs += 16 * 60_000;
    nextStep();
    const spent = await passwordStep();
    for (let i = 0; i < 5; i++) expect((await codeStep(spent, `00000${i}`)).status).toBe(401);
    const sixth = await codeStep(spent, hotp(key, stepNow()));
    expect(sixth.status).toBe(401);
    expect(sixth.body.detail).toMatch(/expired or was used up/);

    // In parallel too: ten at once get past the challenge five times, no more.
    nowMs += 16 * 60_000;
    nextStep();
    const raced = await passwordStep();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => codeStep(raced, `1${String(i).padStart(5, "0")}`)));
    const spentAnswers = answers.filter((a) => /expired or was used up/.test(a.body.detail));
    expect(spentAnswers).toHaveLength(5);

    nowMs += 16 * 60_000;
    nextStep();
    const late = await passwordStep();
    nowMs += 5 * 60_000;
    const expired = await codeStep(late, hotp(key, stepNow()));
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired or was used up/);
  });

  it("takes each recovery code once", async () => {
    nowMs += 16 * 60_000;
    const [first, second] = recoveryCodes;
    const res = await codeStep(await passwordStep(), first!);
    expect(res.status).toBe(200);
    expect(JSON.parse((await audits("auth.login", user.id)).at(-1)!.changes!)).toEqual({ method: { after: "recovery" } });
    expect((await codeStep(await passwordStep(), first!)).status).toBe(401);
    // Case and the dash do not matter.
    expect((await codeStep(await passwordStep(), ` ${second!.replace("-", "").toUpperCase()} `)).status).toBe(200);
    expect((await t.get("/api/auth/totp", { cookie })).body.recoveryCodesLeft).toBe(8);
  });

  it("turns off only with a valid code, and audits it", async () => {
    nowMs += 16 * 60_000;
    nextStep();
    expect((await t.post("/api/auth/totp/disable", {}, { cookie })).status).toBe(400);
    const wrong = await t.post("/api/auth/totp/disable", { code: hotp(key, stepNow() + 5) }, { cookie });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ field: "code", code: "wrong_code" });
    expect((await t.get("/api/auth/totp", { cookie })).body.enabled).toBe(true);
    expect(await audits("auth.totp_disabled", user.id)).toEqual([]);

    const off = await t.post("/api/auth/totp/disable", { code: hotp(key, stepNow()) }, { cookie });
    expect(off.status).toBe(204);
    expect((await t.get("/api/auth/totp", { cookie })).body).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    const entries = await audits("auth.totp_disabled", user.id);
    expect(entries.map((e) => [e.actor_id, JSON.parse(e.changes!)])).toEqual([[user.id, { method: { after: "totp" } }]]);
    // The password alone signs in again; the old recovery codes are gone.
    const plain = await t.login(user.email, user.password);
    expect(plain.res.body.user.id).toBe(user.id);
    expect(await t.db.kysely.selectFrom("auth_recovery_code").select("user_id").where("user_id", "=", user.id).execute()).toEqual([]);
  });

  it("lets an administrator reset it for a user who lost the device, audited", async () => {
    nextStep();
    const setup = await t.post("/api/auth/totp/setup", {}, { cookie });
    const k = base32Decode(setup.body.secret);
    expect((await t.post("/api/auth/totp/enable", { code: hotp(k, stepNow()) }, { cookie })).status).toBe(200);
    expect((await t.post("/api/auth/totp/reset", { userId: user.id }, { token: user.token })).status).toBe(403);
    expect((await t.post("/api/auth/totp/reset", { userId: user.id })).status).toBe(204);
    expect((await t.get("/api/auth/totp", { cookie })).body.enabled).toBe(false);
    const entries = await audits("auth.totp_disabled", user.id);
    expect(entries.map((e) => [e.actor_id, JSON.parse(e.changes!)]).at(-1)).toEqual([t.admin.id, { method: { after: "admin_reset" } }]);
  });
});
