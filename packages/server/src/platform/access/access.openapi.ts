/** The OpenAPI description of the access admin API (access.routes.ts); app.ts hands it to the document builder. */
import { oaBody as body, oaObj as obj, oaOk as ok, oaProblems as problems, oaStr as str, type OaSchema as Schema } from "../http";
const tags = ["access"];
const ACTIONS = ["read", "create", "update", "delete", "export", "import", "share", "reveal"];
const MASKS = ["person_name", "phone", "email", "amount_range", "text"];

const label = obj({ en: { ...str, minLength: 1, maxLength: 80 }, zh: { ...str, minLength: 1, maxLength: 80 } });
const fieldRule = obj({ rule: { enum: ["hidden", "read_only", "masked"] }, mask: { enum: MASKS, description: "masked only; default the field's mask kind, else text" } }, ["rule"]);
const fieldRules = { type: "object", additionalProperties: fieldRule, description: "field name -> rule; fields not listed are visible and writable" };
const condition = { $ref: "#/components/schemas/Condition" };
const policyInput = obj(
  {
    actions: { type: "array", items: { enum: ACTIONS }, uniqueItems: true },
    rowCondition: { oneOf: [condition, { type: "null" }], description: 'rows the role may act on, e.g. {"field":"owner","op":"eq","value":{"$actor":"id"}}; null = every row' },
    fieldRules,
  },
  ["actions"],
);
const policy = obj({ object: str, actions: { type: "array", items: { enum: ACTIONS } }, rowCondition: { oneOf: [condition, { type: "null" }] }, fieldRules, updatedAt: { ...str, format: "date-time" } });
const role = obj({
  name: str,
  label,
  description: { type: ["string", "null"] },
  isSystem: { type: "boolean", description: "a built-in role: can be changed, not deleted" },
  createdAt: { ...str, format: "date-time" },
  updatedAt: { ...str, format: "date-time" },
  policies: { type: "array", items: policy },
});
const compiled = obj({ allowed: { type: "boolean" }, rowCondition: { oneOf: [condition, { type: "null" }] }, fieldRules });
const roleParam = { name: "role", in: "path", required: true, schema: str };
const objectParam = { name: "object", in: "path", required: true, schema: str };
const idParam = { name: "id", in: "path", required: true, schema: str, description: "user id" };
const roles = obj({ roles: { type: "array", items: str } });

export function accessOpenApiPaths(): Record<string, Record<string, Schema>> {
  return {
    "/api/access/roles": {
      get: {
        tags,
        operationId: "listRoles",
        summary: "Roles with their policies (admins)",
        responses: {
          "200": ok("Roles, and the vocabularies of the editor", obj({ roles: { type: "array", items: role }, actions: { type: "array", items: str }, fieldRules: { type: "array", items: str }, masks: { type: "array", items: str } })),
          ...problems("401", "403"),
        },
      },
      post: {
        tags,
        operationId: "createRole",
        summary: "Create a custom role (no rights until policies are added)",
        requestBody: body(obj({ name: { ...str, pattern: "^[a-z][a-z0-9_]{1,39}$" }, label, description: { type: ["string", "null"], maxLength: 500 } }, ["name", "label"])),
        responses: { "201": ok("The role", role), ...problems("400", "401", "403", "409") },
      },
    },
    "/api/access/roles/{role}": {
      get: { tags, operationId: "getRole", summary: "One role with its policies", parameters: [roleParam], responses: { "200": ok("The role", role), ...problems("401", "403", "404") } },
      patch: {
        tags,
        operationId: "updateRole",
        summary: "Change a role's labels or description",
        parameters: [roleParam],
        requestBody: body(obj({ label, description: { type: ["string", "null"], maxLength: 500 } }, [])),
        responses: { "200": ok("The role", role), ...problems("400", "401", "403", "404") },
      },
      delete: {
        tags,
        operationId: "deleteRole",
        summary: "Delete a custom role nobody holds (built-in roles cannot be deleted)",
        parameters: [roleParam],
        responses: { "204": { description: "Deleted" }, ...problems("401", "403", "404", "409") },
      },
    },
    "/api/access/roles/{role}/policies/{object}": {
      put: {
        tags,
        operationId: "putPolicy",
        summary: "What a role may do with one object: actions, row condition, field rules (audited access.policy_changed)",
        parameters: [roleParam, objectParam],
        requestBody: body(policyInput),
        responses: { "200": ok("The policy as stored", policy), ...problems("400", "401", "403", "404") },
      },
      delete: {
        tags,
        operationId: "deletePolicy",
        summary: "Take every right on the object from the role",
        parameters: [roleParam, objectParam],
        responses: { "204": { description: "Removed" }, ...problems("401", "403", "404") },
      },
    },
    "/api/users/{id}/roles": {
      get: { tags, operationId: "getUserRoles", summary: "The roles a user holds", parameters: [idParam], responses: { "200": ok("Roles", roles), ...problems("401", "403", "404") } },
      put: {
        tags,
        operationId: "setUserRoles",
        summary: "Replace a user's roles (audited access.user_roles_changed); an admin cannot drop their own admin role",
        parameters: [idParam],
        requestBody: body(roles),
        responses: { "200": ok("Roles", roles), ...problems("400", "401", "403", "404") },
      },
    },
    "/api/access/effective": {
      get: {
        tags,
        operationId: "effectiveAccess",
        summary: "A user's compiled rights: per object and action, allowed, row condition and field rules",
        parameters: [{ name: "user", in: "query", required: true, schema: str }],
        responses: {
          "200": ok(
            "Rights",
            obj({
              user: str,
              roles: { type: "array", items: str },
              attributes: { type: "object", description: "the $actor variables of the user" },
              objects: { type: "object", additionalProperties: { type: "object", additionalProperties: compiled } },
            }),
          ),
          ...problems("400", "401", "403", "404"),
        },
      },
    },
    "/api/access/preview": {
      post: {
        tags,
        operationId: "previewAsUser",
        summary: "A list as a user sees it (their rows, hidden fields gone, masked values masked)",
        requestBody: body(
          obj(
            { user: str, object: str, filter: condition, sort: { ...str, description: "comma-separated fields, - for descending" }, fields: { type: "array", items: str }, include: { type: "array", items: str, description: "relation fields whose records to include (as the user may read them)" }, limit: { type: "integer" }, cursor: str },
            ["user", "object"],
          ),
        ),
        responses: { "200": ok("The page", { type: "object", properties: { records: { type: "array", items: { type: "object" } }, nextCursor: { type: ["string", "null"] }, total: { type: "integer", description: "rows the user sees in all" } }, required: ["records", "nextCursor", "total"] }), ...problems("400", "401", "403", "404") },
      },
    },
  };
}
