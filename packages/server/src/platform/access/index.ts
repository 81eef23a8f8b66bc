/** platform/access: policies per actor, object and action; applied by records on every read and write. */
export { policyFor } from "./policy";
export type { Action, FieldRule, Policy } from "./policy";
