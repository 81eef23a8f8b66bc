/** The fixed parts of the OpenAPI document: shared schemas, problem responses, security schemes. */
import type { JsonSchema } from "./openapi-fields";
import { ref } from "./openapi-fields";

const OPERATORS = [
  "eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "nin", "contains", "not_contains", "starts_with", "ends_with",
  "is_empty", "is_not_empty", "in_last", "in_next", "today", "this_week", "this_month", "this_quarter", "this_year", "has_any", "has_all",
];

/** Shapes that recur across the components below. */
const IDENTIFIER: JsonSchema = { type: "string", pattern: "^[a-z][a-z0-9_]{0,62}$" };
const CURRENCY_CODE: JsonSchema = { type: "string", pattern: "^[A-Z]{3}$" };
const DELETED: JsonSchema = { type: "string", enum: ["exclude", "only", "include"] };
const NULLABLE_TIME: JsonSchema = { type: ["string", "null"], format: "date-time" };
const STRINGS: JsonSchema = { type: "array", items: { type: "string" } };
/** An object schema whose listed properties are required. */
const objectOf = (properties: Record<string, JsonSchema>, required: string[] = [], extra: JsonSchema = {}): JsonSchema => ({
  type: "object",
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});

const label: JsonSchema = {
  type: "object",
  properties: { en: { type: "string" }, zh: { type: "string" } },
  required: ["en", "zh"],
};

const fieldDef: JsonSchema = {
  type: "object",
  properties: {
    name: IDENTIFIER,
    type: {
      type: "string",
      enum: ["text", "long_text", "email", "phone", "url", "integer", "decimal", "percent", "currency", "boolean", "date", "datetime", "picklist", "multi_picklist", "relation"],
    },
    label: ref("Label"),
    description: ref("Label"),
    required: { type: "boolean" },
    unique: { type: "boolean" },
    defaultValue: {},
    options: {
      type: "array",
      items: { type: "object", properties: { value: { type: "string" }, label: ref("Label"), color: { type: "string" } }, required: ["value", "label"] },
    },
    relation: { type: "object", properties: { object: { type: "string" } }, required: ["object"] },
    scale: { type: "integer", minimum: 0, maximum: 8 },
    currency: CURRENCY_CODE,
    currencies: { type: "array", items: CURRENCY_CODE, description: "currency fields: the codes accepted (absent: any)" },
    validation: {
      type: "object",
      properties: {
        min: { type: "number" },
        max: { type: "number" },
        minLength: { type: "integer" },
        maxLength: { type: "integer" },
        pattern: { type: "string" },
      },
    },
    maskKind: { type: "string", enum: ["person_name", "phone", "email", "amount_range", "text"] },
    isSystem: { type: "boolean", readOnly: true },
    isStandard: { type: "boolean", readOnly: true },
    computed: { type: "boolean", readOnly: true },
    access: { type: "string", enum: ["read_only", "masked"], readOnly: true, description: "for the signed-in actor: masked values, or not writable" },
  },
  required: ["name", "type", "label"],
};

/** What an admin may change on a field (metadata/admin.ts PATCHABLE), described as the FieldDef does. */
const PATCHABLE_FIELD_KEYS = ["label", "description", "required", "defaultValue", "options", "validation", "maskKind"];
const pick = (schema: JsonSchema, keys: string[]): Record<string, JsonSchema> => {
  const props = schema.properties as Record<string, JsonSchema>;
  return Object.fromEntries(keys.map((k) => [k, props[k]!]));
};

/** The properties an object definition shares with a new object's body. */
const objectProperties: Record<string, JsonSchema> = {
  name: IDENTIFIER,
  label: ref("Label"),
  labelPlural: ref("Label"),
  icon: { type: "string" },
  nameField: { type: "string" },
  externalKeyField: { type: "string" },
  fields: { type: "array", items: ref("FieldDef") },
};

export const SHARED_SCHEMAS: Record<string, JsonSchema> = {
  Problem: {
    type: "object",
    description: "RFC 9457 problem details; errors name each offending field",
    properties: {
      type: { type: "string" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
      errors: {
        type: "array",
        items: {
          type: "object",
          properties: { field: { type: "string" }, reason: { type: "string" }, code: { type: "string" }, row: { type: "integer" } },
          required: ["field", "reason"],
        },
      },
    },
    required: ["type", "title", "status", "detail"],
  },
  Money: {
    type: "object",
    properties: {
      amount: { type: "string", pattern: "^-?\\d+(\\.\\d+)?$", description: "exact decimal at the currency's scale, e.g. 1054.00" },
      currency: { ...CURRENCY_CODE, description: "ISO 4217 code" },
    },
    required: ["amount", "currency"],
  },
  MoneyInput: {
    type: "object",
    properties: {
      amount: { type: ["string", "number"], description: "decimal string (exact) or number" },
      currency: CURRENCY_CODE,
    },
    required: ["amount"],
    additionalProperties: false,
  },
  Condition: {
    description: 'A filter condition, e.g. {"all":[{"field":"stage","op":"in","value":["Won"]},{"field":"amount","op":"gte","value":1000}]}',
    anyOf: [
      { type: "object", properties: { all: { type: "array", items: ref("Condition") } }, required: ["all"], additionalProperties: false },
      { type: "object", properties: { any: { type: "array", items: ref("Condition") } }, required: ["any"], additionalProperties: false },
      { type: "object", properties: { not: ref("Condition") }, required: ["not"], additionalProperties: false },
      {
        type: "object",
        properties: {
          field: { type: "string", description: "a field name, or a path through relations such as account.region" },
          op: { type: "string", enum: OPERATORS },
          value: { description: "a value, a list, {from,to}, {amount,unit} or {$actor: name}" },
        },
        required: ["field", "op"],
        additionalProperties: false,
      },
    ],
  },
  ListQuery: {
    type: "object",
    additionalProperties: false,
    properties: {
      filter: ref("Condition"),
      sort: {
        description: 'comma-separated fields, "-" for descending ("-amount,name"), or a list of {field, desc}',
        anyOf: [
          { type: "string" },
          { type: "array", items: { anyOf: [{ type: "string" }, { type: "object", properties: { field: { type: "string" }, desc: { type: "boolean" } }, required: ["field"] }] } },
        ],
      },
      limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
      cursor: { type: ["string", "null"], description: "nextCursor of the previous page" },
      fields: STRINGS,
      include: { ...STRINGS, description: "relation fields whose records ride along under _related" },
      deleted: { ...DELETED, default: "exclude" },
    },
  },
  AggregateQuery: {
    type: "object",
    additionalProperties: false,
    properties: {
      filter: ref("Condition"),
      groupBy: {
        type: "array",
        maxItems: 2,
        items: {
          type: "object",
          properties: { field: { type: "string" }, bucket: { type: "string", enum: ["day", "month", "quarter", "year"] } },
          required: ["field"],
        },
      },
      metrics: {
        type: "array",
        items: {
          type: "object",
          properties: { fn: { type: "string", enum: ["count", "sum", "avg", "min", "max"] }, field: { type: "string" } },
          required: ["fn"],
        },
      },
      deleted: DELETED,
    },
  },
  AggregateResult: {
    type: "object",
    properties: {
      rows: {
        type: "array",
        items: {
          type: "object",
          properties: {
            group: { type: "object", description: 'keys: field, or "field:bucket"', additionalProperties: true },
            values: { type: "object", description: 'keys: "count", "sum:amount", ...; a currency sum is a Money', additionalProperties: true },
          },
          required: ["group", "values"],
        },
      },
    },
    required: ["rows"],
  },
  BulkUpsertResult: objectOf({ inserted: { type: "integer" }, updated: { type: "integer" }, ids: STRINGS }, ["inserted", "updated"]),
  Label: label,
  FieldDef: fieldDef,
  FieldPatch: objectOf(pick(fieldDef, PATCHABLE_FIELD_KEYS)),
  ObjectDef: objectOf(
    {
      ...objectProperties,
      isStandard: { type: "boolean" },
      module: { type: "string" },
      permissions: {
        type: "object",
        readOnly: true,
        description: "what the signed-in actor may do with the object",
        properties: Object.fromEntries(["read", "create", "update", "delete", "export", "import", "share", "reveal"].map((a) => [a, { type: "boolean" }])),
      },
    },
    ["name", "label", "labelPlural", "nameField", "fields"],
  ),
  NewObject: objectOf(objectProperties, ["name", "label", "labelPlural"]),
  User: objectOf(
    {
      id: { type: "string" },
      name: { type: "string" },
      email: { type: ["string", "null"] },
      locale: { type: ["string", "null"] },
      isAdmin: { type: "boolean" },
      roles: STRINGS,
    },
    ["id", "name", "isAdmin", "roles"],
  ),
  ApiToken: objectOf(
    {
      id: { type: "string" },
      userId: { type: "string" },
      name: { type: "string" },
      scopes: STRINGS,
      createdAt: { type: "string", format: "date-time" },
      createdBy: { type: "string" },
      expiresAt: NULLABLE_TIME,
      lastUsedAt: NULLABLE_TIME,
      revokedAt: NULLABLE_TIME,
    },
    ["id", "userId", "name", "scopes", "createdAt"],
  ),
};

const problemContent = { "application/problem+json": { schema: ref("Problem") } };

export const PROBLEM_RESPONSES: Record<string, JsonSchema> = {
  BadRequest: { description: "Bad input: errors name each field and why", content: problemContent },
  Unauthorized: { description: "Not signed in (no session cookie or bearer token)", content: problemContent },
  Forbidden: { description: "Signed in, but not allowed", content: problemContent },
  NotFound: { description: "No such object or record", content: problemContent },
  Conflict: { description: "Stale version (If-Match) or duplicate unique value", content: problemContent },
  TooLarge: { description: "Request body too large", content: problemContent },
};

export const SECURITY_SCHEMES = {
  cookieAuth: { type: "apiKey", in: "cookie", name: "revline_session", description: "Session cookie set by POST /api/auth/login" },
  bearerAuth: { type: "http", scheme: "bearer", description: "API token made by an administrator (POST /api/tokens)" },
};
