/**
 * Single sign-on settings (admins only): GET/PUT/DELETE /api/auth/sso. The client secret is
 * write-only: the page never shows it, an empty field keeps the stored one.
 */
import { DeleteOutlined, LoginOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Form, Input, Popconfirm, Result, Select, Space, Spin, Switch, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { deleteSso, fetchSso, saveSso, type SsoView } from "../../api/admin";
import { isApiError, type ProblemFieldError } from "../../api/client";
import { useLabel } from "../../i18n";
import "./admin.css";
import { useRoles } from "./roles-query";

const SSO_KEY = ["admin", "sso"] as const;

type FormValues = {
  enabled: boolean;
  issuer: string;
  clientId: string;
  clientSecret: string;
  removeSecret: boolean;
  scopes: string[];
  emailClaim: string;
  nameClaim: string;
  roleClaim: string;
  roleMapping: { claim: string; role?: string }[];
  defaultRoles: string[];
  autoCreate: boolean;
  linkByEmail: boolean;
  redirectUri: string;
};

const FORM_FIELDS = ["enabled", "issuer", "clientId", "clientSecret", "scopes", "emailClaim", "nameClaim", "roleClaim", "defaultRoles", "autoCreate", "linkByEmail", "redirectUri"];

function toForm(v: SsoView): FormValues {
  const s = v.settings;
  return {
    enabled: s?.enabled ?? true,
    issuer: s?.issuer ?? "",
    clientId: s?.clientId ?? "",
    clientSecret: "",
    removeSecret: false,
    scopes: s?.scopes ?? ["openid", "email", "profile"],
    emailClaim: s?.emailClaim ?? "email",
    nameClaim: s?.nameClaim ?? "name",
    roleClaim: s?.roleClaim ?? "",
    roleMapping: Object.entries(s?.roleMapping ?? {}).map(([claim, role]) => ({ claim, role })),
    defaultRoles: s?.defaultRoles ?? [],
    autoCreate: s?.autoCreate ?? false,
    linkByEmail: s?.linkByEmail ?? false,
    redirectUri: s?.redirectUri ?? "",
  };
}

export function SsoPage() {
  const { t } = useTranslation();
  const sso = useQuery({ queryKey: SSO_KEY, queryFn: fetchSso });
  if (sso.error) return <Result status="error" title={t("sso.loadFailed")} subTitle={sso.error.message} />;
  return (
    <div className="rl-access-page" data-testid="sso-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <LoginOutlined />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("sso.title")}
          </Typography.Title>
        </div>
      </div>
      <Typography.Paragraph type="secondary" className="rl-admin-intro">
        {t("sso.intro")}
      </Typography.Paragraph>
      {sso.data ? <SsoForm view={sso.data} /> : <Spin />}
    </div>
  );
}

function SsoForm({ view }: { view: SsoView }) {
  const { t } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const roles = useRoles();
  const [form] = Form.useForm<FormValues>();
  const [other, setOther] = useState<ProblemFieldError[] | string | null>(null);
  useEffect(() => form.setFieldsValue(toForm(view)), [view, form]);
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.name, label: label(r.label, r.name) }));

  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const mapping: Record<string, string> = {};
      for (const m of v.roleMapping ?? []) if (m.claim?.trim() && m.role) mapping[m.claim.trim()] = m.role;
      return saveSso({
        enabled: v.enabled,
        issuer: v.issuer.trim(),
        clientId: v.clientId.trim(),
        ...(v.removeSecret ? { clientSecret: null } : v.clientSecret ? { clientSecret: v.clientSecret } : {}),
        scopes: v.scopes,
        emailClaim: v.emailClaim.trim(),
        nameClaim: v.nameClaim.trim(),
        roleClaim: v.roleClaim.trim() || null,
        roleMapping: mapping,
        defaultRoles: v.defaultRoles,
        autoCreate: v.autoCreate,
        linkByEmail: v.linkByEmail,
        redirectUri: v.redirectUri.trim() || null,
      });
    },
    onSuccess: (data) => {
      setOther(null);
      qc.setQueryData(SSO_KEY, data);
      void qc.invalidateQueries({ queryKey: ["sso-status"] });
      void message.success(t("sso.saved"));
    },
    onError: (e) => {
      const errors = isApiError(e) ? (e.problem.errors ?? []) : [];
      const top = (f: string) => f.replace(/^\/?(body[./])?/, "").split(/[./[]/)[0]!;
      const known = errors.filter((x) => FORM_FIELDS.includes(top(x.field)));
      if (known.length) form.setFields(known.map((x) => ({ name: top(x.field) as keyof FormValues, errors: [x.reason] })));
      const rest = errors.filter((x) => !known.includes(x));
      setOther(rest.length ? rest : known.length ? null : e.message);
    },
  });
  const remove = useMutation({
    mutationFn: deleteSso,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: SSO_KEY });
      void message.success(t("sso.removed"));
    },
    onError: (e) => void message.error(e.message),
  });

  return (
    <Form<FormValues> form={form} layout="vertical" className="rl-sso-form" initialValues={toForm(view)} onFinish={(v) => save.mutate(v)} requiredMark={false}>
      {!view.configured && <Alert type="info" showIcon message={t("sso.statusOff")} style={{ marginBottom: 12 }} />}
      {view.source === "environment" && <Alert type="info" showIcon message={t("sso.fromEnv")} style={{ marginBottom: 12 }} />}
      <Card title={t("sso.provider")} size="small" style={{ marginBottom: 16 }}>
        <Form.Item name="enabled" label={t("sso.enabled")} valuePropName="checked" extra={t("sso.enabledHint")}>
          <Switch data-testid="sso-enabled" />
        </Form.Item>
        <Form.Item name="issuer" label={t("sso.issuer")} extra={t("sso.issuerHint")} rules={[{ required: true, whitespace: true }]}>
          <Input data-testid="sso-issuer" />
        </Form.Item>
        <Form.Item name="clientId" label={t("sso.clientId")} rules={[{ required: true, whitespace: true }]}>
          <Input data-testid="sso-client-id" />
        </Form.Item>
        <Form.Item name="clientSecret" label={t("sso.clientSecret")} extra={view.hasClientSecret ? t("sso.secretStored") : t("sso.secretNone")}>
          <Input.Password autoComplete="new-password" placeholder={view.hasClientSecret ? "••••••••" : ""} data-testid="sso-client-secret" />
        </Form.Item>
        {view.hasClientSecret && (
          <Form.Item name="removeSecret" valuePropName="checked" style={{ marginTop: -8 }}>
            <Checkbox>{t("sso.secretRemove")}</Checkbox>
          </Form.Item>
        )}
        <Form.Item name="scopes" label={t("sso.scopes")} extra={t("sso.scopesHint")}>
          <Select mode="tags" tokenSeparators={[" ", ","]} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item name="redirectUri" label={t("sso.redirectUri")} extra={t("sso.redirectUriHint")}>
          <Input placeholder={view.redirectUri} />
        </Form.Item>
        <Typography.Text type="secondary">
          {t("sso.redirectUri")}: <Typography.Text code copyable data-testid="sso-redirect-uri">{view.redirectUri}</Typography.Text>
        </Typography.Text>
      </Card>
      <Card title={t("sso.claims")} size="small" style={{ marginBottom: 16 }}>
        <Space size={16} wrap>
          <Form.Item name="emailClaim" label={t("sso.emailClaim")} rules={[{ required: true, whitespace: true }]}>
            <Input style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="nameClaim" label={t("sso.nameClaim")} rules={[{ required: true, whitespace: true }]}>
            <Input style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="roleClaim" label={t("sso.roleClaim")} extra={t("sso.roleClaimHint")}>
            <Input style={{ width: 240 }} placeholder="groups" />
          </Form.Item>
        </Space>
        <Form.Item label={t("sso.roleMapping")} extra={t("sso.roleMappingHint")}>
          <Form.List name="roleMapping">
            {(fields, { add, remove: removeRow }) => (
              <>
                {fields.map((f) => (
                  <div key={f.key} className="rl-mapping-row" data-testid="sso-mapping-row">
                    <Form.Item name={[f.name, "claim"]} noStyle>
                      <Input placeholder={t("sso.claimValue")} style={{ width: 260 }} />
                    </Form.Item>
                    <span className="rl-muted">→</span>
                    <Form.Item name={[f.name, "role"]} noStyle>
                      <Select placeholder={t("sso.role")} options={roleOptions} style={{ width: 220 }} />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => removeRow(f.name)} aria-label={t("common.delete")} />
                  </div>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ claim: "" })} data-testid="sso-add-mapping">
                  {t("sso.addMapping")}
                </Button>
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="defaultRoles" label={t("sso.defaultRoles")} extra={t("sso.defaultRolesHint")}>
          <Select mode="multiple" options={roleOptions} style={{ maxWidth: 480 }} />
        </Form.Item>
      </Card>
      <Card title={t("sso.users")} size="small" style={{ marginBottom: 16 }}>
        <Form.Item name="autoCreate" valuePropName="checked" style={{ marginBottom: 4 }}>
          <Checkbox>{t("sso.autoCreate")}</Checkbox>
        </Form.Item>
        <Form.Item name="linkByEmail" valuePropName="checked" style={{ marginBottom: 0 }}>
          <Checkbox>{t("sso.linkByEmail")}</Checkbox>
        </Form.Item>
      </Card>
      {other && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="sso-error"
          message={typeof other === "string" ? other : other.map((x) => `${x.field}: ${x.reason}`).join("; ")}
        />
      )}
      <Space>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="sso-save">
          {t("common.save")}
        </Button>
        {view.source === "database" && (
          <Popconfirm title={t("sso.removeConfirm")} okText={t("sso.remove")} okButtonProps={{ danger: true }} cancelText={t("common.cancel")} onConfirm={() => remove.mutate()}>
            <Button danger>{t("sso.remove")}</Button>
          </Popconfirm>
        )}
      </Space>
    </Form>
  );
}
