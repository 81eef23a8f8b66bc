/**
 * API tokens (admins only): who holds which token with which scopes, making one (the secret is
 * shown once, in the answer to POST /api/tokens) and revoking one.
 */
import { CopyOutlined, KeyOutlined, PlusOutlined, StopOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Checkbox, DatePicker, Form, Input, Modal, Popconfirm, Result, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { createToken, listTokens, revokeToken, TOKEN_SCOPES, type ApiToken } from "../../api/admin";
import { isApiError } from "../../api/client";
import { listRecords } from "../../api/records";
import { formatDateTime, text } from "../format";
import "./admin.css";

const TOKENS_KEY = ["admin", "tokens"] as const;

function useUserNames() {
  return useQuery({
    queryKey: ["admin", "user-names"],
    queryFn: async () => (await listRecords("user", { sort: "name", limit: 500, fields: ["id", "name", "email"] })).records,
    staleTime: 30_000,
  });
}

export function TokensPage() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const tokens = useQuery({ queryKey: TOKENS_KEY, queryFn: listTokens });
  const users = useUserNames();
  const [creating, setCreating] = useState(false);
  const [made, setMade] = useState<(ApiToken & { token: string }) | null>(null);
  const lang = i18n.language;
  const userName = (id: string) => {
    const u = users.data?.find((x) => x.id === id);
    return u ? text(u.name ?? u.email ?? id) : id;
  };
  const revoke = useMutation({
    mutationFn: (tk: ApiToken) => revokeToken(tk.id),
    onSuccess: (_r, tk) => {
      void message.success(t("tokens.revoked", { name: tk.name }));
      void qc.invalidateQueries({ queryKey: TOKENS_KEY });
    },
    onError: (e) => void message.error(e.message),
  });
  if (tokens.error) return <Result status="error" title={t("tokens.loadFailed")} subTitle={tokens.error.message} />;
  const date = (v: string | null, empty: string) => (v ? <span className="rl-nowrap">{formatDateTime(v, lang)}</span> : <span className="rl-muted">{empty}</span>);
  const columns = [
    { key: "name", title: t("tokens.name"), render: (_: unknown, tk: ApiToken) => <span style={{ fontWeight: 500 }}>{tk.name}</span> },
    { key: "user", title: t("tokens.user"), render: (_: unknown, tk: ApiToken) => userName(tk.userId) },
    {
      key: "scopes",
      title: t("tokens.scopes"),
      render: (_: unknown, tk: ApiToken) => (
        <Space size={4} wrap>
          {tk.scopes.map((s) => (
            <Tooltip key={s} title={t(`tokens.scopeHelp.${s}`, { defaultValue: s })}>
              <Tag color={s === "admin" || s === "all" ? "gold" : "blue"} bordered={false}>
                {t(`tokens.scope.${s}`, { defaultValue: s })}
              </Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
    { key: "created", title: t("tokens.created"), render: (_: unknown, tk: ApiToken) => date(tk.createdAt, "—") },
    { key: "expires", title: t("tokens.expires"), render: (_: unknown, tk: ApiToken) => date(tk.expiresAt, t("tokens.never")) },
    { key: "lastUsed", title: t("tokens.lastUsed"), render: (_: unknown, tk: ApiToken) => date(tk.lastUsedAt, t("tokens.neverUsed")) },
    {
      key: "status",
      title: t("tokens.status"),
      render: (_: unknown, tk: ApiToken) =>
        tk.revokedAt ? (
          <Tooltip title={formatDateTime(tk.revokedAt, lang)}>
            <Tag color="red">{t("tokens.statusRevoked")}</Tag>
          </Tooltip>
        ) : tk.expiresAt && new Date(tk.expiresAt).getTime() <= Date.now() ? (
          <Tag>{t("tokens.statusExpired")}</Tag>
        ) : (
          <Tag color="green">{t("tokens.statusActive")}</Tag>
        ),
    },
    {
      key: "actions",
      title: "",
      width: 120,
      render: (_: unknown, tk: ApiToken) =>
        !tk.revokedAt && (
          <Popconfirm
            title={t("tokens.revokeConfirm", { name: tk.name })}
            description={t("tokens.revokeHint")}
            okText={t("tokens.revoke")}
            okButtonProps={{ danger: true }}
            cancelText={t("common.cancel")}
            onConfirm={() => revoke.mutate(tk)}
          >
            <Button size="small" danger icon={<StopOutlined />} data-testid={`token-revoke-${tk.id}`}>
              {t("tokens.revoke")}
            </Button>
          </Popconfirm>
        ),
    },
  ];
  return (
    <div className="rl-access-page" data-testid="tokens-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <KeyOutlined />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("tokens.title")}
          </Typography.Title>
        </div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="token-new">
          {t("tokens.new")}
        </Button>
      </div>
      <Typography.Paragraph type="secondary" className="rl-admin-intro">
        {t("tokens.intro")}
      </Typography.Paragraph>
      <Table<ApiToken>
        rowKey="id"
        size="middle"
        loading={tokens.isLoading}
        columns={columns}
        dataSource={tokens.data?.tokens ?? []}
        pagination={false}
        locale={{ emptyText: t("tokens.empty") }}
        data-testid="tokens-table"
        onRow={(tk) => ({ "data-testid": `token-row-${tk.name}` }) as object}
      />
      {creating && (
        <CreateTokenModal
          scopes={tokens.data?.scopes ?? [...TOKEN_SCOPES]}
          users={(users.data ?? []).map((u) => ({ value: u.id, label: `${text(u.name ?? "")} <${text(u.email ?? "")}>` }))}
          onClose={() => setCreating(false)}
          onMade={(tk) => {
            setCreating(false);
            setMade(tk);
            void qc.invalidateQueries({ queryKey: TOKENS_KEY });
          }}
        />
      )}
      {made && <TokenShownOnce token={made} onClose={() => setMade(null)} />}
    </div>
  );
}

type FormValues = { name: string; userId?: string; scopes: string[]; expiresAt?: Dayjs | null };

function CreateTokenModal({ scopes, users, onClose, onMade }: { scopes: string[]; users: { value: string; label: string }[]; onClose: () => void; onMade: (tk: ApiToken & { token: string }) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (v: FormValues) =>
      createToken({ name: v.name.trim(), userId: v.userId || undefined, scopes: v.scopes, expiresAt: v.expiresAt ? v.expiresAt.endOf("day").toISOString() : null }),
    onSuccess: onMade,
    onError: (e) => {
      const errors = isApiError(e) ? (e.problem.errors ?? []) : [];
      const known = errors.filter((x) => ["name", "userId", "scopes", "expiresAt"].includes(x.field));
      if (known.length) form.setFields(known.map((x) => ({ name: x.field as keyof FormValues, errors: [x.reason] })));
      setError(known.length ? null : e.message);
    },
  });
  return (
    <Modal
      open
      title={t("tokens.newTitle")}
      okText={t("common.create")}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => void form.validateFields().then((v) => save.mutate(v))}
      okButtonProps={{ loading: save.isPending, "data-testid": "token-create" }}
      destroyOnHidden
      width={600}
    >
      <Form form={form} layout="vertical" initialValues={{ scopes: ["read"] }} requiredMark={false}>
        <Form.Item name="name" label={t("tokens.name")} extra={t("tokens.nameHint")} rules={[{ required: true, whitespace: true, max: 100, message: t("tokens.nameRequired") }]}>
          <Input autoFocus maxLength={100} data-testid="token-name" />
        </Form.Item>
        <Form.Item name="userId" label={t("tokens.user")} extra={t("tokens.userHint")}>
          <Select allowClear showSearch optionFilterProp="label" options={users} placeholder={t("tokens.userMe")} data-testid="token-user" />
        </Form.Item>
        <Form.Item name="scopes" label={t("tokens.scopes")} extra={t("tokens.scopesHint")} rules={[{ required: true, type: "array", min: 1, message: t("tokens.scopesRequired") }]}>
          <Checkbox.Group style={{ display: "flex", flexDirection: "column", gap: 6 }}>
            {scopes.map((s) => (
              <Checkbox key={s} value={s} data-testid={`token-scope-${s}`}>
                <span style={{ fontWeight: 500 }}>{t(`tokens.scope.${s}`, { defaultValue: s })}</span>{" "}
                <span className="rl-muted">— {t(`tokens.scopeHelp.${s}`, { defaultValue: "" })}</span>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        <Form.Item name="expiresAt" label={t("tokens.expires")} extra={t("tokens.expiresHint")}>
          <DatePicker disabledDate={(d) => d.endOf("day").valueOf() <= Date.now()} style={{ width: 220 }} />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon message={error} />}
    </Modal>
  );
}

function TokenShownOnce({ token, onClose }: { token: ApiToken & { token: string }; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Modal
      open
      title={t("tokens.madeTitle", { name: token.name })}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose} data-testid="token-done">
          {t("tokens.done")}
        </Button>
      }
      maskClosable={false}
      width={640}
    >
      <Alert type="warning" showIcon message={t("tokens.onceWarning")} style={{ marginBottom: 12 }} />
      <Space.Compact style={{ width: "100%" }}>
        <Input readOnly value={token.token} data-testid="token-secret" style={{ fontFamily: "monospace" }} onFocus={(e) => e.target.select()} />
        <Button
          icon={<CopyOutlined />}
          data-testid="token-copy"
          onClick={() =>
            void navigator.clipboard.writeText(token.token).then(
              () => void message.success(t("tokens.copied")),
              () => void message.error(t("tokens.copyFailed")),
            )
          }
        >
          {t("tokens.copy")}
        </Button>
      </Space.Compact>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
        {t("tokens.usage")} <Typography.Text code>Authorization: Bearer …</Typography.Text>
      </Typography.Paragraph>
    </Modal>
  );
}
