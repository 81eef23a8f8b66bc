/**
 * The access seam: what an actor may do with an object, which rows and how each field shows.
 * For now every known actor gets full access (issue 3 compiles real policies per role here);
 * records already applies all three parts, so policies plug in without touching records.
 */
import type { Condition } from "@revline/core";
import type { Actor, Ctx } from "../context";

export type Action = "read" | "create" | "update" | "delete" | "restore" | "export" | "import" | "share";
export type FieldRule = "hidden" | "read_only" | "masked";
export type Policy = {
  allowed: boolean;
  /** ANDed into every query's WHERE (and checked on writes). */
  rowCondition?: Condition;
  /** Fields not listed are fully visible and writable. */
  fieldRules: Record<string, FieldRule>;
};

const DENY: Policy = Object.freeze({ allowed: false, fieldRules: Object.freeze({}) });
const FULL: Policy = Object.freeze({ allowed: true, fieldRules: Object.freeze({}) });

function isKnownActor(actor: Actor | undefined): boolean {
  if (!actor || typeof actor.id !== "string" || actor.id === "") return false;
  if (actor.kind === "system") return actor.id === "system";
  return actor.kind === "user" || actor.kind === "token";
}

export function policyFor(ctx: Pick<Ctx, "actor">, _object: string, _action: Action): Policy {
  if (!isKnownActor(ctx.actor)) return DENY;
  // TODO(issue 3): role policies with row conditions and field rules.
  return FULL;
}
