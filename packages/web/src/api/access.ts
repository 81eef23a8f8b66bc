/** Roles, per-object policies, users' roles, effective rights and "see the list as" (admin API). */
import type { Condition, MaskKind } from "@revline/core";
import { api, qs } from "./client";
import type { ListPage } from "./records";

export const ACTIONS = ["read", "create", "update", "delete", "export", "import", "share", "reveal"] as const;
export type Action = (typeof ACTIONS)[number];
export const FIELD_RULE_KINDS = ["hidden", "read_only", "masked"] as const;
export type FieldRuleKind = (typeof FIELD_RULE_KINDS)[number];
export const MASK_KINDS: readonly MaskKind[] = ["person_name", "phone", "email", "amount_range", "text"];
export type FieldRule = { rule: FieldRuleKind; mask?: MaskKind };
export type FieldRules = Record<string, FieldRule>;

export const ADMIN_ROLE = "admin";

export type PolicyBody = { actions: Action[]; rowCondition: Condition | null; fieldRules: FieldRules };
export type RolePolicy = PolicyBody & { object: string; updatedAt: string };
export type RoleView = {
  name: string;
  label: { en: string; zh: string };
  description: string | null;
  isSystem: boolean;
  createdAt: string;
  updatedAt: string;
  policies: RolePolicy[];
};

export type CompiledPolicy = { allowed: boolean; rowCondition: Condition | null; fieldRules: FieldRules };
export type EffectiveRights = {
  user: string;
  roles: string[];
  attributes: Record<string, unknown>;
  objects: Record<string, Record<Action, CompiledPolicy>>;
};

export const listRoles = () => api<{ roles: RoleView[] }>("/api/access/roles").then((r) => r.roles);
export const createRole = (body: { name: string; label: { en: string; zh: string }; description?: string | null }) =>
  api<RoleView>("/api/access/roles", { method: "POST", body });
export const updateRole = (name: string, body: { label?: { en: string; zh: string }; description?: string | null }) =>
  api<RoleView>(`/api/access/roles/${encodeURIComponent(name)}`, { method: "PATCH", body });
export const deleteRole = (name: string) => api<void>(`/api/access/roles/${encodeURIComponent(name)}`, { method: "DELETE" });

export const putPolicy = (role: string, object: string, body: PolicyBody) =>
  api<RolePolicy>(`/api/access/roles/${encodeURIComponent(role)}/policies/${encodeURIComponent(object)}`, { method: "PUT", body });
export const deletePolicy = (role: string, object: string) =>
  api<void>(`/api/access/roles/${encodeURIComponent(role)}/policies/${encodeURIComponent(object)}`, { method: "DELETE" });

export const fetchUserRoles = (userId: string) => api<{ roles: string[] }>(`/api/users/${encodeURIComponent(userId)}/roles`).then((r) => r.roles);
export const setUserRoles = (userId: string, roles: string[]) =>
  api<{ roles: string[] }>(`/api/users/${encodeURIComponent(userId)}/roles`, { method: "PUT", body: { roles } }).then((r) => r.roles);

export const fetchEffective = (userId: string) => api<EffectiveRights>(`/api/access/effective${qs({ user: userId })}`);

export type PreviewQuery = { user: string; object: string; filter?: Condition; sort?: string; fields?: string[]; include?: string[]; limit?: number; cursor?: string };
/** total: the rows the user sees in all (not only this page). */
export const previewList = (q: PreviewQuery, signal?: AbortSignal) => api<ListPage & { total?: number }>("/api/access/preview", { method: "POST", body: q, signal });
