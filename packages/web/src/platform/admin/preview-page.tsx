/**
 * "See the list as user X" (admins only): the list of an object exactly as one user gets it, through
 * POST /api/access/preview (their roles, their $actor values, no admin bypass). Masked values stay
 * masked and are marked; hidden fields are left out; a banner says whose eyes you are looking through.
 */
import { EyeOutlined, LockOutlined } from "@ant-design/icons";
import type { FieldDef, ObjectDef } from "@revline/core";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Alert, Button, Empty, Result, Select, Skeleton, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { previewList } from "../../api/access";
import { getRecord, listRecords, type RecordData } from "../../api/records";
import { useLabel } from "../../i18n";
import { FieldValue } from "../field-value";
import { formatNumber, text } from "../format";
import { defaultColumns, fieldOf, sortForNavigation, useMeta, type MetaLookup } from "../metadata";
import { ObjectIcon } from "../object-icon";
import "./admin.css";
import { useEffective } from "./effective-rights";
import { useRoles } from "./roles-query";
import { describeCondition } from "./row-condition";

const PAGE = 50;

/** Users to pick from, searched by name as the admin. */
function UserPicker({ value, onChange }: { value: string | undefined; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState("");
  const users = useQuery({
    queryKey: ["admin", "user-picker", q],
    queryFn: () => listRecords("user", { filter: q ? { field: "name", op: "contains", value: q } : undefined, sort: "name", limit: 50, fields: ["id", "name", "email"] }),
  });
  const current = useQuery({ queryKey: ["admin", "user-picker", "one", value], queryFn: () => getRecord("user", value!), enabled: !!value });
  const options = [...(users.data?.records ?? [])];
  if (current.data && !options.some((u) => u.id === current.data.id)) options.unshift(current.data);
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      style={{ width: 280 }}
      placeholder={t("preview.pickUser")}
      value={value}
      onChange={onChange}
      loading={users.isLoading}
      data-testid="preview-user"
      options={options.map((u) => ({ value: u.id, label: `${text(u.name ?? "")}${u.email ? ` · ${text(u.email)}` : ""}` }))}
    />
  );
}

export function PreviewPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const [params, setParams] = useSearchParams();
  const userId = params.get("user") ?? undefined;
  const objectName = params.get("object") ?? "account";
  const object = meta.lookup(objectName);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  return (
    <div className="rl-access-page" data-testid="preview-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <EyeOutlined />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("preview.title")}
          </Typography.Title>
        </div>
      </div>
      <Typography.Paragraph type="secondary" className="rl-admin-intro">
        {t("preview.intro")}
      </Typography.Paragraph>
      <div className="rl-toolbar">
        <Space>
          <span className="rl-muted">{t("preview.user")}</span>
          <UserPicker value={userId} onChange={(id) => set("user", id)} />
        </Space>
        <Space>
          <span className="rl-muted">{t("preview.object")}</span>
          <Select
            style={{ width: 220 }}
            value={objectName}
            onChange={(v) => set("object", v)}
            data-testid="preview-object"
            showSearch={{ optionFilterProp: "label" }}
            options={sortForNavigation(meta.objects).map((o) => ({ value: o.name, label: label(o.labelPlural, o.name) }))}
          />
        </Space>
      </div>
      {meta.isLoading ? <Skeleton active /> : userId && object ? <PreviewList key={`${userId}/${object.name}`} userId={userId} object={object} /> : <Empty description={t("preview.start")} />}
    </div>
  );
}

function PreviewList({ userId, object }: { userId: string; object: ObjectDef }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const roles = useRoles();
  const locale = i18n.language === "zh-CN" ? "zh-CN" : "en";
  const effective = useEffective(userId);
  const user = useQuery({ queryKey: ["admin", "user-picker", "one", userId], queryFn: () => getRecord("user", userId) });
  const read = effective.data?.objects[object.name]?.read;
  const rules = read?.fieldRules ?? {};
  const columns = defaultColumns(object).filter((c) => rules[c]?.rule !== "hidden" && fieldOf(object, c));
  const canRead = read?.allowed === true;

  // Related records ride along as the user may read them (masked, or missing when they may not
  // see them): never looked up as the admin, which would show names the user does not get.
  const include = columns.filter((c) => fieldOf(object, c)?.type === "relation" && rules[c]?.rule !== "masked");
  const list = useInfiniteQuery({
    queryKey: ["access", "preview", userId, object.name, columns],
    queryFn: ({ pageParam, signal }) =>
      previewList({ user: userId, object: object.name, fields: ["id", ...columns], ...(include.length ? { include } : {}), limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: canRead,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.records) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;

  if (effective.isLoading || user.isLoading) return <Skeleton active />;
  if (effective.error) return <Result status="error" title={t("preview.loadFailed")} subTitle={effective.error.message} />;
  const name = text(user.data?.name ?? user.data?.email ?? userId);
  const roleNames = (effective.data?.roles ?? []).map((r) => {
    const def = roles.data?.find((x) => x.name === r);
    return def ? label(def.label, r) : r;
  });
  const plural = label(object.labelPlural, object.name);

  const banner = (
    <Alert
      className="rl-preview-banner"
      type="warning"
      showIcon
      icon={<EyeOutlined />}
      data-testid="preview-banner"
      title={<strong>{t("preview.banner", { name })}</strong>}
      description={
        <div>
          <div>{t("preview.bannerText", { roles: roleNames.length ? roleNames.join(", ") : t("preview.noRoles") })}</div>
          {canRead && (
            <div style={{ marginTop: 4 }} data-testid="preview-row-rule">
              {read?.rowCondition ? t("preview.rowRule", { rule: describeCondition(read.rowCondition, object, meta.lookup, locale) }) : t("preview.allRows")}
            </div>
          )}
        </div>
      }
    />
  );
  if (!canRead)
    return (
      <>
        {banner}
        <Result status="403" title={t("preview.noRead", { name, object: plural })} subTitle={t("preview.noReadHint")} data-testid="preview-no-read" />
      </>
    );

  const tableColumns = columns.map((c) => {
    const f = fieldOf(object, c)!;
    const masked = rules[c]?.rule === "masked";
    return {
      key: c,
      dataIndex: c,
      width: c === object.nameField ? 260 : 170,
      title: masked ? (
        <Tooltip title={`${t("preview.maskedColumn")} · ${t(`access.masks.${rules[c]!.mask ?? "text"}`)}`}>
          <Space size={4}>
            {label(f.label, c)}
            <LockOutlined style={{ color: "#7c3aed" }} />
          </Space>
        </Tooltip>
      ) : (
        label(f.label, c)
      ),
      render: (_: unknown, r: RecordData) => <PreviewCell field={f} record={r} masked={masked} meta={meta.lookup} userName={name} />,
    };
  });
  return (
    <>
      {banner}
      {list.error ? (
        <Result status="warning" title={t("preview.loadFailed")} subTitle={list.error.message} />
      ) : (
        <>
          <Table<RecordData>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            columns={tableColumns}
            dataSource={rows}
            pagination={false}
            scroll={{ x: tableColumns.reduce((n, c) => n + c.width, 0) }}
            locale={{ emptyText: list.isLoading ? " " : <Empty description={t("preview.empty", { name, object: plural })} /> }}
            data-testid="preview-table"
            title={() => (
              <Space>
                <ObjectIcon object={object} />
                <strong>{plural}</strong>
                {!list.isLoading && (
                  <span className="rl-muted" data-testid="preview-count">
                    {total === undefined
                      ? t("preview.shown", { count: rows.length, formatted: formatNumber(rows.length, i18n.language) })
                      : t("preview.shownOf", { count: total, shown: formatNumber(rows.length, i18n.language), total: formatNumber(total, i18n.language) })}
                  </span>
                )}
              </Space>
            )}
          />
          {list.hasNextPage && (
            <div style={{ textAlign: "center", marginTop: 12 }}>
              <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {t("preview.loadMore")}
              </Button>
            </div>
          )}
        </>
      )}
    </>
  );
}

function PreviewCell({ field, record, masked, meta, userName }: { field: FieldDef; record: RecordData; masked: boolean; meta: MetaLookup; userName: string }) {
  const { t } = useTranslation();
  const v = record[field.name];
  if (masked) return v === null || v === undefined || v === "" ? <span className="rl-empty-value">—</span> : <span className="rl-masked-value" data-testid="masked-value">{text(v)}</span>;
  if (field.type === "relation") {
    if (typeof v !== "string" || !v) return <span className="rl-empty-value">—</span>;
    const related = record._related?.[field.name];
    const target = field.relation ? meta(field.relation.object) : undefined;
    const nameField = target?.nameField ?? "name";
    const shown = related?.[nameField];
    if (!related || shown === undefined || shown === null || shown === "")
      return (
        <Tooltip title={t("preview.relatedHidden", { name: userName })}>
          <Tag bordered={false} icon={<LockOutlined />} data-testid="related-hidden">
            {t("preview.notVisible")}
          </Tag>
        </Tooltip>
      );
    return <span>{text(shown)}</span>;
  }
  return <FieldValue field={field} value={v} />;
}
