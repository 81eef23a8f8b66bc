/**
 * validateCondition: shape (zod) and meaning (fields, operators, value types, $actor variables)
 * checked against live metadata. Every problem is reported with its path inside the condition,
 * e.g. "all[1].value", so the UI and API clients can point at it.
 */
import { invalid, type ErrorDetail } from "../errors";
import { operatorsFor } from "../field-types";
import type { FieldDef, MetadataLookup, ObjectDef } from "../metadata/types";
import { resolvePath } from "./paths";
import { operandOf } from "./resolve";
import { leafSchema, relativeDateSchema } from "./schema";
import type { Condition, Leaf, Operator } from "./types";

/** $actor variables every actor may carry (context.ts Actor.attrs). */
export const ACTOR_VARIABLES = ["id", "name", "email", "team", "teams", "region", "roles", "partner", "manager", "subordinates", "locale"] as const;

export type ValidateOptions = { actorVariables?: readonly string[]; maxNodes?: number };

const NO_VALUE: readonly Operator[] = ["is_empty", "is_not_empty", "today", "this_week", "this_month", "this_quarter", "this_year"];
const MAX_DEPTH = 16;
const MAX_LIST = 1000;
/** All lists of one condition together: keeps every compiled query within the databases' bind-parameter limits. */
export const MAX_CONDITION_VALUES = 5000;

const at = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isActorVar = (v: unknown): v is { $actor: unknown } => isPlainObject(v) && "$actor" in v;

export function validateCondition(raw: unknown, object: ObjectDef, meta: MetadataLookup, options: ValidateOptions = {}): Condition {
  const errors: ErrorDetail[] = [];
  const actorVars = options.actorVariables ?? ACTOR_VARIABLES;
  let nodes = 0;
  const maxNodes = options.maxNodes ?? 500;
  let listed = 0;
  const countList = (n: number, push: (reason: string) => void): boolean => {
    const before = listed;
    listed += n;
    if (listed <= MAX_CONDITION_VALUES) return true;
    if (before <= MAX_CONDITION_VALUES) push(`a condition may list at most ${MAX_CONDITION_VALUES} values in all (in, nin, has_any, has_all together)`);
    return false;
  };

  const walk = (node: unknown, path: string, depth: number): void => {
    if (++nodes > maxNodes) {
      if (nodes === maxNodes + 1) errors.push({ field: path || "condition", reason: `a condition may have at most ${maxNodes} parts` });
      return;
    }
    if (depth > MAX_DEPTH) return void errors.push({ field: path || "condition", reason: `nested more than ${MAX_DEPTH} levels` });
    if (!isPlainObject(node)) return void errors.push({ field: path || "condition", reason: 'expected an object: {"all": [...]}, {"any": [...]}, {"not": {...}} or {"field", "op", "value"}' });
    const keys = Object.keys(node);
    for (const comb of ["all", "any"] as const) {
      if (comb in node) {
        if (keys.length !== 1) return void errors.push({ field: path || "condition", reason: `"${comb}" must be the only key of its object` });
        const list = node[comb];
        if (!Array.isArray(list)) return void errors.push({ field: at(path, comb), reason: "expected an array of conditions" });
        list.forEach((c, i) => walk(c, `${at(path, comb)}[${i}]`, depth + 1));
        return;
      }
    }
    if ("not" in node) {
      if (keys.length !== 1) return void errors.push({ field: path || "condition", reason: '"not" must be the only key of its object' });
      return walk(node.not, at(path, "not"), depth + 1);
    }
    checkLeaf(node, path);
  };

  const checkLeaf = (node: Record<string, unknown>, path: string) => {
    const shape = leafSchema.safeParse(node);
    if (!shape.success) {
      for (const issue of shape.error.issues) {
        const key = issue.path[0];
        // value shape problems get a clearer, type-aware message below
        if (key === "value") continue;
        const reason = issue.code === "unrecognized_keys" ? `unexpected key ${issue.keys.join(", ")}` : key === "op" && typeof node.op === "string" ? `unknown operator "${node.op}"` : issue.message;
        errors.push({ field: key === undefined ? path || "condition" : at(path, String(key)), reason });
      }
      if (typeof node.field !== "string" || typeof node.op !== "string") return;
    }
    const leaf = node as Leaf;
    const resolved = resolvePath(object, meta, leaf.field);
    if (!resolved.ok) return void errors.push({ field: at(path, "field"), reason: resolved.reason });
    const field = resolved.path.field;
    const allowed = operatorsFor(field);
    if (!allowed.includes(leaf.op)) {
      if (shape.success) errors.push({ field: at(path, "op"), reason: `operator "${leaf.op}" is not allowed for ${field.type} field "${leaf.field}"; use one of ${allowed.join(", ")}` });
      return;
    }
    checkValue(field, leaf, node.value, at(path, "value"));
  };

  const checkValue = (field: FieldDef, leaf: Leaf, value: unknown, path: string) => {
    const push = (reason: string, p = path) => errors.push({ field: p, reason });
    const { op } = leaf;
    if (NO_VALUE.includes(op)) {
      if (value !== undefined && value !== null) push(`operator "${op}" takes no value`);
      return;
    }
    if (value === undefined || value === null) return push(`a value is required for "${op}"${op === "eq" || op === "ne" ? " (use is_empty / is_not_empty for empty values)" : ""}`);
    if (isActorVar(value)) {
      if (!["eq", "ne", "in", "nin", "contains", "not_contains", "starts_with", "ends_with", "has_any", "has_all"].includes(op)) return push(`operator "${op}" does not take an $actor variable`);
      if (typeof value.$actor !== "string" || !actorVars.includes(value.$actor)) return push(`unknown $actor variable ${JSON.stringify(value.$actor)}; known: ${actorVars.join(", ")}`);
      if (Object.keys(value).length !== 1) push('an $actor variable is {"$actor": "name"} and nothing else');
      return;
    }
    const scalar = (v: unknown, p: string) => {
      if (v === null || typeof v === "object") return push(`expected a single ${describe(field)}`, p);
      const r = operandOf(field, v);
      if (!r.ok) return push(`${r.reason} for ${field.type} field "${leaf.field}"`, p);
      if (field.type === "picklist" || field.type === "multi_picklist") checkOption(field, v as string, p);
    };
    const checkOption = (f: FieldDef, v: string, p: string) => {
      const opts = f.options ?? [];
      if (opts.length > 0 && !opts.some((o) => o.value === v)) push(`"${v}" is not one of the options: ${opts.map((o) => o.value).join(", ")}`, p);
    };
    switch (op) {
      case "eq": case "ne": case "lt": case "lte": case "gt": case "gte":
        return scalar(value, path);
      case "between": {
        if (!isPlainObject(value) || Object.keys(value).some((k) => k !== "from" && k !== "to")) return push('expected {"from": ..., "to": ...}');
        const { from, to } = value;
        if ((from === undefined || from === null) && (to === undefined || to === null)) return push('"between" needs "from", "to" or both');
        if (from !== undefined && from !== null) scalar(from, `${path}.from`);
        if (to !== undefined && to !== null) scalar(to, `${path}.to`);
        return;
      }
      case "in": case "nin":
        if (!Array.isArray(value)) return push(`expected an array of ${describe(field)} values`);
        if (value.length > MAX_LIST) return push(`at most ${MAX_LIST} values`);
        if (!countList(value.length, push)) return;
        return value.forEach((v, i) => scalar(v, `${path}[${i}]`));
      case "contains": case "not_contains": case "starts_with": case "ends_with":
        if (typeof value !== "string" || value === "") push("expected a non-empty string");
        return;
      case "has_any": case "has_all":
        if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string")) return push("expected a non-empty array of option values");
        if (value.length > MAX_LIST) return push(`at most ${MAX_LIST} values`);
        if (!countList(value.length, push)) return;
        return value.forEach((v, i) => checkOption(field, v as string, `${path}[${i}]`));
      case "in_last": case "in_next":
        if (!relativeDateSchema.safeParse(value).success) push('expected {"amount": <whole number 0..10000>, "unit": "day" | "week" | "month" | "quarter" | "year"}');
        return;
      default:
        return;
    }
  };

  walk(raw, "", 0);
  if (errors.length > 0) throw invalid(`Invalid condition: ${errors[0]!.field}: ${errors[0]!.reason}`, errors.map((e) => ({ ...e, code: "invalid_condition" })));
  return raw as Condition;
}

function describe(field: FieldDef): string {
  switch (field.type) {
    case "integer": return "whole number";
    case "decimal": case "percent": case "currency": return "number";
    case "boolean": return "boolean";
    case "date": return "date YYYY-MM-DD";
    case "datetime": return "ISO date-time";
    default: return "string";
  }
}
