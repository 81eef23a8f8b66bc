/**
 * The audit log (admins only): search by actor, action (or a family such as auth.*), object, record
 * and time; each entry expands to its before/after changes and hashes; export for auditors (CSV or
 * XLSX, the server audits the export); and a panel that verifies the hash chain and names the first
 * broken link.
 */
import { CheckCircleFilled, CloseCircleFilled, DownloadOutlined, FileSearchOutlined, SafetyCertificateOutlined, SearchOutlined, WarningFilled } from "@ant-design/icons";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import { AutoComplete, Button, Card, DatePicker, Dropdown, Input, Result, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { auditExportUrl, searchAudit, verifyAuditChain, type AuditChange, type AuditEntry, type AuditFilter } from "../../api/audit";
import { listRecords } from "../../api/records";
import { useLabel } from "../../i18n";
import { formatDateTime, formatNumber, text } from "../format";
import { sortForNavigation, useMeta } from "../metadata";
import "./admin.css";

const FAMILIES = ["auth", "access", "record", "export", "token", "user", "audit"] as const;
const ACTION_NAMES = [
  "auth.login", "auth.login_failed", "auth.logout", "auth.totp_enabled", "auth.totp_disabled", "auth.password_changed", "auth.locked", "auth.sso_login",
  "token.created", "token.revoked", "user.deactivated", "access.role_changed", "access.policy_changed", "access.user_roles_changed", "record.reveal",
  "export.requested", "export.approved", "export.rejected", "export.downloaded", "audit.exported", "audit.archived",
  "auth.password_reset", "auth.sso_configured", "access.previewed", "settings.changed", "create", "update", "delete", "restore",
];
const FAMILY_COLOR: Record<string, string> = { auth: "blue", access: "purple", record: "gold", export: "cyan", token: "geekblue", user: "orange", audit: "default" };
// Audit objects that are not records: roles, policies, tokens, settings, single sign-on.
const SYSTEM_OBJECTS = ["access_role", "access_policy", "api_token", "setting", "sso"] as const;

/** The i18n key of an action's readable label ("auth.login" -> audit.actions.auth__login). */
const actionKey = (action: string) => `audit.actions.${action.replace(/\./g, "__")}`;

/** A readable label for an action code, in the UI language; the code itself where none is known. */
export function useActionLabel(): (action: string) => string {
  const { t } = useTranslation();
  return (action) => t(actionKey(action), { defaultValue: action });
}

function show(v: unknown): string {
  if (v === undefined) return "";
  if (v === null) return "null";
  if (typeof v === "string") return v;
  return JSON.stringify(v, null, 2);
}

function ActorPicker({ value, onChange }: { value: string | undefined; onChange: (v: string | undefined) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState("");
  const users = useQuery({
    queryKey: ["admin", "audit-actors", q],
    queryFn: () => listRecords("user", { filter: q ? { field: "name", op: "contains", value: q } : undefined, sort: "name", limit: 50, fields: ["id", "name"] }),
  });
  return (
    <Select
      allowClear
      showSearch={{ filterOption: false, onSearch: setQ }}
      style={{ width: 200 }}
      placeholder={t("audit.anyActor")}
      value={value}
      onChange={(v: string | undefined) => onChange(v)}
      data-testid="audit-actor"
      options={[{ value: "system", label: t("audit.system") }, ...(users.data?.records ?? []).map((u) => ({ value: u.id, label: text(u.name ?? u.id) }))]}
    />
  );
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const actionLabel = useActionLabel();
  const [draft, setDraft] = useState<AuditFilter>({});
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [filter, setFilter] = useState<AuditFilter>({});

  const list = useInfiniteQuery({
    queryKey: ["audit", "search", filter],
    queryFn: ({ pageParam, signal }) => searchAudit(filter, pageParam, 50, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = useMemo(() => list.data?.pages.flatMap((p) => p.entries) ?? [], [list.data]);

  const apply = () => {
    const f: AuditFilter = {};
    if (draft.actor) f.actor = draft.actor;
    if (draft.action?.trim()) f.action = draft.action.trim();
    if (draft.object) f.object = draft.object;
    if (draft.recordId?.trim()) f.recordId = draft.recordId.trim();
    if (range?.[0]) f.from = range[0].toISOString();
    if (range?.[1]) f.to = range[1].toISOString();
    setFilter(f);
  };
  const reset = () => {
    setDraft({});
    setRange(null);
    setFilter({});
  };

  const objectLabel = (name: string | null) => {
    if (!name) return "";
    const o = meta.lookup(name);
    if (o) return label(o.label, name);
    return (SYSTEM_OBJECTS as readonly string[]).includes(name) ? t(`audit.systemObjects.${name as (typeof SYSTEM_OBJECTS)[number]}`) : name;
  };
  const columns = [
    { key: "seq", title: t("audit.seq"), width: 70, render: (_: unknown, e: AuditEntry) => <span className="rl-muted rl-num">{e.seq}</span> },
    { key: "at", title: t("audit.at"), width: 170, render: (_: unknown, e: AuditEntry) => <span className="rl-nowrap">{formatDateTime(e.at, i18n.language)}</span> },
    {
      key: "actor",
      title: t("audit.actor"),
      width: 150,
      render: (_: unknown, e: AuditEntry) => (e.actor.id === "system" ? <Tag bordered={false}>{t("audit.system")}</Tag> : e.actor.name ?? e.actor.id),
    },
    {
      key: "action",
      title: t("audit.action"),
      width: 210,
      render: (_: unknown, e: AuditEntry) => (
        <Tooltip title={<span className="rl-mono">{e.action}</span>}>
          <Tag color={FAMILY_COLOR[e.action.split(".")[0] ?? ""] ?? "default"} data-testid="audit-action" data-action={e.action}>
            {actionLabel(e.action)}
          </Tag>
        </Tooltip>
      ),
    },
    {
      key: "record",
      title: t("audit.record"),
      render: (_: unknown, e: AuditEntry) =>
        e.object ? (
          <div style={{ minWidth: 160 }}>
            <div>{objectLabel(e.object)}</div>
            {e.recordId && <div className="rl-hash">{e.recordId}</div>}
          </div>
        ) : null,
    },
    { key: "ip", title: t("audit.ip"), width: 110, render: (_: unknown, e: AuditEntry) => <span className="rl-muted">{e.ip ?? ""}</span> },
  ];

  const objectOptions = [...sortForNavigation(meta.objects).map((o) => ({ value: o.name, label: label(o.label, o.name) })), ...SYSTEM_OBJECTS.map((o) => ({ value: o, label: t(`audit.systemObjects.${o}`) }))];
  const actionOptions = [
    { label: t("audit.familyGroup"), options: FAMILIES.map((f) => ({ value: `${f}.*`, label: t(`audit.families.${f}`) })) },
    { label: t("audit.actionGroup"), options: ACTION_NAMES.map((a) => ({
        value: a,
        label: (
          <span>
            {actionLabel(a)} <span className="rl-mono rl-muted">{a}</span>
          </span>
        ),
      })) },
  ];

  return (
    <div className="rl-access-page" data-testid="audit-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <FileSearchOutlined />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("audit.title")}
          </Typography.Title>
        </div>
        <div className="rl-page-actions">
          <Tooltip title={t("audit.exportHint")}>
            <Dropdown
              menu={{
                items: [
                  { key: "csv", label: t("audit.exportCsv") },
                  { key: "xlsx", label: t("audit.exportXlsx") },
                ],
                onClick: (e) => {
                  window.location.href = auditExportUrl(filter, e.key as "csv" | "xlsx");
                },
              }}
            >
              <Button icon={<DownloadOutlined />} data-testid="audit-export">
                {t("audit.export")}
              </Button>
            </Dropdown>
          </Tooltip>
        </div>
      </div>
      <Typography.Paragraph type="secondary" className="rl-admin-intro">
        {t("audit.intro")}
      </Typography.Paragraph>
      <div className="rl-audit-layout">
        <div>
          <div className="rl-audit-filters" data-testid="audit-filters">
            <ActorPicker value={draft.actor} onChange={(actor) => setDraft({ ...draft, actor })} />
            <AutoComplete
              style={{ width: 260 }}
              allowClear
              placeholder={t("audit.anyAction")}
              value={draft.action}
              options={actionOptions}
              onChange={(action: string) => setDraft({ ...draft, action })}
              filterOption={(input, o) => {
                const v = (o as { value?: unknown } | undefined)?.value;
                return typeof v === "string" && v.includes(input.toLowerCase());
              }}
              data-testid="audit-action-filter"
            />
            <Select allowClear showSearch={{ optionFilterProp: "label" }} style={{ width: 170 }} placeholder={t("audit.anyObject")} value={draft.object} onChange={(object: string | undefined) => setDraft({ ...draft, object })} options={objectOptions} />
            <Input style={{ width: 200 }} allowClear placeholder={t("audit.recordId")} value={draft.recordId} onChange={(e) => setDraft({ ...draft, recordId: e.target.value })} onPressEnter={apply} />
            <DatePicker.RangePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" value={range} onChange={(v) => setRange(v)} allowEmpty={[true, true]} />
            <Space>
              <Button type="primary" icon={<SearchOutlined />} onClick={apply} data-testid="audit-search">
                {t("audit.search")}
              </Button>
              <Button onClick={reset}>{t("audit.reset")}</Button>
            </Space>
          </div>
          {list.error ? (
            <Result status="warning" title={t("audit.loadFailed")} subTitle={list.error.message} />
          ) : (
            <Table<AuditEntry>
              rowKey="id"
              size="middle"
              loading={list.isLoading}
              columns={columns}
              dataSource={entries}
              pagination={false}
              locale={{ emptyText: t("audit.empty") }}
              expandable={{ expandedRowRender: (e) => <EntryDetail entry={e} />, expandRowByClick: true }}
              data-testid="audit-table"
            />
          )}
          <div className="rl-list-footer">
            <span className="rl-muted">{t("audit.shown", { count: entries.length })}</span>
            {list.hasNextPage && (
              <Button size="small" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {t("audit.loadMore")}
              </Button>
            )}
          </div>
        </div>
        <ChainPanel />
      </div>
    </div>
  );
}

function EntryDetail({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const changes = Object.entries(entry.changes ?? {});
  return (
    <div className="rl-changes-table" data-testid="audit-changes">
      {changes.length ? (
        <Table<[string, AuditChange]>
          size="small"
          rowKey={(r) => r[0]}
          rowClassName={([, c]) => (JSON.stringify(c.before) === JSON.stringify(c.after) ? "rl-unchanged" : "")}
          pagination={false}
          dataSource={changes}
          columns={[
            { key: "field", title: t("audit.field"), width: 160, render: (_: unknown, [f]: [string, AuditChange]) => <Typography.Text code>{f}</Typography.Text> },
            { key: "before", title: t("audit.before"), render: (_: unknown, [, c]: [string, AuditChange]) => <pre className="rl-before">{show(c.before)}</pre> },
            { key: "after", title: t("audit.after"), render: (_: unknown, [, c]: [string, AuditChange]) => <pre className="rl-after">{show(c.after)}</pre> },
          ]}
        />
      ) : (
        <Typography.Text type="secondary">{t("audit.noChanges")}</Typography.Text>
      )}
      <div style={{ marginTop: 8, display: "grid", gridTemplateColumns: "140px 1fr", gap: "2px 12px" }}>
        {entry.userAgent && (
          <>
            <span className="rl-muted">{t("audit.userAgent")}</span>
            <span className="rl-hash">{entry.userAgent}</span>
          </>
        )}
        <span className="rl-muted">{t("audit.hash")}</span>
        <span className="rl-hash">{entry.hash}</span>
        <span className="rl-muted">{t("audit.prevHash")}</span>
        <span className="rl-hash">{entry.prevHash}</span>
      </div>
    </div>
  );
}

function ChainPanel() {
  const { t, i18n } = useTranslation();
  const verify = useMutation({ mutationFn: () => verifyAuditChain() });
  const r = verify.data;
  return (
    <Card
      size="small"
      title={
        <Space>
          <SafetyCertificateOutlined />
          {t("audit.chainTitle")}
        </Space>
      }
      data-testid="chain-panel"
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t("audit.chainIntro")}
      </Typography.Paragraph>
      <Button type="primary" block loading={verify.isPending} onClick={() => verify.mutate()} data-testid="verify-chain">
        {t("audit.verify")}
      </Button>
      {verify.error && <div className="rl-field-error">{t("audit.verifyFailed")}: {verify.error.message}</div>}
      {!r && !verify.isPending && !verify.error && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t("audit.notChecked")}
        </Typography.Paragraph>
      )}
      {r && (
        <div className={`rl-chain-status ${r.intact ? "is-intact" : "is-broken"}`} data-testid="chain-status" data-intact={r.intact ? "true" : "false"}>
          {r.intact ? r.partial ? <WarningFilled style={{ color: "#d48806" }} /> : <CheckCircleFilled style={{ color: "#16a34a" }} /> : <CloseCircleFilled style={{ color: "#dc2626" }} />}
          <div style={{ minWidth: 0 }}>
            <div style={{ fontWeight: 600 }}>{r.intact ? t("audit.intact") : t("audit.broken")}</div>
            {r.intact ? (
              <div>{r.partial ? t("audit.partialText", { entries: formatNumber(r.entries, i18n.language) }) : t("audit.intactText", { entries: formatNumber(r.entries, i18n.language), seq: r.through.seq })}</div>
            ) : (
              r.break && (
                <>
                  <div data-testid="chain-break">{t("audit.brokenAt", { seq: r.break.seq })}</div>
                  <div className="rl-muted" style={{ fontSize: 12 }}>
                    {r.break.message}
                  </div>
                </>
              )
            )}
            {r.head && (
              <div style={{ marginTop: 6 }}>
                <span className="rl-muted" style={{ fontSize: 12 }}>
                  {t("audit.headLabel")} #{r.head.seq}
                </span>
                <div className="rl-hash">{r.head.hash}</div>
              </div>
            )}
            <div className="rl-muted" style={{ fontSize: 12, marginTop: 6 }}>
              {t("audit.checkedAt", { time: new Date(r.checkedAt).toLocaleString(i18n.language === "zh-CN" ? "zh-CN" : "en-US") })}
            </div>
          </div>
        </div>
      )}
    </Card>
  );
}
