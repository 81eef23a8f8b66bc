/**
 * A user's effective rights (GET /api/access/effective), all roles combined, as a compact matrix:
 * objects x actions, each cell "all rows", "matching rows only" (the row rule in a tooltip) or "no";
 * then the field rules that apply when reading.
 */
import { CheckOutlined, FilterOutlined, MinusOutlined } from "@ant-design/icons";
import type { ObjectDef } from "@revline/core";
import { useQuery } from "@tanstack/react-query";
import { Descriptions, Result, Skeleton, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { HTMLAttributes } from "react";
import { useTranslation } from "react-i18next";
import { ACTIONS, fetchEffective, type CompiledPolicy } from "../../api/access";
import { useLabel } from "../../i18n";
import { fieldOf, sortForNavigation, useMeta } from "../metadata";
import { ObjectIcon } from "../object-icon";
import { useRoles } from "./roles-query";
import { describeCondition } from "./row-condition";

export const effectiveKey = (userId: string) => ["access", "effective", userId] as const;

export function useEffective(userId: string | undefined) {
  return useQuery({ queryKey: effectiveKey(userId ?? ""), queryFn: () => fetchEffective(userId!), enabled: !!userId });
}

function Cell({ p, object }: { p: CompiledPolicy | undefined; object: ObjectDef }) {
  const { t, i18n } = useTranslation();
  const meta = useMeta();
  if (!p?.allowed)
    return (
      <span className="rl-rights-cell rl-rights-none" aria-label={t("users.legendNone")}>
        <MinusOutlined />
      </span>
    );
  if (!p.rowCondition)
    return (
      <span className="rl-rights-cell rl-rights-all" aria-label={t("users.legendAll")}>
        <CheckOutlined />
      </span>
    );
  return (
    <Tooltip title={describeCondition(p.rowCondition, object, meta.lookup, i18n.language === "zh-CN" ? "zh-CN" : "en")}>
      <span className="rl-rights-cell rl-rights-some" aria-label={t("users.legendSome")}>
        <FilterOutlined />
      </span>
    </Tooltip>
  );
}

export function EffectiveRights({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const q = useEffective(userId);
  const roles = useRoles();
  const roleLabel = (name: string) => {
    const r = roles.data?.find((x) => x.name === name);
    return r ? label(r.label, name) : name;
  };
  if (q.isLoading) return <Skeleton active />;
  if (q.error || !q.data) return <Result status="error" title={t("users.loadFailed")} subTitle={q.error?.message} />;
  const data = q.data;
  const objects = sortForNavigation(meta.objects).filter((o) => data.objects[o.name]);
  const attrs = data.attributes;
  const shownAttrs = ["team", "teams", "region", "partner", "manager", "subordinates"].filter((k) => {
    const v = attrs[k];
    return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
  });
  const columns = [
    {
      key: "object",
      title: t("access.object"),
      render: (_: unknown, o: ObjectDef) => (
        <Space size={6}>
          <ObjectIcon object={o} />
          {label(o.labelPlural, o.name)}
        </Space>
      ),
    },
    ...ACTIONS.map((a) => ({
      key: a,
      title: t(`access.actions.${a}`),
      width: 64,
      className: "rl-matrix-action",
      render: (_: unknown, o: ObjectDef) => <Cell p={data.objects[o.name]?.[a]} object={o} />,
    })),
    {
      key: "fields",
      title: t("access.fieldAccess"),
      render: (_: unknown, o: ObjectDef) => {
        const read = data.objects[o.name]?.read;
        if (!read?.allowed) return null;
        const rules = Object.entries(read.fieldRules);
        if (!rules.length) return <span className="rl-muted">{t("access.allFields")}</span>;
        return (
          <Space size={4} wrap>
            {rules.map(([f, r]) => (
              <Tooltip key={f} title={r.rule === "masked" && r.mask ? t(`access.masks.${r.mask}`) : undefined}>
                <Tag bordered={false} color={r.rule === "masked" ? "purple" : r.rule === "hidden" ? "red" : "blue"}>
                  {label(fieldOf(o, f)?.label, f)} · {t(`access.rules.${r.rule}`)}
                </Tag>
              </Tooltip>
            ))}
          </Space>
        );
      },
    },
  ];
  return (
    <div data-testid="effective-rights">
      <Typography.Paragraph type="secondary">{t("users.rightsIntro")}</Typography.Paragraph>
      <Descriptions size="small" column={1} bordered style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t("users.roles")}>
          {data.roles.length ? data.roles.map((r) => (
                <Tag key={r} color={r === "admin" ? "gold" : "blue"} bordered={false}>
                  {roleLabel(r)}
                </Tag>
              )) : <Typography.Text type="warning">{t("users.noRoles")}</Typography.Text>}
        </Descriptions.Item>
        {shownAttrs.length > 0 && (
          <Descriptions.Item label={t("users.attributes")}>
            <Space size={4} wrap>
              {shownAttrs.map((k) => {
                const v = attrs[k];
                const n = Array.isArray(v) ? v.length : 1;
                return (
                  <Tag key={k} bordered={false}>
                    $actor.{k}
                    {Array.isArray(v) ? ` (${n})` : ""}
                  </Tag>
                );
              })}
            </Space>
          </Descriptions.Item>
        )}
      </Descriptions>
      <div className="rl-legend">
        <span>
          <span className="rl-rights-cell rl-rights-all">
            <CheckOutlined />
          </span>
          {t("users.legendAll")}
        </span>
        <span>
          <span className="rl-rights-cell rl-rights-some">
            <FilterOutlined />
          </span>
          {t("users.legendSome")}
        </span>
        <span>
          <span className="rl-rights-cell rl-rights-none">
            <MinusOutlined />
          </span>
          {t("users.legendNone")}
        </span>
      </div>
      <Table<ObjectDef>
        rowKey="name"
        size="small"
        className="rl-matrix"
        columns={columns}
        dataSource={objects}
        pagination={false}
        onRow={(o) => ({ "data-testid": `rights-row-${o.name}` }) as HTMLAttributes<HTMLElement>}
      />
    </div>
  );
}
