/**
 * Sign-in: email + password, then a TOTP (or recovery) code when two-factor is on; "Sign in with
 * SSO" when single sign-on is configured. The server sets an httpOnly session cookie.
 */
import { KeyOutlined, LockOutlined, MailOutlined, SafetyOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Divider, Form, Input, Segmented, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { isApiError } from "../api/client";
import { fetchSsoStatus, isTotpStep, loginWithCode, loginWithPassword, ssoStartUrl, type SignedIn } from "../api/auth";
import { asUiLanguage, setLanguage, type UiLanguage } from "../i18n";
import { ME_KEY } from "./use-me";

type LoginForm = { email: string; password: string };
type CodeForm = { code: string };

const SSO_ERRORS = ["not_configured", "state", "provider", "exchange", "no_email", "unknown_user", "inactive"];

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const ssoError = params.get("sso_error");
  const [error, setError] = useState<string | null>(ssoError ? t(`auth.ssoError.${SSO_ERRORS.includes(ssoError) ? ssoError : "exchange"}`) : null);
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<string | null>(null);
  const sso = useQuery({ queryKey: ["sso-status"], queryFn: fetchSsoStatus, retry: false, staleTime: 60_000 });
  const next = params.get("next");
  const target = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";

  const signedIn = ({ user }: SignedIn) => {
    // The language the user chose before, on any browser, wins over this browser's guess.
    const remembered = asUiLanguage(user.locale);
    if (remembered && remembered !== i18n.language) setLanguage(remembered);
    qc.clear();
    qc.setQueryData(ME_KEY, user);
    void navigate(target, { replace: true });
  };

  const explain = (e: unknown) => {
    if (isApiError(e) && e.status === 429) setError(t("auth.locked"));
    else if (isApiError(e) && (e.status === 401 || e.status === 400)) setError(challenge ? t("auth.wrongCode") : t("login.invalid"));
    else setError(t("errors.serverUnavailable"));
  };

  const submit = async (v: LoginForm) => {
    setBusy(true);
    setError(null);
    try {
      const r = await loginWithPassword(v.email.trim(), v.password);
      if (isTotpStep(r)) setChallenge(r.challenge);
      else signedIn(r);
    } catch (e) {
      explain(e);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (v: CodeForm) => {
    if (!challenge) return;
    setBusy(true);
    setError(null);
    try {
      signedIn(await loginWithCode(challenge, v.code.trim()));
    } catch (e) {
      if (isApiError(e) && e.status === 401 && !(e.problem.errors ?? []).some((x) => x.field === "code")) {
        // The challenge expired or was used up: back to the password step.
        setChallenge(null);
        setError(t("auth.challengeExpired"));
      } else explain(e);
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
            {challenge ? t("auth.codeTitle") : t("login.title")}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{challenge ? t("auth.codeSubtitle") : t("login.subtitle")}</Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          {challenge ? (
            <Form<CodeForm> key="code" layout="vertical" size="large" onFinish={(v) => void submitCode(v)} requiredMark={false}>
              <Form.Item name="code" label={t("auth.code")} rules={[{ required: true, message: t("auth.codeRequired") }]} extra={t("auth.codeHint")}>
                <Input prefix={<SafetyOutlined />} autoComplete="one-time-code" inputMode="text" autoFocus maxLength={40} />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy}>
                {t("auth.verify")}
              </Button>
              <Button type="link" block onClick={() => setChallenge(null)} style={{ marginTop: 8 }}>
                {t("common.back")}
              </Button>
            </Form>
          ) : (
            <Form<LoginForm> key="password" layout="vertical" size="large" onFinish={(v) => void submit(v)} requiredMark={false}>
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
          )}
          {!challenge && sso.data?.enabled && (
            <>
              <Divider plain>{t("auth.or")}</Divider>
              <Button size="large" block icon={<KeyOutlined />} href={ssoStartUrl(target)} data-testid="sso-button">
                {t("auth.ssoButton")}
              </Button>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
