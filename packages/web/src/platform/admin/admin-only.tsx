/** Shows an admin page only to administrators; others get a plain 403 instead of failing API calls. */
import { Result, Spin } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../use-me";

export function AdminOnly({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  if (me.isLoading) return <Spin />;
  if (me.data?.isAdmin === false) return <Result status="403" title={t("access.adminOnly")} subTitle={t("access.adminOnlyHint")} data-testid="admin-only" />;
  return <>{children}</>;
}
