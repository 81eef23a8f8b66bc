/**
 * The editor of one role's policy on one object: actions, which rows (a row condition built with
 * the list's filter builder and $actor variables) and a rule per field (visible, read-only, hidden,
 * masked with a mask kind). Saves with PUT /api/access/roles/{role}/policies/{object}; a 400's field
 * errors are shown beside the action, the row condition or the field they name.
 */
import type { Condition, FieldDef, MaskKind, ObjectDef } from "@revline/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Checkbox, Drawer, Popconfirm, Radio, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ACTIONS, deletePolicy, MASK_KINDS, putPolicy, type Action, type FieldRule, type FieldRules, type RolePolicy, type RoleView } from "../../api/access";
import { isApiError, type ProblemFieldError } from "../../api/client";
import { useLabel } from "../../i18n";
import { businessFields, useMeta } from "../metadata";
import { ROLES_KEY } from "./roles-query";
import { RowConditionBuilder } from "./row-condition-builder";

type RuleChoice = "visible" | FieldRule["rule"];
const RULE_CHOICES: RuleChoice[] = ["visible", "read_only", "hidden", "masked"];
const RULE_COLOR: Record<RuleChoice, string> = { visible: "default", read_only: "blue", hidden: "red", masked: "purple" };
const MASK_EXAMPLE: Record<MaskKind, string> = { person_name: "J*** D**", phone: "138****5678", email: "j***@example.com", amount_range: "10K–50K", text: "A***" };

function defaultMask(f: FieldDef): MaskKind {
  if (f.maskKind) return f.maskKind;
  if (f.type === "email") return "email";
  if (f.type === "phone") return "phone";
  if (f.type === "currency" || f.type === "decimal" || f.type === "integer") return "amount_range";
  return "text";
}

export function PolicyEditor({ role, object, policy, onClose }: { role: RoleView; object: ObjectDef; policy: RolePolicy | undefined; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const locale = i18n.language === "zh-CN" ? "zh-CN" : "en";
  const [actions, setActions] = useState<Action[]>(policy?.actions ?? []);
  const [limitRows, setLimitRows] = useState(!!policy?.rowCondition);
  const [rowCondition, setRowCondition] = useState<Condition | null>(policy?.rowCondition ?? null);
  const [fieldRules, setFieldRules] = useState<FieldRules>(policy?.fieldRules ?? {});
  const [errors, setErrors] = useState<ProblemFieldError[]>([]);
  const [dirty, setDirty] = useState(false);
  const fields = useMemo(() => businessFields(object), [object]);
  const touch = () => {
    setDirty(true);
    setErrors([]);
  };

  const errorsAt = (prefix: string) => errors.filter((e) => e.field === prefix || e.field.startsWith(`${prefix}.`) || e.field.startsWith(`${prefix}[`));
  const save = useMutation({
    mutationFn: () => putPolicy(role.name, object.name, { actions, rowCondition: limitRows ? rowCondition : null, fieldRules }),
    onSuccess: () => {
      void message.success(t("access.policySaved"));
      void qc.invalidateQueries({ queryKey: ROLES_KEY });
      setDirty(false);
      onClose();
    },
    onError: (e) => {
      if (isApiError(e) && e.problem.errors?.length) setErrors(e.problem.errors);
      void message.error(isApiError(e) && e.status === 400 ? t("access.invalidPolicy") : e.message);
    },
  });
  const remove = useMutation({
    mutationFn: () => deletePolicy(role.name, object.name),
    onSuccess: () => {
      void message.success(t("access.policyRemoved", { object: label(object.labelPlural, object.name) }));
      void qc.invalidateQueries({ queryKey: ROLES_KEY });
      onClose();
    },
    onError: (e) => void message.error(e.message),
  });

  const setRule = (field: FieldDef, choice: RuleChoice, mask?: MaskKind) => {
    touch();
    setFieldRules((prev) => {
      const next = { ...prev };
      if (choice === "visible") delete next[field.name];
      else if (choice === "masked") next[field.name] = { rule: "masked", mask: mask ?? prev[field.name]?.mask ?? defaultMask(field) };
      else next[field.name] = { rule: choice };
      return next;
    });
  };

  const rowErrors = errorsAt("rowCondition");
  const actionErrors = errors.filter((e) => e.field === "actions" || e.field.startsWith("actions["));
  const rowEmpty = limitRows && !rowCondition;
  const otherErrors = errors.filter((e) => !e.field.startsWith("rowCondition") && !e.field.startsWith("actions") && !e.field.startsWith("fieldRules."));

  const columns = [
    {
      key: "field",
      title: t("access.field"),
      render: (_: unknown, f: FieldDef) => (
        <div>
          <div>{label(f.label, f.name)}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} code>
            {f.name}
          </Typography.Text>
        </div>
      ),
    },
    { key: "type", title: t("access.type"), width: 130, render: (_: unknown, f: FieldDef) => <span className="rl-muted">{t(`fieldType.${f.type}`, { defaultValue: f.type })}</span> },
    {
      key: "rule",
      title: t("access.rule"),
      width: 160,
      render: (_: unknown, f: FieldDef) => {
        const current: RuleChoice = fieldRules[f.name]?.rule ?? "visible";
        return (
          <Select<RuleChoice>
            style={{ width: 140 }}
            value={current}
            data-testid={`rule-${f.name}`}
            onChange={(v) => setRule(f, v)}
            options={RULE_CHOICES.map((r) => ({ value: r, label: <Tag color={RULE_COLOR[r]} bordered={false} style={{ marginInlineEnd: 0 }}>{t(`access.rules.${r}`)}</Tag> }))}
          />
        );
      },
    },
    {
      key: "mask",
      title: t("access.mask"),
      width: 280,
      render: (_: unknown, f: FieldDef) => {
        const r = fieldRules[f.name];
        const errs = errorsAt(`fieldRules.${f.name}`);
        return (
          <div>
            {r?.rule === "masked" && (
              <Select<MaskKind>
                style={{ width: 250 }}
                value={r.mask ?? defaultMask(f)}
                data-testid={`mask-${f.name}`}
                onChange={(m) => setRule(f, "masked", m)}
                options={MASK_KINDS.map((m) => ({
                  value: m,
                  label: (
                    <Space size={6}>
                      <span>{t(`access.masks.${m}`)}</span>
                      <span className="rl-muted rl-mono">{MASK_EXAMPLE[m]}</span>
                    </Space>
                  ),
                }))}
              />
            )}
            {errs.map((e) => (
              <div key={e.field + e.reason} className="rl-field-error" data-testid={`field-error-${f.name}`}>
                {e.reason}
              </div>
            ))}
          </div>
        );
      },
    },
  ];

  const objectLabel = label(object.labelPlural, object.name);
  return (
    <Drawer
      open
      size={Math.min(980, window.innerWidth - 120)}
      title={t("access.policyTitle", { role: label(role.label, role.name), object: objectLabel })}
      onClose={onClose}
      destroyOnHidden
      data-testid="policy-editor"
      extra={dirty ? <Tag color="gold">{t("access.unsaved")}</Tag> : null}
      footer={
        <div className="rl-drawer-footer">
          {policy ? (
            <Popconfirm title={t("access.removeConfirm", { object: objectLabel })} okButtonProps={{ danger: true }} okText={t("common.delete")} cancelText={t("common.cancel")} onConfirm={() => remove.mutate()}>
              <Button danger loading={remove.isPending}>
                {t("access.removePolicy")}
              </Button>
            </Popconfirm>
          ) : (
            <span />
          )}
          <Space>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button type="primary" loading={save.isPending} disabled={rowEmpty} onClick={() => save.mutate()} data-testid="policy-save">
              {t("common.save")}
            </Button>
          </Space>
        </div>
      }
    >
      {otherErrors.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={t("access.invalidPolicy")} description={otherErrors.map((e) => `${e.field}: ${e.reason}`).join("; ")} />}
      <section className="rl-policy-section">
        <Typography.Title level={5}>{t("access.actionsSection")}</Typography.Title>
        <Checkbox.Group
          value={actions}
          onChange={(v) => {
            touch();
            setActions(ACTIONS.filter((a) => (v).includes(a)));
          }}
          data-testid="policy-actions"
        >
          <div className="rl-action-grid">
            {ACTIONS.map((a) => (
              <Tooltip key={a} title={t(`access.actionHints.${a}`)}>
                <Checkbox value={a} data-testid={`policy-action-${a}`}>
                  {t(`access.actions.${a}`)}
                </Checkbox>
              </Tooltip>
            ))}
          </div>
        </Checkbox.Group>
        {actionErrors.map((e) => (
          <div key={e.field} className="rl-field-error">
            {e.reason}
          </div>
        ))}
      </section>

      <section className="rl-policy-section">
        <Typography.Title level={5}>{t("access.rowSection")}</Typography.Title>
        <Radio.Group
          value={limitRows ? "some" : "all"}
          onChange={(e) => {
            touch();
            setLimitRows(e.target.value === "some");
          }}
          data-testid="row-mode"
          options={[
            { value: "all", label: t("access.rowAll") },
            { value: "some", label: t("access.rowMatching") },
          ]}
        />
        {limitRows && (
          <div className={`rl-filter-panel rl-row-builder${rowErrors.length ? " has-error" : ""}`} data-testid="row-condition">
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t("access.rowHint")}
            </Typography.Paragraph>
            <RowConditionBuilder
              object={object}
              meta={meta.lookup}
              value={rowCondition}
              locale={locale}
              onChange={(c) => {
                touch();
                setRowCondition(c);
              }}
            />
            {rowEmpty && <div className="rl-muted" style={{ marginTop: 8 }}>{t("access.rowEmpty")}</div>}
            {rowErrors.map((e) => (
              <div key={e.field + e.reason} className="rl-field-error" data-testid="row-condition-error">
                {e.field.replace(/^rowCondition\.?/, "") ? `${e.field.replace(/^rowCondition\.?/, "")}: ` : ""}
                {e.reason}
              </div>
            ))}
          </div>
        )}
      </section>

      <section className="rl-policy-section">
        <Typography.Title level={5}>{t("access.fieldsSection")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("access.fieldsHint")}</Typography.Paragraph>
        <Table<FieldDef> rowKey="name" size="small" columns={columns} dataSource={fields} pagination={false} data-testid="field-rules" />
      </section>
    </Drawer>
  );
}
