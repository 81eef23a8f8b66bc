/** Cached roles (with their policies) for the admin pages. */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { listRoles, type RoleView } from "../../api/access";

export const ROLES_KEY = ["access", "roles"] as const;

export function useRoles() {
  return useQuery({ queryKey: ROLES_KEY, queryFn: listRoles, staleTime: 30_000 });
}

/** A role's description; built-in roles whose description is still the shipped one show it translated. */
export function useRoleDescription(): (role: Pick<RoleView, "name" | "description" | "isSystem">) => string | null {
  const { t, i18n } = useTranslation();
  const en = i18n.getFixedT("en");
  return (role) => {
    const key = `access.seedDescriptions.${role.name}`;
    if (role.isSystem && role.description && i18n.exists(key) && en(key) === role.description) return t(key);
    return role.description;
  };
}
