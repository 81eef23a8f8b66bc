/**
 * Roles & permissions (admins only): the roles on the left (built-in ones marked), and for the
 * selected role a matrix of objects x actions whose boxes save at once, with a summary of its row
 * access and field rules per object; "Rows & fields" opens the full policy editor.
 */
import { CrownOutlined, DeleteOutlined, EditOutlined, FilterOutlined, PlusOutlined, SafetyOutlined } from "@ant-design/icons";
import type { ObjectDef } from "@revline/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Empty, Form, Input, Modal, Popconfirm, Result, Skeleton, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { ACTIONS, ADMIN_ROLE, createRole, deleteRole, putPolicy, updateRole, type Action, type RolePolicy, type RoleView } from "../../api/access";
import { isApiError } from "../../api/client";
import { useLabel } from "../../i18n";
import { sortForNavigation, useMeta } from "../metadata";
import { ObjectIcon } from "../object-icon";
import "./admin.css";
import { PolicyEditor } from "./policy-editor";
import { ROLES_KEY, useRoleDescription, useRoles } from "./roles-query";
import { describeCondition } from "./row-condition";

export function RolesPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const roles = useRoles();
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState<RoleView | "new" | null>(null);
  const describe = useRoleDescription();
  if (roles.error) return <Result status="error" title={t("access.loadFailed")} subTitle={roles.error.message} />;
  const list = roles.data ?? [];
  const selected = list.find((r) => r.name === params.get("role")) ?? list[0];
  return (
    <div className="rl-access-page" data-testid="roles-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <SafetyOutlined />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("access.title")}
          </Typography.Title>
        </div>
        <div className="rl-page-actions">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="new-role">
            {t("access.newRole")}
          </Button>
        </div>
      </div>
      <Typography.Paragraph type="secondary" className="rl-admin-intro">
        {t("access.intro")}
      </Typography.Paragraph>
      {roles.isLoading ? (
        <Skeleton active />
      ) : (
        <div className="rl-roles-layout">
          <Card title={t("access.roles")} size="small" className="rl-role-list" data-testid="role-list">
            {list.map((r) => (
              <div
                key={r.name}
                role="button"
                tabIndex={0}
                className={`rl-role-item${r.name === selected?.name ? " is-selected" : ""}`}
                onClick={() => setParams({ role: r.name }, { replace: true })}
                onKeyDown={(e) => e.key === "Enter" && setParams({ role: r.name }, { replace: true })}
                data-testid={`role-${r.name}`}
              >
                <div className="rl-role-item-head">
                  <span>
                    {r.name === ADMIN_ROLE && <CrownOutlined style={{ color: "#d4a017", marginInlineEnd: 6 }} />}
                    {label(r.label, r.name)}
                  </span>
                  {r.isSystem ? <Tag bordered={false}>{t("access.builtIn")}</Tag> : <Tag color="blue" bordered={false}>{t("access.custom")}</Tag>}
                </div>
                {r.description && <div className="rl-role-item-desc">{describe(r)}</div>}
              </div>
            ))}
          </Card>
          {selected ? <RoleDetail key={selected.name} role={selected} onEdit={() => setEditing(selected)} onDeleted={() => setParams({}, { replace: true })} /> : <Empty />}
        </div>
      )}
      {editing && (
        <RoleForm
          role={editing === "new" ? undefined : editing}
          onClose={(name) => {
            setEditing(null);
            if (name) setParams({ role: name }, { replace: true });
          }}
        />
      )}
    </div>
  );
}

function RoleDetail({ role, onEdit, onDeleted }: { role: RoleView; onEdit: () => void; onDeleted: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const describe = useRoleDescription();
  const remove = useMutation({
    mutationFn: () => deleteRole(role.name),
    onSuccess: () => {
      void message.success(t("access.roleDeleted"));
      void qc.invalidateQueries({ queryKey: ROLES_KEY });
      onDeleted();
    },
    onError: (e) => void message.error(e.message),
  });
  const isAdmin = role.name === ADMIN_ROLE;
  return (
    <Card
      title={
        <Space>
          <span data-testid="role-title">{label(role.label, role.name)}</span>
          <Typography.Text type="secondary" code style={{ fontWeight: 400 }}>
            {role.name}
          </Typography.Text>
          {role.isSystem && <Tag bordered={false}>{t("access.builtIn")}</Tag>}
        </Space>
      }
      extra={
        <Space>
          <Button icon={<EditOutlined />} onClick={onEdit} data-testid="edit-role">
            {t("access.editRole")}
          </Button>
          {!role.isSystem && (
            <Popconfirm
              title={t("access.deleteRoleConfirm", { role: label(role.label, role.name) })}
              description={t("access.deleteRoleHint")}
              okText={t("common.delete")}
              okButtonProps={{ danger: true }}
              cancelText={t("common.cancel")}
              onConfirm={() => remove.mutate()}
            >
              <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="delete-role">
                {t("access.deleteRole")}
              </Button>
            </Popconfirm>
          )}
        </Space>
      }
    >
      {role.description && <Typography.Paragraph type="secondary">{describe(role)}</Typography.Paragraph>}
      {isAdmin ? (
        <Alert type="success" showIcon icon={<CrownOutlined />} title={t("access.adminTitle")} description={t("access.adminText")} data-testid="admin-everything" />
      ) : (
        <PermissionMatrix role={role} />
      )}
    </Card>
  );
}

function PermissionMatrix({ role }: { role: RoleView }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const locale = i18n.language === "zh-CN" ? "zh-CN" : "en";
  const [open, setOpen] = useState<ObjectDef | null>(null);
  const policyOf = (o: string): RolePolicy | undefined => role.policies.find((p) => p.object === o);
  const toggle = useMutation({
    mutationFn: ({ object, action, on }: { object: string; action: Action; on: boolean }) => {
      const p = policyOf(object);
      const current = p?.actions ?? [];
      const actions = ACTIONS.filter((a) => (a === action ? on : current.includes(a)));
      return putPolicy(role.name, object, { actions, rowCondition: p?.rowCondition ?? null, fieldRules: p?.fieldRules ?? {} });
    },
    onSuccess: (saved) => {
      // Put the saved policy in the cache at once, so that the next box ticked builds on it.
      qc.setQueryData<RoleView[]>(ROLES_KEY, (roles) =>
        roles?.map((r) => (r.name === role.name ? { ...r, policies: [...r.policies.filter((p) => p.object !== saved.object), saved] } : r)),
      );
      void message.success(t("access.policySaved"));
      void qc.invalidateQueries({ queryKey: ROLES_KEY });
    },
    onError: (e) => void message.error(isApiError(e) ? e.message : String(e)),
  });

  const objects = sortForNavigation(meta.objects);
  const columns = [
    {
      key: "object",
      title: t("access.object"),
      width: 150,
      render: (_: unknown, o: ObjectDef) => (
        <Space>
          <ObjectIcon object={o} />
          <span>{label(o.labelPlural, o.name)}</span>
        </Space>
      ),
    },
    ...ACTIONS.map((a) => ({
      key: a,
      title: <Tooltip title={t(`access.actionHints.${a}`)}>{t(`access.actions.${a}`)}</Tooltip>,
      width: 62,
      className: "rl-matrix-action",
      render: (_: unknown, o: ObjectDef) => {
        const on = policyOf(o.name)?.actions.includes(a) === true;
        // One save per object at a time: each builds on the last saved actions of that object.
        const busy = toggle.isPending && toggle.variables?.object === o.name;
        return <Checkbox checked={on} disabled={busy} onChange={(e) => toggle.mutate({ object: o.name, action: a, on: e.target.checked })} data-testid={`cell-${o.name}-${a}`} />;
      },
    })),
    {
      key: "scope",
      title: `${t("access.rowAccess")} · ${t("access.fieldAccess")}`,
      width: 200,
      render: (_: unknown, o: ObjectDef) => {
        const p = policyOf(o.name);
        const rules = Object.values(p?.fieldRules ?? {});
        const n = (k: string) => rules.filter((r) => r.rule === k).length;
        const granted = !!p?.actions.length;
        return (
          <div className="rl-scope-cell">
            <Space size={4} wrap>
              {!granted ? (
                <span className="rl-muted">{t("access.noAccess")}</span>
              ) : p.rowCondition ? (
                <Tooltip title={describeCondition(p.rowCondition, o, meta.lookup, locale)}>
                  <Tag color="orange" bordered={false} icon={<FilterOutlined />} data-testid={`rows-${o.name}`}>
                    {t("access.someRows")}
                  </Tag>
                </Tooltip>
              ) : (
                <Tag color="green" bordered={false} data-testid={`rows-${o.name}-all`}>
                  {t("access.allRows")}
                </Tag>
              )}
              {n("masked") > 0 && <Tag color="purple" bordered={false}>{t("access.countMasked", { count: n("masked") })}</Tag>}
              {n("hidden") > 0 && <Tag color="red" bordered={false}>{t("access.countHidden", { count: n("hidden") })}</Tag>}
              {n("read_only") > 0 && <Tag color="blue" bordered={false}>{t("access.countReadOnly", { count: n("read_only") })}</Tag>}
            </Space>
            <Tooltip title={t("access.editPolicy")}>
              <Button size="small" type="text" icon={<EditOutlined />} aria-label={t("access.editPolicy")} onClick={() => setOpen(o)} data-testid={`edit-policy-${o.name}`} />
            </Tooltip>
          </div>
        );
      },
    },
  ];
  return (
    <>
      <div className="rl-page-header" style={{ marginBottom: 8 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t("access.permissions")}
        </Typography.Title>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("access.quickSaveHint")}
        </Typography.Text>
      </div>
      <Table<ObjectDef> className="rl-matrix" rowKey="name" size="small" columns={columns} dataSource={objects} pagination={false} scroll={{ x: 846 }} data-testid="permission-matrix" />
      {open && <PolicyEditor key={`${role.name}/${open.name}`} role={role} object={open} policy={policyOf(open.name)} onClose={() => setOpen(null)} />}
    </>
  );
}

type RoleFormValues = { name: string; en: string; zh: string; description?: string };

function RoleForm({ role, onClose }: { role: RoleView | undefined; onClose: (name?: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<RoleFormValues>();
  const save = useMutation({
    mutationFn: (v: RoleFormValues) => {
      const body = { label: { en: v.en.trim(), zh: v.zh.trim() }, description: v.description?.trim() || null };
      return role ? updateRole(role.name, body) : createRole({ name: v.name.trim(), ...body });
    },
    onSuccess: (r) => {
      void message.success(t(role ? "access.roleSaved" : "access.roleCreated"));
      void qc.invalidateQueries({ queryKey: ROLES_KEY });
      onClose(r.name);
    },
    onError: (e) => {
      // Server field names (name, label.en, label.zh, description) -> form fields.
      const errs = isApiError(e) ? (e.problem.errors ?? []) : [];
      const map: Record<string, keyof RoleFormValues> = { name: "name", "label.en": "en", "label.zh": "zh", label: "en", description: "description" };
      const known = errs.filter((x) => map[x.field]);
      if (known.length) form.setFields(known.map((x) => ({ name: map[x.field]!, errors: [x.reason] })));
      else void message.error(e.message);
    },
  });
  return (
    <Modal
      open
      title={role ? t("access.editRole") : t("access.newRole")}
      okText={role ? t("common.save") : t("common.create")}
      cancelText={t("common.cancel")}
      onCancel={() => onClose()}
      onOk={() => form.submit()}
      okButtonProps={{ loading: save.isPending, "data-testid": "role-form-ok" }}
      destroyOnHidden
    >
      <Form<RoleFormValues>
        form={form}
        layout="vertical"
        initialValues={role ? { name: role.name, en: role.label.en, zh: role.label.zh, description: role.description ?? "" } : {}}
        onFinish={(v) => save.mutate(v)}
        data-testid="role-form"
      >
        <Form.Item name="name" label={t("access.roleName")} extra={t("access.roleNameHelp")} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,39}$/, message: t("access.roleNameInvalid") }]}>
          <Input disabled={!!role} placeholder="regional_auditor" className="rl-mono" />
        </Form.Item>
        <Space.Compact block style={{ gap: 12 }}>
          <Form.Item name="en" label={t("access.labelEn")} rules={[{ required: true, max: 80 }]} style={{ flex: 1 }}>
            <Input placeholder="Regional auditor" />
          </Form.Item>
          <Form.Item name="zh" label={t("access.labelZh")} rules={[{ required: true, max: 80 }]} style={{ flex: 1 }}>
            <Input placeholder="区域审计员" />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="description" label={t("access.description")} rules={[{ max: 500 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
