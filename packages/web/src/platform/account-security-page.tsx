/**
 * The signed-in user's security settings: change password (policy errors shown on the fields) and
 * two-factor sign-in (enrol with a QR code or the secret, confirm with a code, recovery codes shown
 * once; turn off with a code; new recovery codes).
 */
import { SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, QRCode, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";
import { changePassword, disableTotp, enableTotp, fetchTotpStatus, newRecoveryCodes, setupTotp } from "../api/auth";

type PasswordForm = { currentPassword: string; newPassword: string; confirm: string };
type CodeForm = { code: string };

function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="warning"
      showIcon
      title={t("auth.recoveryTitle")}
      description={
        <>
          <Typography.Paragraph>{t("auth.recoveryHint")}</Typography.Paragraph>
          <Typography.Paragraph copyable={{ text: codes.join("\n") }} data-testid="recovery-codes">
            <code style={{ whiteSpace: "pre" }}>{codes.join("\n")}</code>
          </Typography.Paragraph>
        </>
      }
    />
  );
}

function PasswordCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordForm>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: PasswordForm) => {
    setBusy(true);
    try {
      await changePassword(v.currentPassword, v.newPassword);
      form.resetFields();
      void message.success(t("auth.passwordChanged"));
    } catch (e) {
      if (isApiError(e) && e.problem.errors?.length) {
        form.setFields(
          e.problem.errors
            .filter((x) => x.field === "currentPassword" || x.field === "newPassword")
            .map((x) => ({ name: x.field as keyof PasswordForm, errors: [x.field === "currentPassword" ? t("auth.currentWrong") : t(`auth.policy.${x.code ?? "other"}`, { defaultValue: x.reason })] })),
        );
      } else void message.error(isApiError(e) ? e.message : t("errors.serverUnavailable"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t("auth.passwordTitle")}>
      <Form<PasswordForm> form={form} layout="vertical" style={{ maxWidth: 420 }} onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="currentPassword" label={t("auth.currentPassword")} rules={[{ required: true, message: t("login.passwordRequired") }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t("auth.newPassword")} extra={t("auth.policyHint")} rules={[{ required: true, min: 12, message: t("auth.policy.too_short") }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t("auth.confirmPassword")}
          dependencies={["newPassword"]}
          rules={[{ required: true, message: t("auth.mismatch") }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue("newPassword") ? Promise.resolve() : Promise.reject(new Error(t("auth.mismatch")))) })]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("auth.changePassword")}
        </Button>
      </Form>
    </Card>
  );
}

/** One code field and its button; shows "wrong code" on the field when the server refuses it. */
function CodeAction({ action, onCode, danger = false, testId }: { action: string; onCode: (code: string) => Promise<void>; danger?: boolean; testId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CodeForm>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: CodeForm) => {
    setBusy(true);
    try {
      await onCode(v.code.trim());
      form.resetFields();
    } catch (e) {
      if (isApiError(e) && (e.status === 400 || e.status === 401)) form.setFields([{ name: "code", errors: [t("auth.wrongCode")] }]);
      else void message.error(isApiError(e) ? e.message : t("errors.serverUnavailable"));
    } finally {
      setBusy(false);
    }
  };
  return (
    // name: each form's input gets its own id (<name>_code), so each "Code" label points at its own field.
    <Form<CodeForm> form={form} name={testId} layout="inline" onFinish={(v) => void submit(v)} data-testid={testId}>
      <Form.Item name="code" label={t("auth.code")} rules={[{ required: true, message: t("auth.codeRequired") }]}>
        <Input autoComplete="one-time-code" maxLength={40} style={{ width: 180 }} />
      </Form.Item>
      <Button htmlType="submit" type={danger ? "default" : "primary"} danger={danger} loading={busy}>
        {action}
      </Button>
    </Form>
  );
}

function TotpCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const status = useQuery({ queryKey: ["auth", "totp"], queryFn: fetchTotpStatus });
  const [setup, setSetup] = useState<{ secret: string; uri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: ["auth", "totp"] });

  const startSetup = async () => {
    setBusy(true);
    try {
      setSetup(await setupTotp());
    } catch (e) {
      void message.error(isApiError(e) ? e.message : t("errors.serverUnavailable"));
    } finally {
      setBusy(false);
    }
  };

  const enabled = status.data?.enabled === true;
  return (
    <Card
      title={
        <Space>
          <SafetyCertificateOutlined />
          {t("auth.totpTitle")}
          {status.data && <Tag color={enabled ? "green" : "default"}>{enabled ? t("auth.totpOn") : t("auth.totpOff")}</Tag>}
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        <Typography.Paragraph type="secondary">{t("auth.totpIntro")}</Typography.Paragraph>
        {codes && <RecoveryCodes codes={codes} />}
        {!enabled && !setup && (
          <Button type="primary" loading={busy} onClick={() => void startSetup()} data-testid="totp-setup">
            {t("auth.totpSetup")}
          </Button>
        )}
        {!enabled && setup && (
          <>
            <Space align="start" size="large" wrap>
              <QRCode value={setup.uri} size={180} />
              <div style={{ maxWidth: 420 }}>
                <Typography.Paragraph>{t("auth.totpScan")}</Typography.Paragraph>
                <Typography.Paragraph>
                  {t("auth.totpSecret")} <Typography.Text code copyable data-testid="totp-secret">{setup.secret}</Typography.Text>
                </Typography.Paragraph>
                <Typography.Paragraph type="secondary" style={{ wordBreak: "break-all", fontSize: 12 }}>
                  {setup.uri}
                </Typography.Paragraph>
              </div>
            </Space>
            <CodeAction
              testId="totp-enable"
              action={t("auth.totpConfirm")}
              onCode={async (code) => {
                setCodes((await enableTotp(code)).recoveryCodes);
                setSetup(null);
                void message.success(t("auth.totpEnabled"));
                await refresh();
              }}
            />
          </>
        )}
        {enabled && (
          <>
            <Typography.Text>{t("auth.recoveryLeft", { count: status.data?.recoveryCodesLeft ?? 0 })}</Typography.Text>
            <CodeAction
              testId="totp-recovery"
              action={t("auth.newRecoveryCodes")}
              onCode={async (code) => {
                setCodes((await newRecoveryCodes(code)).recoveryCodes);
                await refresh();
              }}
            />
            <CodeAction
              testId="totp-disable"
              danger
              action={t("auth.totpDisable")}
              onCode={async (code) => {
                await disableTotp(code);
                setCodes(null);
                void message.success(t("auth.totpDisabled"));
                await refresh();
              }}
            />
          </>
        )}
      </Space>
    </Card>
  );
}

export function AccountSecurityPage() {
  const { t } = useTranslation();
  return (
    <div className="rl-page">
      <Typography.Title level={3}>{t("auth.securityTitle")}</Typography.Title>
      <Space orientation="vertical" size="large" style={{ width: "100%", maxWidth: 900 }}>
        <PasswordCard />
        <TotpCard />
      </Space>
    </div>
  );
}
