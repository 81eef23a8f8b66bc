/**
 * Small builders for the hand-written OpenAPI fragments of the parts (identity, access, audit, ...):
 * one place for the shapes every fragment repeats. Responses for problems refer to the shared
 * components/responses (openapi-components.ts PROBLEM_RESPONSES).
 */
export type Schema = Record<string, unknown>;

const PROBLEM_NAMES: Record<string, string> = { "400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "413": "TooLarge" };

/** { "400": {$ref: BadRequest}, ... } for the given status codes. */
export const problems = (...statuses: string[]): Schema =>
  Object.fromEntries(
    statuses.map((s) => {
      const name = PROBLEM_NAMES[s];
      if (!name) throw new Error(`openapi-dsl: no shared problem response for ${s}`);
      return [s, { $ref: `#/components/responses/${name}` }];
    }),
  );
export const json = (schema: Schema) => ({ "application/json": { schema } });
export const ok = (description: string, schema: Schema) => ({ description, content: json(schema) });
export const body = (schema: Schema) => ({ required: true, content: json(schema) });
/** A closed object: unknown properties are refused, as the API refuses them. */
export const obj = (properties: Schema, required: string[] = Object.keys(properties)): Schema => ({ type: "object", additionalProperties: false, required, properties });
export const str = { type: "string" };
