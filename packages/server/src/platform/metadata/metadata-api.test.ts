/**
 * Objects and fields changed at runtime through the API are usable at once, through the record
 * API and in /api/openapi.json, without a restart. The document is checked against the official
 * OpenAPI 3.1 schema and for dangling references.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown>; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, Json>; securitySchemes?: Record<string, unknown> };
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking arbitrary JSON
type Json = any;

/** Every $ref resolves; every operation has responses and a unique id; path templates have their parameters. */
function structuralProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const resolve = (ref: string) => {
    if (!ref.startsWith("#/")) return false;
    let node: Json = doc;
    for (const part of ref.slice(2).split("/")) {
      node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
      if (node === undefined) return false;
    }
    return true;
  };
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && !resolve(v)) problems.push(`${where}: unresolved ${v}`);
        walk(v, `${where}.${k}`);
      }
    }
  };
  walk(doc, "#");
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${method} ${path}: no responses`);
      if (!op.operationId) problems.push(`${method} ${path}: no operationId`);
      else if (ids.has(op.operationId)) problems.push(`${method} ${path}: duplicate operationId ${op.operationId}`);
      else ids.add(op.operationId);
      const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      for (const name of templated) if (!declared.includes(name!)) problems.push(`${method} ${path}: path parameter ${name} not declared`);
    }
  }
  return problems;
}

async function checkDocument(doc: Doc): Promise<void> {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe("3.1");
  expect(structuralProblems(doc)).toEqual([]);
}

describe("metadata API and the live OpenAPI document", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists objects with system fields first", async () => {
    const res = await t.get("/api/objects");
    expect(res.status).toBe(200);
    const names = res.body.objects.map((o: { name: string }) => o.name);
    for (const n of ["user", "team", "region", "account", "contact", "lead", "opportunity", "product", "opportunity_line"]) expect(names).toContain(n);
    const opp = await t.get("/api/objects/opportunity");
    expect(opp.body.fields.slice(0, 7).map((f: { name: string }) => f.name)).toEqual(["id", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at"]);
    expect(opp.body.fields.find((f: { name: string }) => f.name === "stage").options.map((o: { value: string }) => o.value)).toEqual([
      "Prospecting",
      "Engaging",
      "Won",
      "Lost",
    ]);
    expect((await t.get("/api/objects/nope")).status).toBe(404);
  });

  it("describes the standard objects in a valid OpenAPI 3.1 document", async () => {
    const res = await t.get("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(doc.openapi).toBe("3.1.0");
    await checkDocument(doc);
    const opp = doc.components.schemas.opportunity;
    expect(opp.properties.amount.anyOf[0].$ref).toBe("#/components/schemas/Money");
    expect(opp.properties.stage).toMatchObject({ type: ["string", "null"], enum: ["Prospecting", "Engaging", "Won", "Lost", null], title: "Stage" });
    expect(opp.properties.stage.description).toContain("阶段");
    expect(opp.properties.close_date).toMatchObject({ type: ["string", "null"], format: "date" });
    expect(opp.properties._related.properties.account).toEqual({ anyOf: [{ $ref: "#/components/schemas/account" }, { type: "null" }] });
    const input = doc.components.schemas["opportunity.input"];
    expect(input.additionalProperties).toBe(false);
    expect(input.required).toEqual(["name"]);
    expect(Object.keys(input.properties)).not.toContain("id");
    // opportunity_line.total is computed by the sales module: returned, read-only, never input.
    expect(doc.components.schemas.opportunity_line.properties.total.readOnly).toBe(true);
    expect(Object.keys(doc.components.schemas["opportunity_line.input"].properties)).not.toContain("total");
    expect(Object.keys(doc.components.schemas["opportunity_line.patch"].properties)).not.toContain("total");
    expect(doc.paths["/api/objects/opportunity/records/{id}"]!.patch!.responses!["409"]).toEqual({ $ref: "#/components/responses/Conflict" });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/objects/opportunity/records", "/api/objects/opportunity/aggregate", "/api/auth/login", "/api/objects"]));
    expect(doc.components.securitySchemes).toMatchObject({ cookieAuth: { type: "apiKey", in: "cookie", name: "revline_session" }, bearerAuth: { type: "http", scheme: "bearer" } });
  });

  it("creates a custom object and fields at runtime, usable at once through the API and the document", async () => {
    const created = await t.post("/api/objects", {
      name: "project",
      label: { en: "Project", zh: "项目" },
      labelPlural: { en: "Projects", zh: "项目" },
      fields: [{ name: "budget", type: "currency", currency: "EUR", label: { en: "Budget", zh: "预算" } }],
    });
    expect(created.status).toBe(201);
    expect(created.body.fields.map((f: { name: string }) => f.name)).toEqual(["id", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at", "name", "budget"]);

    const rec = await t.post("/api/objects/project/records", { name: "Apollo", budget: 12.5 });
    expect(rec.status).toBe(201);
    expect(rec.body.budget).toEqual({ amount: "12.50", currency: "EUR" });

    let doc = (await t.get("/api/openapi.json")).body as Doc;
    expect(doc.paths["/api/objects/project/records"]).toBeDefined();
    expect(doc.components.schemas["project.input"].properties.budget.description).toContain("EUR");
    expect(doc.components.schemas.project.title).toBe("Project");

    const field = await t.post("/api/objects/project/fields", {
      name: "priority",
      type: "picklist",
      label: { en: "Priority", zh: "优先级" },
      options: [
        { value: "high", label: { en: "High", zh: "高" } },
        { value: "low", label: { en: "Low", zh: "低" } },
      ],
    });
    expect(field.status).toBe(201);
    expect(field.body).toMatchObject({ name: "priority", type: "picklist" });

    expect((await t.patch(`/api/objects/project/records/${rec.body.id}`, { priority: "high" })).body.priority).toBe("high");
    const wrong = await t.patch(`/api/objects/project/records/${rec.body.id}`, { priority: "urgent" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe("priority");
    const filter = encodeURIComponent(JSON.stringify({ field: "priority", op: "eq", value: "high" }));
    expect((await t.get(`/api/objects/project/records?filter=${filter}&fields=name`)).body.records.map((r: { name: string }) => r.name)).toEqual(["Apollo"]);

    doc = (await t.get("/api/openapi.json")).body as Doc;
    expect(doc.components.schemas.project.properties.priority.enum).toEqual(["high", "low", null]);
    await checkDocument(doc);

    const relabel = await t.patch("/api/objects/project/fields/priority", { label: { en: "Urgency", zh: "紧急程度" } });
    expect(relabel.status).toBe(200);
    doc = (await t.get("/api/openapi.json")).body as Doc;
    expect(doc.components.schemas.project.properties.priority.title).toBe("Urgency");

    expect((await t.del("/api/objects/project/fields/priority")).status).toBe(204);
    doc = (await t.get("/api/openapi.json")).body as Doc;
    expect(doc.components.schemas.project.properties.priority).toBeUndefined();
    const gone = await t.post("/api/objects/project/records", { name: "Gemini", priority: "high" });
    expect(gone.status).toBe(400);
    expect(gone.body.errors.map((e: { field: string }) => e.field)).toContain("priority");
  });

  it("rejects bad definitions with 400 and duplicates with an error, never 500", async () => {
    const cases: [string, string, unknown][] = [
      ["POST", "/api/objects", { name: "Bad Name", label: { en: "x", zh: "x" }, labelPlural: { en: "x", zh: "x" } }],
      ["POST", "/api/objects", { name: "widget" }],
      ["POST", "/api/objects", [1]],
      ["POST", "/api/objects/account/fields", { name: "x1", type: "hologram", label: { en: "X", zh: "X" } }],
      ["POST", "/api/objects/account/fields", { name: "name", type: "text", label: { en: "X", zh: "X" } }],
      ["POST", "/api/objects/account/fields", { name: "r1", type: "relation", relation: { object: "ghost" }, label: { en: "X", zh: "X" } }],
      ["PATCH", "/api/objects/account/fields/city", { type: "integer" }],
      ["DELETE", "/api/objects/account/fields/name", undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await t.request(method, path, { body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 400 });
      expect(res.contentType).toMatch(/^application\/problem\+json/);
    }
    expect((await t.post("/api/objects/ghost/fields", { name: "x", type: "text", label: { en: "X", zh: "X" } })).status).toBe(404);
    expect((await t.patch("/api/objects/account/fields/ghost", { label: { en: "X", zh: "X" } })).status).toBe(404);
  });
});
