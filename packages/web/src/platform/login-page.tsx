/** Email + password sign-in; the server sets an httpOnly session cookie. */
import { LockOutlined, MailOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Segmented, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { isApiError } from "../api/client";
import { login } from "../api/records";
import { setLanguage, type UiLanguage } from "../i18n";
import { ME_KEY } from "./use-me";

type LoginForm = { email: string; password: string };

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: LoginForm) => {
    setBusy(true);
    setError(null);
    try {
      const { user } = await login(v.email.trim(), v.password);
      qc.clear();
      qc.setQueryData(ME_KEY, user);
      const next = params.get("next");
      void navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
    } catch (e) {
      if (isApiError(e) && (e.status === 401 || e.status === 400)) setError(t("login.invalid"));
      else if (isApiError(e) && e.status === 429) setError(t("login.tooMany"));
      else setError(t("errors.serverUnavailable"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rl-login">
      <div className="rl-login-hero">
        <div className="rl-brand rl-brand-large">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <span>Revline</span>
        </div>
        <div className="rl-login-pitch">
          <h1>{t("login.heroTitle")}</h1>
          <p>{t("login.heroText")}</p>
          <ul>
            <li>{t("login.point1")}</li>
            <li>{t("login.point2")}</li>
            <li>{t("login.point3")}</li>
          </ul>
        </div>
        <div className="rl-login-foot">{t("login.openSource")}</div>
      </div>
      <div className="rl-login-panel">
        <div className="rl-login-lang">
          <Segmented<UiLanguage>
            size="small"
            value={i18n.language === "zh-CN" ? "zh-CN" : "en"}
            options={[
              { label: "EN", value: "en" },
              { label: "中文", value: "zh-CN" },
            ]}
            onChange={(v) => setLanguage(v)}
          />
        </div>
        <div className="rl-login-form">
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t("login.title")}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t("login.subtitle")}</Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          <Form<LoginForm> layout="vertical" size="large" onFinish={(v) => void submit(v)} requiredMark={false}>
            <Form.Item name="email" label={t("login.email")} rules={[{ required: true, message: t("login.emailRequired") }]}>
              <Input prefix={<MailOutlined />} autoComplete="username" autoFocus placeholder="you@company.com" />
            </Form.Item>
            <Form.Item name="password" label={t("login.password")} rules={[{ required: true, message: t("login.passwordRequired") }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t("login.submit")}
            </Button>
          </Form>
        </div>
      </div>
    </div>
  );
}
