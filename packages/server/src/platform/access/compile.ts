/**
 * Policy compilation, pure: the roles an actor holds and the policy rows of those roles become one
 * Policy per object and action (docs/permissions.md).
 *
 * - An action is allowed when any of the actor's roles allows it (deny by default: no row, no right).
 * - Row condition: OR of the allowing roles' conditions; a role without one allows every row.
 * - Field rules: per field, the most permissive rule among the allowing roles wins
 *   (visible > read_only > masked > hidden); a field a role does not list is visible to it.
 * - Token scopes narrow what the roles allow; they never widen it.
 * - The admin role allows everything on every object, custom objects included.
 */
import type { Condition, MaskKind } from "@revline/core";

export const ACTIONS = ["read", "create", "update", "delete", "export", "import", "share", "reveal"] as const;
export type Action = (typeof ACTIONS)[number];
export const FIELD_RULES = ["hidden", "read_only", "masked"] as const;
export type FieldRuleKind = (typeof FIELD_RULES)[number];
export type FieldRule = { rule: FieldRuleKind; mask?: MaskKind };

export type Policy = {
  allowed: boolean;
  /** ANDed into every query's WHERE (and checked on writes); absent = every row. */
  rowCondition?: Condition;
  /** Fields not listed are fully visible and writable. */
  fieldRules: Readonly<Record<string, FieldRule>>;
};

/** One row of access_policy: what one role may do with one object. */
export type PolicyRow = {
  role: string;
  object: string;
  actions: Action[];
  rowCondition: Condition | null;
  fieldRules: Record<string, FieldRule>;
};

export const ADMIN_ROLE = "admin";
export const TOKEN_SCOPES = ["all", "read", "write", "export", "import", "admin"] as const;

/** The record actions each token scope lets through ("all": whatever the user's roles allow). */
const SCOPE_ACTIONS: Record<string, readonly Action[]> = {
  all: ACTIONS,
  read: ["read"],
  write: ["read", "create", "update", "delete"],
  export: ["read", "export"],
  import: ["read", "import", "create", "update"],
  admin: [],
};

export const DENY: Policy = Object.freeze({ allowed: false, fieldRules: Object.freeze({}) });
export const FULL: Policy = Object.freeze({ allowed: true, fieldRules: Object.freeze({}) });

/** Whether a token with these scopes may do this action at all (undefined scopes: not a token). */
export function scopesAllow(scopes: readonly string[] | undefined, action: Action): boolean {
  if (scopes === undefined) return true;
  return scopes.some((s) => SCOPE_ACTIONS[s]?.includes(action) === true);
}

/** Whether scopes allow the admin API (a token needs "all" or "admin"). */
export function scopesAllowAdmin(scopes: readonly string[] | undefined): boolean {
  return scopes === undefined || scopes.includes("all") || scopes.includes("admin");
}

const RANK: Record<FieldRuleKind | "visible", number> = { visible: 3, read_only: 2, masked: 1, hidden: 0 };

export function compilePolicy(
  roles: readonly string[],
  rowOf: (role: string) => PolicyRow | undefined,
  action: Action,
  scopes?: readonly string[],
): Policy {
  if (!scopesAllow(scopes, action)) return DENY;
  if (roles.includes(ADMIN_ROLE)) return FULL;
  const allowing: PolicyRow[] = [];
  for (const role of [...new Set(roles)].sort()) {
    const row = rowOf(role);
    if (row && row.actions.includes(action)) allowing.push(row);
  }
  if (!allowing.length) return DENY;
  const conditions = allowing.map((r) => r.rowCondition);
  const rowCondition = conditions.some((c) => c === null) ? undefined : conditions.length === 1 ? conditions[0]! : { any: conditions as Condition[] };
  // A field listed by every allowing role keeps the most permissive of their rules; listed by fewer, it is visible.
  const fieldRules: Record<string, FieldRule> = {};
  const names = new Set(allowing.flatMap((r) => Object.keys(r.fieldRules)));
  for (const name of names) {
    let best: FieldRule | undefined;
    let bestRank = -1;
    for (const r of allowing) {
      const rule = r.fieldRules[name];
      const rank = rule ? RANK[rule.rule] : RANK.visible;
      if (rank > bestRank) {
        bestRank = rank;
        best = rule;
      }
    }
    if (best) fieldRules[name] = Object.freeze({ ...best });
  }
  const policy: Policy = { allowed: true, fieldRules: Object.freeze(fieldRules) };
  if (rowCondition) policy.rowCondition = rowCondition;
  return Object.freeze(policy);
}
