/**
 * Users (admins only): who holds which roles (PUT /api/users/{id}/roles), deactivation and
 * reactivation (PATCH is_active; the server ends sessions and tokens at once), each person's
 * effective rights, and a shortcut to see a list through their eyes.
 */
import { EyeOutlined, KeyOutlined, SafetyOutlined, SearchOutlined, StopOutlined, TeamOutlined, UndoOutlined, UserAddOutlined, UserOutlined } from "@ant-design/icons";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Avatar, Button, Drawer, Form, Input, Modal, Popconfirm, Radio, Result, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ADMIN_ROLE, fetchUserRoles, setUserRoles } from "../../api/access";
import { setUserPassword } from "../../api/admin";
import { isApiError } from "../../api/client";
import { createRecord, listRecords, updateRecord, type RecordData } from "../../api/records";
import { RelationSelect } from "../field-input";
import { fieldOf, useMeta } from "../metadata";
import { useLabel } from "../../i18n";
import { text } from "../format";
import { useMe } from "../use-me";
import "./admin.css";
import { EffectiveRights, effectiveKey } from "./effective-rights";
import { useRoleDescription, useRoles } from "./roles-query";

const USERS_KEY = ["admin", "users"] as const;
const FIELDS = ["id", "version", "name", "email", "title", "team", "region", "is_active", "user_type"];

const relatedName = (r: RecordData, f: string) => {
  const rel = r._related?.[f];
  return rel && typeof rel.name === "string" ? rel.name : undefined;
};

export function UsersPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useMe();
  const { message } = App.useApp();
  const roles = useRoles();
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [rolesOf, setRolesOf] = useState<RecordData | null>(null);
  const [rightsOf, setRightsOf] = useState<RecordData | null>(null);
  const [passwordOf, setPasswordOf] = useState<RecordData | null>(null);
  const [creating, setCreating] = useState(false);
  // The list filters as you type (a short pause first so each key does not hit the server).
  useEffect(() => {
    const timer = setTimeout(() => setApplied(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const list = useInfiniteQuery({
    queryKey: [...USERS_KEY, applied],
    queryFn: ({ pageParam, signal }) =>
      listRecords("user", { filter: applied ? { field: "name", op: "contains", value: applied } : undefined, sort: "name", limit: 100, cursor: pageParam, fields: FIELDS, include: ["team", "region"] }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const users = useMemo(() => list.data?.pages.flatMap((p) => p.records) ?? [], [list.data]);
  const ids = users.map((u) => u.id);
  const userRoles = useQuery({
    queryKey: ["access", "user-roles", ids],
    queryFn: async () => Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await fetchUserRoles(id)] as const))),
    enabled: ids.length > 0,
  });
  const roleLabel = (name: string) => {
    const r = roles.data?.find((x) => x.name === name);
    return r ? label(r.label, name) : name;
  };

  const setActive = useMutation({
    mutationFn: (u: RecordData) => updateRecord("user", u.id, { is_active: u.is_active === false }, typeof u.version === "number" ? u.version : undefined),
    onSuccess: (_r, u) => {
      void message.success(t(u.is_active === false ? "users.reactivated" : "users.deactivated", { name: String(u.name) }));
      void qc.invalidateQueries({ queryKey: USERS_KEY });
    },
    onError: (e) => void message.error(e.message),
  });

  if (list.error) return <Result status="error" title={t("users.loadFailed")} subTitle={list.error.message} />;

  const columns = [
    {
      key: "name",
      title: t("users.name"),
      render: (_: unknown, u: RecordData) => (
        <Space>
          <Avatar size={30} style={{ background: u.is_active === false ? "#c0c4cc" : "#1f4fe0" }} icon={<UserOutlined />} />
          <div>
            <div style={{ fontWeight: 500 }}>{text(u.name ?? "")}</div>
            <div className="rl-muted" style={{ fontSize: 12 }}>
              {text(u.email ?? "")}
            </div>
          </div>
        </Space>
      ),
    },
    { key: "team", title: t("users.team"), render: (_: unknown, u: RecordData) => relatedName(u, "team") ?? <span className="rl-empty-value">—</span> },
    { key: "region", title: t("users.region"), render: (_: unknown, u: RecordData) => relatedName(u, "region") ?? <span className="rl-empty-value">—</span> },
    {
      key: "roles",
      title: t("users.roles"),
      render: (_: unknown, u: RecordData) => {
        const rs = userRoles.data?.[u.id];
        if (!rs) return userRoles.isLoading ? <span className="rl-muted">…</span> : null;
        if (!rs.length) return <Typography.Text type="warning">{t("users.noRoles")}</Typography.Text>;
        return (
          <Space size={4} wrap data-testid={`user-roles-${u.id}`}>
            {rs.map((r) => (
              <Tag key={r} color={r === ADMIN_ROLE ? "gold" : "blue"} bordered={false}>
                {roleLabel(r)}
              </Tag>
            ))}
          </Space>
        );
      },
    },
    {
      key: "status",
      title: t("users.status"),
      width: 120,
      render: (_: unknown, u: RecordData) => (
        <Space size={4}>
          {u.is_active === false ? <Tag color="default">{t("users.inactive")}</Tag> : <Tag color="green">{t("users.active")}</Tag>}
          {u.user_type === "partner" && <Tag color="purple">{label({ en: "Partner", zh: "合作伙伴" })}</Tag>}
        </Space>
      ),
    },
    {
      key: "actions",
      title: "",
      width: 600,
      render: (_: unknown, u: RecordData) => {
        const active = u.is_active !== false;
        const self = u.id === me.data?.id;
        const name = text(u.name ?? u.email ?? "");
        return (
          <Space size={4}>
            <Button size="small" icon={<TeamOutlined />} onClick={() => setRolesOf(u)} data-testid={`edit-roles-${u.id}`}>
              {t("users.editRoles")}
            </Button>
            <Button size="small" icon={<KeyOutlined />} onClick={() => setPasswordOf(u)} data-testid={`set-password-${u.id}`}>
              {t("users.setPassword")}
            </Button>
            <Button size="small" icon={<SafetyOutlined />} onClick={() => setRightsOf(u)} data-testid={`rights-${u.id}`}>
              {t("users.rights")}
            </Button>
            <Button size="small" icon={<EyeOutlined />} onClick={() => void navigate(`/admin/preview?user=${u.id}`)}>
              {t("users.seeAs")}
            </Button>
            {!self && (
              <Popconfirm
                title={t(active ? "users.deactivateConfirm" : "users.reactivateConfirm", { name })}
                description={active ? t("users.deactivateHint") : undefined}
                okText={t(active ? "users.deactivate" : "users.reactivate")}
                okButtonProps={{ danger: active }}
                cancelText={t("common.cancel")}
                onConfirm={() => setActive.mutate(u)}
              >
                <Tooltip title={t(active ? "users.deactivate" : "users.reactivate")}>
                  <Button size="small" type="text" danger={active} icon={active ? <StopOutlined /> : <UndoOutlined />} aria-label={t(active ? "users.deactivate" : "users.reactivate")} data-testid={`toggle-active-${u.id}`} />
                </Tooltip>
              </Popconfirm>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <div className="rl-access-page" data-testid="users-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <TeamOutlined />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("users.title")}
          </Typography.Title>
        </div>
        <Button type="primary" icon={<UserAddOutlined />} onClick={() => setCreating(true)} data-testid="user-new">
          {t("users.newUser")}
        </Button>
      </div>
      <Typography.Paragraph type="secondary" className="rl-admin-intro">
        {t("users.intro")}
      </Typography.Paragraph>
      <div className="rl-toolbar">
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t("users.search")}
          value={search}
          style={{ width: 300 }}
          onChange={(e) => setSearch(e.target.value)}
          onPressEnter={() => setApplied(search.trim())}
          data-testid="users-search"
        />
      </div>
      <Table<RecordData>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        columns={columns}
        dataSource={users}
        pagination={false}
        locale={{ emptyText: t("users.empty") }}
        data-testid="users-table"
      />
      {list.hasNextPage && (
        <div style={{ textAlign: "center", marginTop: 12 }}>
          <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {t("users.loadMore")}
          </Button>
        </div>
      )}
      {passwordOf && <PasswordModal user={passwordOf} onClose={() => setPasswordOf(null)} />}
      {creating && <NewUserModal onClose={() => setCreating(false)} />}
      {rolesOf && <RolesModal user={rolesOf} current={userRoles.data?.[rolesOf.id] ?? []} onClose={() => setRolesOf(null)} />}
      <Drawer
        open={rightsOf !== null}
        size={Math.min(1000, window.innerWidth - 120)}
        title={rightsOf ? t("users.rightsTitle", { name: text(rightsOf.name ?? "") }) : ""}
        onClose={() => setRightsOf(null)}
        destroyOnHidden
        extra={
          rightsOf && (
            <Tooltip title={t("users.seeAs")}>
              <Button icon={<EyeOutlined />} onClick={() => void navigate(`/admin/preview?user=${rightsOf.id}`)}>
                {t("users.seeAs")}
              </Button>
            </Tooltip>
          )
        }
      >
        {rightsOf && <EffectiveRights userId={rightsOf.id} />}
      </Drawer>
    </div>
  );
}

function RolesModal({ user, current, onClose }: { user: RecordData; current: string[]; onClose: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const roles = useRoles();
  const describe = useRoleDescription();
  const [value, setValue] = useState<string[]>(current);
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => setUserRoles(user.id, value),
    onSuccess: () => {
      void message.success(t("users.rolesSaved"));
      void qc.invalidateQueries({ queryKey: ["access", "user-roles"] });
      void qc.invalidateQueries({ queryKey: effectiveKey(user.id) });
      onClose();
    },
    onError: (e) => setError(e.message),
  });
  return (
    <Modal
      open
      title={t("users.rolesTitle", { name: text(user.name ?? "") })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => save.mutate()}
      okButtonProps={{ loading: save.isPending, "data-testid": "roles-save" }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t("users.rolesHelp")}</Typography.Paragraph>
      <Select
        mode="multiple"
        style={{ width: "100%" }}
        value={value}
        status={error ? "error" : undefined}
        onChange={(v) => {
          setValue(v);
          setError(null);
        }}
        optionLabelProp="label"
        data-testid="roles-select"
        options={(roles.data ?? []).map((r) => ({
          value: r.name,
          label: label(r.label, r.name),
          desc: describe(r),
        }))}
        optionRender={(o) => (
          <div>
            <div>{o.label}</div>
            {o.data.desc && (
              <div className="rl-muted" style={{ fontSize: 12, whiteSpace: "normal" }}>
                {o.data.desc}
              </div>
            )}
          </div>
        )}
      />
      {error && <div className="rl-field-error">{error}</div>}
    </Modal>
  );
}

/** The password policy's 400 answer names the field; show its reasons under the input. */
function passwordErrors(e: unknown): string[] {
  if (!isApiError(e)) return [e instanceof Error ? e.message : String(e)];
  const reasons = (e.problem.errors ?? []).filter((x) => /password/i.test(x.field)).map((x) => x.reason);
  return reasons.length ? reasons : [e.message];
}

function PasswordModal({ user, onClose }: { user: RecordData; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: () => setUserPassword(user.id, password),
    onSuccess: () => {
      void message.success(t("users.passwordSet", { name: text(user.name ?? "") }));
      onClose();
    },
    onError: (e) => setErrors(passwordErrors(e)),
  });
  return (
    <Modal
      open
      title={t("users.passwordTitle", { name: text(user.name ?? "") })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => save.mutate()}
      okButtonProps={{ loading: save.isPending, disabled: !password, "data-testid": "password-save" }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t("users.passwordPolicy")}</Typography.Paragraph>
      <Input.Password
        autoFocus
        autoComplete="new-password"
        value={password}
        status={errors.length ? "error" : undefined}
        onChange={(e) => {
          setPassword(e.target.value);
          setErrors([]);
        }}
        onPressEnter={() => password && save.mutate()}
        data-testid="password-input"
      />
      {errors.map((x) => (
        <div key={x} className="rl-field-error" data-testid="password-error">
          {x}
        </div>
      ))}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
        {t("users.passwordSessions")}
      </Typography.Paragraph>
    </Modal>
  );
}

type NewUserValues = { name: string; email: string; team?: string | null; region?: string | null; user_type: string; roles: string[]; password?: string };

/** One dialog for onboarding: the user record, then roles, then (optionally) a password. */
function NewUserModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { lookup } = useMeta();
  const roles = useRoles();
  const userObject = lookup("user");
  const teamField = userObject && fieldOf(userObject, "team");
  const regionField = userObject && fieldOf(userObject, "region");
  const [form] = Form.useForm<NewUserValues>();
  const [created, setCreated] = useState<RecordData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async (v: NewUserValues) => {
      // A retry after a later step failed must not create the user twice.
      let user = created;
      if (!user) {
        user = await createRecord("user", { name: v.name.trim(), email: v.email.trim(), team: v.team || null, region: v.region || null, user_type: v.user_type });
        setCreated(user);
      }
      try {
        await setUserRoles(user.id, v.roles ?? []);
      } catch (e) {
        throw Object.assign(e as Error, { step: "roles" });
      }
      if (v.password) {
        try {
          await setUserPassword(user.id, v.password);
        } catch (e) {
          throw Object.assign(e as Error, { step: "password" });
        }
      }
      return user;
    },
    onSuccess: (user) => {
      void message.success(t("users.created", { name: text(user.name ?? "") }));
      void qc.invalidateQueries({ queryKey: USERS_KEY });
      void qc.invalidateQueries({ queryKey: ["access", "user-roles"] });
      onClose();
    },
    onError: (e: Error & { step?: string }) => {
      const errors = isApiError(e) ? (e.problem.errors ?? []) : [];
      if (e.step === "password") {
        form.setFields([{ name: "password", errors: passwordErrors(e) }]);
        setError(t("users.createdButPassword"));
        return;
      }
      if (e.step === "roles") {
        form.setFields([{ name: "roles", errors: [e.message] }]);
        setError(t("users.createdButRoles"));
        return;
      }
      const known = errors.filter((x) => ["name", "email", "team", "region", "user_type"].includes(x.field));
      if (known.length) form.setFields(known.map((x) => ({ name: x.field as keyof NewUserValues, errors: [x.reason] })));
      setError(known.length ? null : e.message);
    },
  });
  return (
    <Modal
      open
      title={t("users.newUserTitle")}
      okText={created ? t("common.save") : t("common.create")}
      cancelText={t("common.cancel")}
      onCancel={() => {
        if (created) void qc.invalidateQueries({ queryKey: USERS_KEY });
        onClose();
      }}
      onOk={() => void form.validateFields().then((v) => save.mutate(v))}
      okButtonProps={{ loading: save.isPending, "data-testid": "new-user-save" }}
      destroyOnHidden
      width={620}
    >
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ user_type: "internal", roles: [] }}>
        <Space size={12} style={{ display: "flex" }} align="start">
          <Form.Item name="name" label={t("users.name")} rules={[{ required: true, whitespace: true, message: t("users.nameRequired") }]} style={{ width: 270 }}>
            <Input autoFocus disabled={!!created} data-testid="new-user-name" />
          </Form.Item>
          <Form.Item name="email" label={t("users.email")} rules={[{ required: true, type: "email", message: t("users.emailRequired") }]} style={{ width: 290 }}>
            <Input disabled={!!created} autoComplete="off" data-testid="new-user-email" />
          </Form.Item>
        </Space>
        <Space size={12} style={{ display: "flex" }} align="start">
          {teamField && (
            <Form.Item name="team" label={t("users.team")} style={{ width: 270 }}>
              <RelationSelect field={teamField} />
            </Form.Item>
          )}
          {regionField && (
            <Form.Item name="region" label={t("users.region")} style={{ width: 290 }}>
              <RelationSelect field={regionField} />
            </Form.Item>
          )}
        </Space>
        <Form.Item name="user_type" label={t("users.type")}>
          <Radio.Group disabled={!!created}>
            <Radio value="internal">{label({ en: "Internal", zh: "内部" })}</Radio>
            <Radio value="partner">{label({ en: "Partner", zh: "合作伙伴" })}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="roles" label={t("users.roles")} extra={t("users.rolesHelp")}>
          <Select mode="multiple" options={(roles.data ?? []).map((r) => ({ value: r.name, label: label(r.label, r.name) }))} data-testid="new-user-roles" />
        </Form.Item>
        <Form.Item name="password" label={t("users.passwordOptional")} extra={t("users.passwordPolicy")}>
          <Input.Password autoComplete="new-password" data-testid="new-user-password" />
        </Form.Item>
      </Form>
      {error && <Alert type={created ? "warning" : "error"} showIcon message={error} />}
    </Modal>
  );
}
