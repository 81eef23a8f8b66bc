/**
 * GET /api/objects as each built-in role sees it: only objects they may read, hidden fields gone,
 * masked and read-only fields marked, and their permissions. Expected values from the built-in
 * policies (db/migrations/006-access.ts), written out by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FieldDef, ObjectDef } from "@revline/core";
import { createTestApp, type TestApp } from "../../../test/app";

let t: TestApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const region = await t.post("/api/objects/region/records", { name: "East" });
  for (const role of ["sales_rep", "intern", "partner"]) {
    const u = await t.createUser({ name: `U ${role}`, email: `${role}@example.com`, roles: [role], region: region.body.id });
    tokens[role] = u.token;
    if (role === "partner") expect((await t.patch(`/api/objects/user/records/${u.id}`, { user_type: "partner" })).status).toBe(200);
  }
});
afterAll(async () => {
  await t?.close();
});

async function objectsAs(role: string): Promise<Map<string, ObjectDef>> {
  const res = await t.get("/api/objects", { token: tokens[role]! });
  expect(res.status).toBe(200);
  return new Map((res.body.objects as ObjectDef[]).map((o) => [o.name, o]));
}
const field = (o: ObjectDef | undefined, name: string): FieldDef | undefined => o?.fields.find((f) => f.name === name);

describe("metadata as an actor sees it", () => {
  it("an admin sees every object, every field, unmarked, with every permission", async () => {
    const res = await t.get("/api/objects");
    const account = (res.body.objects as ObjectDef[]).find((o) => o.name === "account")!;
    expect(account.permissions).toEqual({ read: true, create: true, update: true, delete: true, export: true, import: true, share: true, reveal: true });
    expect(account.fields.filter((f) => f.access)).toEqual([]);
    expect(field(account, "annual_revenue")).toBeDefined();
  });

  it("an intern reads everything masked as the policy says, and may not write, export or import", async () => {
    const objects = await objectsAs("intern");
    const account = objects.get("account");
    expect(account?.permissions).toEqual({ read: true, create: false, update: false, delete: false, export: false, import: false, share: false, reveal: false });
    expect(field(account, "name")?.access).toBe("masked");
    expect(field(account, "phone")?.access).toBe("masked");
    expect(field(account, "annual_revenue")?.access).toBe("masked");
    expect(field(account, "industry")?.access).toBeUndefined();
    expect(field(objects.get("opportunity"), "amount")?.access).toBe("masked");
    expect(field(objects.get("contact"), "email")?.access).toBe("masked");
  });

  it("a partner sees only the objects their role reads, without hidden fields", async () => {
    const objects = await objectsAs("partner");
    // partner policies: account, contact, lead, opportunity, opportunity_line, product, region, user; not team.
    expect([...objects.keys()].sort()).toEqual(["account", "contact", "lead", "opportunity", "opportunity_line", "product", "region", "user"]);
    expect(field(objects.get("account"), "annual_revenue")).toBeUndefined();
    expect(field(objects.get("user"), "email")).toBeUndefined();
    expect(field(objects.get("user"), "phone")).toBeUndefined();
    expect(objects.get("opportunity")?.permissions).toMatchObject({ read: true, create: true, update: true, delete: false, export: false });
    // An object they may not read answers 404 like one that does not exist.
    const team = await t.get("/api/objects/team", { token: tokens.partner! });
    const none = await t.get("/api/objects/no_such_object", { token: tokens.partner! });
    expect(team.status).toBe(404);
    expect(none.status).toBe(404);
  });

  it("the OpenAPI document describes the API as the caller may use it", async () => {
    const doc = (await t.get("/api/openapi.json", { token: tokens.partner! })).body as { paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(Object.keys(doc.paths).some((p) => p.startsWith("/api/objects/team/"))).toBe(false);
    expect(Object.keys(doc.components.schemas.account!.properties!)).not.toContain("annual_revenue");
    const intern = (await t.get("/api/openapi.json", { token: tokens.intern! })).body as typeof doc;
    expect(intern.components.schemas.opportunity!.properties!.amount).toMatchObject({ type: ["string", "null"], description: "Amount (金额): masked for you; POST .../reveal with the reveal right" });
    const admin = (await t.get("/api/openapi.json")).body as typeof doc;
    expect(Object.keys(admin.paths).some((p) => p.startsWith("/api/objects/team/"))).toBe(true);
    expect(Object.keys(admin.components.schemas.account!.properties!)).toContain("annual_revenue");
  });

  it("a rep may work their deals but not import them; the directory is read-only", async () => {
    const objects = await objectsAs("sales_rep");
    expect(objects.get("opportunity")?.permissions).toEqual({ read: true, create: true, update: true, delete: true, export: true, import: false, share: false, reveal: false });
    expect(objects.get("user")?.permissions).toMatchObject({ read: true, create: false, update: false });
  });
});
