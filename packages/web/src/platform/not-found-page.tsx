import { Button, Result } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

export function NotFoundPage({ title }: { title?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={title ?? t("errors.notFoundTitle")}
      subTitle={t("errors.notFoundHint")}
      extra={<Button type="primary" onClick={() => void navigate("/")}>{t("nav.backHome")}</Button>}
    />
  );
}
