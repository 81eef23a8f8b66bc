/**
 * The OpenAPI 3.1 document, built on each request from the live metadata: an object or field
 * added at runtime is described by the very next request, with no restart.
 */
import type { ObjectDef } from "@revline/core";
import { PROBLEM_RESPONSES, SECURITY_SCHEMES, SHARED_SCHEMAS } from "./openapi-components";
import { inputSchema, inputSchemaName, patchSchemaName, recordSchema, recordSchemaName, ref, type ComputedFields, type JsonSchema } from "./openapi-fields";

export type OpenApiOptions = {
  version: string;
  /** Describe GET /api/objects/{object}/export (when the export route is registered). */
  hasExport?: boolean;
  /** Describe the /api/imports endpoints (when registered). */
  hasImports?: boolean;
  /** Fields computed by the platform per object: read-only in records, absent from inputs. */
  computedFields?: ComputedFields;
  /** Paths described by parts above http (audit, ...), passed in by app.ts; their tags are listed too. */
  extraPaths?: () => Record<string, Record<string, Op>>;
};

type Op = JsonSchema;
const problems = (...names: string[]): Record<string, JsonSchema> => Object.fromEntries(names.map((n): [string, JsonSchema] => [STATUS[n] ?? "500", { $ref: `#/components/responses/${n}` }]));
const STATUS: Record<string, string> = { BadRequest: "400", Unauthorized: "401", Forbidden: "403", NotFound: "404", Conflict: "409", TooLarge: "413" };
const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const ok = (description: string, schema: JsonSchema, extra: JsonSchema = {}) => ({ description, content: json(schema), ...extra });
const body = (schema: JsonSchema, required = true) => ({ required, content: json(schema) });
const PUBLIC: JsonSchema[] = [];
const withArticle = (noun: string) => `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;

const qp = (name: string, description: string, schema: JsonSchema = { type: "string" }) => ({ name, in: "query", required: false, description, schema });
const pathParam = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "string" } });

function objectPaths(o: ObjectDef): Record<string, Record<string, Op>> {
  const base = `/api/objects/${o.name}`;
  const tag = [o.name];
  const rec = ref(recordSchemaName(o.name));
  const list = { type: "object", properties: { records: { type: "array", items: rec }, nextCursor: { type: ["string", "null"] } }, required: ["records", "nextCursor"] };
  const idParam = pathParam("id", `id of the ${o.label.en.toLowerCase()}`);
  const listParams = [
    qp("filter", 'a JSON condition, e.g. {"field":"name","op":"contains","value":"acme"}'),
    qp("sort", 'comma-separated fields, "-" for descending, e.g. -created_at,name'),
    qp("limit", "page size, 1 to 1000 (default 50)", { type: "integer", minimum: 1, maximum: 1000 }),
    qp("cursor", "nextCursor of the previous page"),
    qp("fields", "comma-separated fields to return (id and version always come back)"),
    qp("include", "comma-separated relation fields whose records ride along under _related"),
    qp("deleted", "exclude (default), only or include soft-deleted records", { type: "string", enum: ["exclude", "only", "include"] }),
  ];
  const etag = { headers: { ETag: { description: 'the record version, quoted: "3"', schema: { type: "string" } } } };
  const paths: Record<string, Record<string, Op>> = {
    [`${base}/records`]: {
      get: {
        tags: tag, operationId: `${o.name}.list`, summary: `List ${o.labelPlural.en.toLowerCase()}`, parameters: listParams,
        responses: { 200: ok("A page of records", list), ...problems("BadRequest", "Unauthorized", "Forbidden") },
      },
      post: {
        tags: tag, operationId: `${o.name}.create`, summary: `Create ${withArticle(o.label.en.toLowerCase())}`, requestBody: body(ref(inputSchemaName(o.name))),
        responses: { 201: ok("The created record", rec), ...problems("BadRequest", "Unauthorized", "Forbidden", "Conflict", "TooLarge") },
      },
    },
    [`${base}/records/query`]: {
      post: {
        tags: tag, operationId: `${o.name}.query`, summary: `List ${o.labelPlural.en.toLowerCase()} (long conditions in the body)`,
        requestBody: body(ref("ListQuery"), false),
        responses: { 200: ok("A page of records", list), ...problems("BadRequest", "Unauthorized", "Forbidden") },
      },
    },
    [`${base}/records/bulk-upsert`]: {
      post: {
        tags: tag, operationId: `${o.name}.bulkUpsert`, summary: "Insert or update up to 1,000 records by a unique key, all or nothing",
        requestBody: body({
          type: "object", additionalProperties: false, required: ["records"],
          properties: {
            key: { type: "string", description: `a unique field${o.externalKeyField ? ` (default ${o.externalKeyField})` : ""}` },
            records: { type: "array", maxItems: 1000, items: ref(inputSchemaName(o.name)) },
          },
        }),
        responses: { 200: ok("Counts", ref("BulkUpsertResult")), ...problems("BadRequest", "Unauthorized", "Forbidden", "Conflict", "TooLarge") },
      },
    },
    [`${base}/records/{id}`]: {
      get: {
        tags: tag, operationId: `${o.name}.get`, summary: `Get one ${o.label.en.toLowerCase()}`,
        parameters: [idParam, listParams[4], listParams[5]],
        responses: { 200: ok("The record", rec, etag), ...problems("BadRequest", "Unauthorized", "Forbidden", "NotFound") },
      },
      patch: {
        tags: tag, operationId: `${o.name}.update`, summary: "Change some fields (optimistic concurrency with If-Match)",
        parameters: [idParam, { name: "If-Match", in: "header", required: false, description: 'the version read, "3"; a stale one gets 409', schema: { type: "string" } }],
        requestBody: body(ref(patchSchemaName(o.name))),
        responses: { 200: ok("The updated record", rec, etag), ...problems("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict") },
      },
      delete: {
        tags: tag, operationId: `${o.name}.delete`, summary: "Soft-delete (restore undoes it)", parameters: [idParam],
        responses: { 204: { description: "Deleted" }, ...problems("Unauthorized", "Forbidden", "NotFound") },
      },
    },
    [`${base}/records/{id}/restore`]: {
      post: {
        tags: tag, operationId: `${o.name}.restore`, summary: "Restore a soft-deleted record", parameters: [idParam],
        responses: { 200: ok("The restored record", rec), ...problems("Unauthorized", "Forbidden", "NotFound") },
      },
    },
    [`${base}/records/{id}/reveal`]: {
      post: {
        tags: tag, operationId: `${o.name}.reveal`, summary: "Unmask one masked value (needs the reveal right; audited as record.reveal)", parameters: [idParam],
        requestBody: body({ type: "object", additionalProperties: false, required: ["field"], properties: { field: { type: "string", description: "a field masked for the caller" } } }),
        responses: {
          200: ok("The clear value", { type: "object", properties: { field: { type: "string" }, value: {} }, required: ["field", "value"] }),
          ...problems("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
        },
      },
    },
    [`${base}/aggregate`]: {
      get: {
        tags: tag, operationId: `${o.name}.aggregate`, summary: "Group and aggregate",
        parameters: [
          listParams[0],
          qp("groupBy", "up to 2 fields, dates with a bucket: stage,close_date:month"),
          qp("metrics", "count, sum:field, avg:field, min:field, max:field (default count)"),
          listParams[6],
        ],
        responses: { 200: ok("Groups", ref("AggregateResult")), ...problems("BadRequest", "Unauthorized", "Forbidden") },
      },
      post: {
        tags: tag, operationId: `${o.name}.aggregateQuery`, summary: "Group and aggregate (JSON body)", requestBody: body(ref("AggregateQuery")),
        responses: { 200: ok("Groups", ref("AggregateResult")), ...problems("BadRequest", "Unauthorized", "Forbidden") },
      },
    },
  };
  return paths;
}

function exportPath(o: ObjectDef): Record<string, Op> {
  return {
    get: {
      tags: [o.name], operationId: `${o.name}.export`, summary: "Download a filtered list as CSV or XLSX",
      parameters: [
        qp("format", "csv or xlsx", { type: "string", enum: ["csv", "xlsx"] }),
        qp("filter", "a JSON condition"), qp("sort", "comma-separated fields"), qp("fields", "comma-separated fields"),
      ],
      responses: {
        200: {
          description: "The file",
          content: { "text/csv": { schema: { type: "string" } }, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: { type: "string", contentEncoding: "binary" } } },
        },
        ...problems("BadRequest", "Unauthorized", "Forbidden"),
      },
    },
  };
}

function platformPaths(opts: OpenApiOptions): Record<string, Record<string, Op>> {
  const objParam = pathParam("object", "object name");
  const fieldParam = pathParam("field", "field name");
  const paths: Record<string, Record<string, Op>> = {
    "/api/health": {
      get: { tags: ["platform"], operationId: "health", summary: "Ready to serve", security: PUBLIC,
        responses: { 200: ok("Ready", { type: "object", properties: { status: { const: "ok" } }, required: ["status"] }) } },
    },
    "/api/openapi.json": {
      get: { tags: ["platform"], operationId: "openapi", summary: "This document, from the live metadata", responses: { 200: ok("OpenAPI 3.1", { type: "object" }), ...problems("Unauthorized") } },
    },
    "/api/auth/login": {
      post: {
        tags: ["auth"], operationId: "login", summary: "Sign in; sets the revline_session cookie", security: PUBLIC,
        requestBody: body({ type: "object", required: ["email", "password"], additionalProperties: false, properties: { email: { type: "string" }, password: { type: "string" } } }),
        responses: { 200: ok("Signed in", { type: "object", properties: { user: ref("User") }, required: ["user"] }), ...problems("BadRequest", "Unauthorized") },
      },
    },
    "/api/auth/logout": {
      post: { tags: ["auth"], operationId: "logout", summary: "Sign out", security: PUBLIC, responses: { 204: { description: "Signed out" } } },
    },
    "/api/auth/me": {
      get: { tags: ["auth"], operationId: "me", summary: "The signed-in user",
        responses: { 200: ok("The user", { type: "object", properties: { user: ref("User") }, required: ["user"] }), ...problems("Unauthorized") } },
      patch: { tags: ["auth"], operationId: "updateMe", summary: "Your own language, remembered for your next sign-in",
        requestBody: body({ type: "object", additionalProperties: false, required: ["locale"], properties: { locale: { enum: ["en", "zh-CN"] } } }),
        responses: { 200: ok("The user", { type: "object", properties: { user: ref("User") }, required: ["user"] }), ...problems("BadRequest", "Unauthorized") } },
    },
    "/api/auth/password": {
      post: {
        tags: ["auth"], operationId: "changePassword", summary: "Change your password (signs out your other sessions)",
        requestBody: body({ type: "object", required: ["currentPassword", "newPassword"], properties: { currentPassword: { type: "string" }, newPassword: { type: "string", minLength: 12 } } }),
        responses: { 204: { description: "Changed" }, ...problems("BadRequest", "Unauthorized") },
      },
    },
    "/api/tokens": {
      get: { tags: ["auth"], operationId: "listTokens", summary: "API tokens (admin)",
        responses: { 200: ok("Tokens", { type: "object", properties: { tokens: { type: "array", items: ref("ApiToken") } }, required: ["tokens"] }), ...problems("Unauthorized", "Forbidden") } },
      post: {
        tags: ["auth"], operationId: "createToken", summary: "Make an API token (admin); the token is shown only in this response",
        requestBody: body({ type: "object", required: ["name"], additionalProperties: false,
          properties: { name: { type: "string" }, expiresAt: { type: ["string", "null"], format: "date-time" }, userId: { type: "string" }, scopes: { type: "array", items: { type: "string" } } } }),
        responses: { 201: ok("The token", { allOf: [ref("ApiToken"), { type: "object", properties: { token: { type: "string" } }, required: ["token"] }] }), ...problems("BadRequest", "Unauthorized", "Forbidden") },
      },
    },
    "/api/tokens/{id}": {
      delete: { tags: ["auth"], operationId: "revokeToken", summary: "Revoke an API token (admin)", parameters: [pathParam("id", "token id")],
        responses: { 204: { description: "Revoked" }, ...problems("Unauthorized", "Forbidden", "NotFound") } },
    },
    "/api/objects": {
      get: { tags: ["metadata"], operationId: "listObjects", summary: "All objects and their fields",
        responses: { 200: ok("Objects", { type: "object", properties: { objects: { type: "array", items: ref("ObjectDef") } }, required: ["objects"] }), ...problems("Unauthorized") } },
      post: { tags: ["metadata"], operationId: "createObject", summary: "Create a custom object (admin); its table is created at once",
        requestBody: body(ref("NewObject")), responses: { 201: ok("The object", ref("ObjectDef")), ...problems("BadRequest", "Unauthorized", "Forbidden", "Conflict") } },
    },
    "/api/objects/{object}": {
      get: { tags: ["metadata"], operationId: "getObject", summary: "One object with its fields (system fields first)", parameters: [objParam],
        responses: { 200: ok("The object", ref("ObjectDef")), ...problems("Unauthorized", "NotFound") } },
    },
    "/api/objects/{object}/fields": {
      post: { tags: ["metadata"], operationId: "addField", summary: "Add a custom field (admin); its column is created at once", parameters: [objParam],
        requestBody: body(ref("FieldDef")), responses: { 201: ok("The field", ref("FieldDef")), ...problems("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict") } },
    },
    "/api/objects/{object}/fields/{field}": {
      patch: { tags: ["metadata"], operationId: "updateField", summary: "Change labels, options, validation, required, default (admin)", parameters: [objParam, fieldParam],
        requestBody: body(ref("FieldPatch")), responses: { 200: ok("The field", ref("FieldDef")), ...problems("BadRequest", "Unauthorized", "Forbidden", "NotFound") } },
      delete: { tags: ["metadata"], operationId: "deleteField", summary: "Delete a custom field and its data (admin)", parameters: [objParam, fieldParam],
        responses: { 204: { description: "Deleted" }, ...problems("BadRequest", "Unauthorized", "Forbidden", "NotFound") } },
    },
  };
  if (opts.hasImports) {
    const status = { type: "object", properties: { id: { type: "string" }, status: { type: "string", enum: ["pending", "running", "done", "failed"] } }, additionalProperties: true };
    paths["/api/imports"] = {
      post: { tags: ["import"], operationId: "uploadImport", summary: "Upload a CSV/XLSX file (multipart: file, object); returns columns, a sample and a proposed mapping",
        requestBody: { required: true, content: { "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", contentEncoding: "binary" }, object: { type: "string" } }, required: ["file", "object"] } } } },
        responses: { 201: ok("The upload", { type: "object", additionalProperties: true }), 200: ok("The upload", { type: "object", additionalProperties: true }), ...problems("BadRequest", "Unauthorized", "Forbidden", "TooLarge") } },
    };
    paths["/api/imports/{id}"] = {
      get: { tags: ["import"], operationId: "getImport", summary: "Status, progress and summary", parameters: [pathParam("id", "import id")],
        responses: { 200: ok("The import", status), ...problems("Unauthorized", "NotFound") } },
    };
    paths["/api/imports/{id}/run"] = {
      post: { tags: ["import"], operationId: "runImport", summary: "Run (or dry-run) an uploaded import with a mapping", parameters: [pathParam("id", "import id")],
        requestBody: body({ type: "object", additionalProperties: false, properties: { mapping: { type: "object" }, dryRun: { type: "boolean" }, dateOrder: { type: "string", enum: ["ymd", "dmy", "mdy"] }, onUnresolved: { type: "string", enum: ["reject", "empty"] }, key: { type: ["string", "null"] }, encoding: { type: "string" } } }),
        responses: { 200: ok("Started", status), 202: ok("Started", status), ...problems("BadRequest", "Unauthorized", "NotFound") } },
    };
    paths["/api/imports/{id}/report"] = {
      get: { tags: ["import"], operationId: "importReport", summary: "Rejected rows (row, column, value, reason)", parameters: [pathParam("id", "import id"), qp("format", "csv", { type: "string", enum: ["csv"] })],
        responses: { 200: { description: "The report", content: { "text/csv": { schema: { type: "string" } } } }, ...problems("Unauthorized", "NotFound") } },
    };
  }
  return paths;
}

export function buildOpenApiDocument(objects: readonly ObjectDef[], opts: OpenApiOptions): JsonSchema {
  const known = new Set(objects.map((o) => o.name));
  const schemas: Record<string, JsonSchema> = { ...SHARED_SCHEMAS };
  const paths = platformPaths(opts);
  const extra = opts.extraPaths?.() ?? {};
  Object.assign(paths, extra);
  const extraTags = [...new Set(Object.values(extra).flatMap((ops) => Object.values(ops).flatMap((op) => (Array.isArray(op.tags) ? (op.tags as string[]) : []))))];
  const sorted = [...objects].sort((a, b) => a.name.localeCompare(b.name));
  for (const o of sorted) {
    const computed = opts.computedFields?.(o.name) ?? [];
    schemas[recordSchemaName(o.name)] = recordSchema(o, known, computed);
    schemas[inputSchemaName(o.name)] = inputSchema(o, "create", computed);
    schemas[patchSchemaName(o.name)] = inputSchema(o, "patch", computed);
    Object.assign(paths, objectPaths(o));
    if (opts.hasExport) paths[`/api/objects/${o.name}/export`] = exportPath(o);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Revline API",
      version: opts.version,
      description:
        "Every object, standard or custom, has the same record endpoints. Errors are application/problem+json. " +
        "Authenticate with the session cookie from POST /api/auth/login or with an API token: `Authorization: Bearer YOUR_TOKEN`.",
      license: { name: "MIT", identifier: "MIT" },
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    servers: [{ url: "/" }],
    security: [{ cookieAuth: [] }, { bearerAuth: [] }],
    tags: [
      { name: "platform" }, { name: "auth" }, { name: "metadata" },
      ...(opts.hasImports ? [{ name: "import" }] : []),
      ...extraTags.filter((name) => !["platform", "auth", "metadata", "import"].includes(name)).map((name) => ({ name })),
      ...sorted.map((o) => ({ name: o.name, description: `${o.labelPlural.en} (${o.labelPlural.zh})` })),
    ],
    paths,
    components: { schemas, responses: PROBLEM_RESPONSES, securitySchemes: SECURITY_SCHEMES },
  };
}
