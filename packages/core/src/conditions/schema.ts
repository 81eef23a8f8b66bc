/**
 * The Condition AST as a zod schema: used for the HTTP contract and OpenAPI (z.toJSONSchema).
 * Semantic checks against metadata live in validate.ts.
 */
import { z } from "zod";
import type { Condition, Operator, RelativeDateUnit } from "./types";

export const OPERATORS = [
  "eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "nin",
  "contains", "not_contains", "starts_with", "ends_with", "is_empty", "is_not_empty",
  "in_last", "in_next", "today", "this_week", "this_month", "this_quarter", "this_year", "has_any", "has_all",
] as const satisfies readonly Operator[];

export const RELATIVE_DATE_UNITS = ["day", "week", "month", "quarter", "year"] as const satisfies readonly RelativeDateUnit[];

export const scalarValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const actorVariableSchema = z.strictObject({ $actor: z.string() });
export const relativeDateSchema = z.strictObject({ amount: z.number().int().min(0).max(10_000), unit: z.enum(RELATIVE_DATE_UNITS) });
export const rangeValueSchema = z.strictObject({ from: scalarValueSchema.optional(), to: scalarValueSchema.optional() });
export const conditionValueSchema = z.union([scalarValueSchema, z.array(scalarValueSchema), actorVariableSchema, relativeDateSchema, rangeValueSchema]);

export const leafSchema = z.strictObject({ field: z.string().min(1), op: z.enum(OPERATORS), value: conditionValueSchema.optional() });

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema) }),
    z.strictObject({ any: z.array(conditionSchema) }),
    z.strictObject({ not: conditionSchema }),
    leafSchema,
  ]),
);
