/**
 * Opportunity board: one column per stage option (from metadata), drag a card to change its stage.
 * Dropping on a closing stage (won or lost) first asks for what a closed deal needs (CloseDealModal);
 * the card moves only once that is confirmed.
 */
import { BankOutlined, CalendarOutlined, ReloadOutlined } from "@ant-design/icons";
import type { Condition, FieldDef, ObjectDef } from "@revline/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { App, Avatar, Button, Empty, Result, Skeleton, Space, Spin, Tag, Tooltip, Typography } from "antd";
import { useRef, useState, type DragEvent, type UIEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { isStaleVersion } from "../../api/client";
import { aggregate, andConditions, listRecords, updateRecord, type ListPage, type RecordData } from "../../api/records";
import { useLabel } from "../../i18n";
import { optionColor, useRelatedName } from "../../platform/field-value";
import { RelationSelect } from "../../platform/field-input";
import { formatDate, formatMoney, formatNumber, isCurrencyValue, text } from "../../platform/format";
import { fieldOf, useMeta } from "../../platform/metadata";
import { outcomeStages, regionCondition, sumsByCurrency, type CurrencySum } from "./dashboard-data";
import { CloseDealModal, type Closing } from "./close-deal-modal";

const OBJECT = "opportunity";
const PAGE = 25;
const BOARD_KEY = ["records", OBJECT, "board"] as const;
const CARD_FIELDS = ["id", "version", "name", "stage", "amount", "close_date", "account", "owner", "region"];
const CARD_INCLUDE = ["account", "owner"];

type Board = InfiniteData<ListPage, string | null>;

/**
 * What this actor's view of the object allows on the board: amounts summed and sorted only when the
 * amount is not masked for them; cards ask only for fields they can see; dragging only with update.
 */
function boardAccess(object: ObjectDef) {
  const amount = object.fields.find((f) => f.name === "amount");
  const amountClear = !!amount && amount.access !== "masked";
  return {
    amountClear,
    cardFields: CARD_FIELDS.filter((n) => n === "id" || n === "version" || object.fields.some((f) => f.name === n)),
    cardInclude: CARD_INCLUDE.filter((n) => object.fields.some((f) => f.name === n)),
    // Only fields the actor may sort on (a masked field would be refused).
    sort: (amountClear ? ["-amount", "name"] : ["-close_date", "name"]).filter((k) => object.fields.find((f) => f.name === k.replace(/^-/, ""))?.access !== "masked").join(","),
    canMove: object.permissions?.update !== false,
  };
}
/** Per stage: every deal counted; amounts summed per currency, never across currencies. */
type Totals = Map<string, { count: number; sums: CurrencySum[] }>;

export function PipelineBoard() {
  const meta = useMeta();
  const object = meta.lookup(OBJECT);
  const stage = object ? fieldOf(object, "stage") : undefined;
  if (meta.isLoading) return <Skeleton active style={{ padding: 24 }} />;
  if (!object || !stage?.options?.length) return <Result status="info" title="—" />;
  return <Board object={object} stage={stage} />;
}

function Board({ object, stage }: { object: ObjectDef; stage: FieldDef }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [owner, setOwner] = useState<string | null>(null);
  const [region, setRegion] = useState<string | null>(null);
  const base = andConditions(owner ? { field: "owner", op: "eq", value: owner } : undefined, region ? regionCondition(region) : undefined);
  const dragging = useRef<{ id: string; from: string } | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [closing, setClosing] = useState<Closing | null>(null);
  const outcomes = outcomeStages(stage);
  const access = boardAccess(object);
  const stageLabel = (value: string) => label(stage.options?.find((o) => o.value === value)?.label, value);

  const totals = useQuery({
    queryKey: ["records", OBJECT, "board-totals", base ?? null],
    queryFn: () => aggregate(OBJECT, { filter: base, groupBy: [{ field: "stage" }], metrics: access.amountClear ? [{ fn: "count" }, { fn: "sum", field: "amount" }] : [{ fn: "count" }] }),
    select: (rows): Totals => {
      const m: Totals = new Map();
      for (const key of new Set(rows.map((r) => text(r.group.stage)))) {
        const own = rows.filter((r) => text(r.group.stage) === key);
        m.set(key, { count: own.reduce((n, r) => n + Number(r.values.count ?? 0), 0), sums: sumsByCurrency(own) });
      }
      return m;
    },
  });

  const columnKey = (value: string) => [...BOARD_KEY, value, base ?? null];

  const move = useMutation({
    mutationFn: (v: { card: RecordData; from: string; to: string; extra?: Record<string, unknown> }) =>
      updateRecord(OBJECT, v.card.id, { ...v.extra, stage: v.to }, v.card.version),
    onMutate: async ({ card, from, to, extra }) => {
      const fromKey = columnKey(from);
      const toKey = columnKey(to);
      await qc.cancelQueries({ queryKey: fromKey });
      await qc.cancelQueries({ queryKey: toKey });
      const before = { from: qc.getQueryData<Board>(fromKey), to: qc.getQueryData<Board>(toKey) };
      qc.setQueryData<Board>(fromKey, (d) => d && { ...d, pages: d.pages.map((p) => ({ ...p, records: p.records.filter((r) => r.id !== card.id) })) });
      qc.setQueryData<Board>(toKey, (d) =>
        d && { ...d, pages: d.pages.map((p, i) => (i === 0 ? { ...p, records: [{ ...card, ...extra, stage: to }, ...p.records] } : p)) },
      );
      return { before, fromKey, toKey };
    },
    onError: (err, v, ctx) => {
      if (ctx) {
        qc.setQueryData(ctx.fromKey, ctx.before.from);
        qc.setQueryData(ctx.toKey, ctx.before.to);
      }
      if (isStaleVersion(err)) {
        void message.warning(t("pipeline.conflict", { name: text(v.card.name) }));
        void qc.invalidateQueries({ queryKey: BOARD_KEY });
      } else {
        void message.error(t("pipeline.moveFailed", { reason: err.message }));
      }
    },
    onSuccess: (saved, { to }) => {
      qc.setQueryData<Board>(columnKey(to), (d) =>
        d && {
          ...d,
          pages: d.pages.map((p) => ({ ...p, records: p.records.map((r) => (r.id === saved.id ? { ...r, ...saved, _related: r._related } : r)) })),
        },
      );
      void message.success(t("pipeline.moved", { name: text(saved.name), stage: stageLabel(to) }));
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ["records", OBJECT, "board-totals"] });
      // Lists and dashboards elsewhere are stale now; the board itself keeps its optimistic order.
      void qc.invalidateQueries({ queryKey: ["records", OBJECT], predicate: (q) => q.queryKey[2] !== "board" && q.queryKey[2] !== "board-totals" });
      void qc.invalidateQueries({ queryKey: ["aggregate"] });
    },
  });

  const onDrop = (to: string, e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const d = dragging.current;
    dragging.current = null;
    const id = d?.id ?? e.dataTransfer.getData("text/plain");
    const from = d?.from;
    if (!id || !from || from === to) return;
    const data = qc.getQueryData<Board>(columnKey(from));
    const card = data?.pages.flatMap((p) => p.records).find((r) => r.id === id);
    if (!card) return;
    const outcome = to === outcomes.won ? "won" : to === outcomes.lost ? "lost" : undefined;
    if (outcome) setClosing({ card, from, to, outcome });
    else move.mutate({ card, from, to });
  };

  const options = stage.options ?? [];
  const totalOpen = totals.data ? [...totals.data.values()].reduce((n, x) => n + x.count, 0) : undefined;
  return (
    <div className="rl-board-page">
      {closing && (
        <CloseDealModal
          closing={closing}
          object={object}
          stageLabel={stageLabel(closing.to)}
          onCancel={() => setClosing(null)}
          onConfirm={(extra) => {
            move.mutate({ card: closing.card, from: closing.from, to: closing.to, extra });
            setClosing(null);
          }}
        />
      )}
      <div className="rl-page-header">
        <div className="rl-page-title">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("pipeline.title")}
          </Typography.Title>
          <span className="rl-count">{totalOpen !== undefined ? t("pipeline.dealCount", { count: totalOpen, formatted: formatNumber(totalOpen, i18n.language) }) : ""}</span>
        </div>
        <Space wrap>
          <div style={{ width: 220 }} data-testid="owner-filter">
            <RelationSelect field={{ name: "owner", type: "relation", relation: { object: "user" }, label: { en: "Owner", zh: "负责人" } }} value={owner} onChange={setOwner} placeholder={t("pipeline.allOwners")} />
          </div>
          <div style={{ width: 180 }} data-testid="region-filter">
            <RelationSelect field={{ name: "region", type: "relation", relation: { object: "region" }, label: { en: "Region", zh: "区域" } }} value={region} onChange={setRegion} placeholder={t("pipeline.allRegions")} />
          </div>
          <Tooltip title={t("common.refresh")}>
            <Button icon={<ReloadOutlined />} onClick={() => void qc.invalidateQueries({ queryKey: ["records", OBJECT] })} />
          </Tooltip>
        </Space>
      </div>
      <div className="rl-filter-hint rl-muted">
        {owner || region ? t("pipeline.filtered") : access.canMove ? t("pipeline.hint") : t("pipeline.readOnly")}
      </div>
      <div className="rl-board">
        {options.map((opt) => {
          const tot = totals.data?.get(opt.value);
          return (
            <div
              key={opt.value}
              className={`rl-board-column${over === opt.value ? " is-over" : ""}`}
              data-testid={`stage-column-${opt.value}`}
              data-stage={opt.value}
              onDragOver={(e) => {
                e.preventDefault();
                e.dataTransfer.dropEffect = "move";
                if (over !== opt.value) setOver(opt.value);
              }}
              onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(null);
              }}
              onDrop={(e) => onDrop(opt.value, e)}
            >
              <div className="rl-board-column-head">
                <div>
                  <Tag color={optionColor(stage, opt.value)} variant="solid" style={{ marginInlineEnd: 8 }}>
                    {label(opt.label, opt.value)}
                  </Tag>
                  <span className="rl-muted" data-testid={`stage-count-${opt.value}`}>
                    {tot ? formatNumber(tot.count, i18n.language) : totals.isLoading ? "…" : "0"}
                  </span>
                </div>
                <div className="rl-board-sum" data-testid={`stage-sum-${opt.value}`}>
                  {tot ? tot.sums.map((x) => formatMoney(x.sum, x.currency, i18n.language, { compact: true })).join(" · ") : ""}
                </div>
              </div>
              <Column
                stage={opt.value}
                queryKey={columnKey(opt.value)}
                filter={andConditions(base, { field: "stage", op: "eq", value: opt.value })}
                total={tot?.count}
                access={access}
                onDragStart={(id) => (dragging.current = { id, from: opt.value })}
                onDragEnd={() => setOver(null)}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Column({
  stage,
  queryKey,
  filter,
  total,
  access,
  onDragStart,
  onDragEnd,
}: {
  stage: string;
  queryKey: unknown[];
  filter: Condition | undefined;
  total?: number;
  access: ReturnType<typeof boardAccess>;
  onDragStart: (id: string) => void;
  onDragEnd: () => void;
}) {
  const { t, i18n } = useTranslation();
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) =>
      listRecords(OBJECT, { filter, sort: access.sort, limit: PAGE, cursor: pageParam, fields: access.cardFields, include: access.cardInclude }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 60_000,
  });
  const cards = q.data?.pages.flatMap((p) => p.records) ?? [];
  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 300 && q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
  };
  return (
    <div className="rl-board-cards" onScroll={onScroll}>
      {q.isLoading && <Skeleton active paragraph={{ rows: 6 }} />}
      {q.error && <Result status="warning" subTitle={q.error.message} />}
      {!q.isLoading && cards.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("pipeline.emptyColumn")} />}
      {cards.map((c) => (
        <DealCard key={c.id} card={c} stage={stage} canMove={access.canMove} onDragStart={onDragStart} onDragEnd={onDragEnd} />
      ))}
      {q.hasNextPage && (
        <div className="rl-board-more">
          {q.isFetchingNextPage ? (
            <Spin size="small" />
          ) : (
            <Button size="small" type="link" onClick={() => void q.fetchNextPage()}>
              {t("pipeline.loadMore", { shown: formatNumber(cards.length, i18n.language), total: total !== undefined ? formatNumber(total, i18n.language) : "…" })}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}

function DealCard({ card, stage, canMove, onDragStart, onDragEnd }: { card: RecordData; stage: string; canMove: boolean; onDragStart: (id: string) => void; onDragEnd: () => void }) {
  const { i18n } = useTranslation();
  const { lookup } = useMeta();
  const relatedName = useRelatedName();
  const object = lookup(OBJECT);
  const accountField = object ? fieldOf(object, "account") : undefined;
  const ownerField = object ? fieldOf(object, "owner") : undefined;
  const account = accountField ? relatedName(accountField, card) : undefined;
  const owner = ownerField ? relatedName(ownerField, card) : undefined;
  const amount = card.amount;
  return (
    <div
      className="rl-deal-card"
      draggable={canMove}
      data-testid="deal-card"
      data-id={card.id}
      data-stage={stage}
      onDragStart={(e) => {
        e.dataTransfer.setData("text/plain", card.id);
        e.dataTransfer.effectAllowed = "move";
        onDragStart(card.id);
      }}
      onDragEnd={onDragEnd}
    >
      <Link to={`/o/${OBJECT}/${card.id}`} className="rl-deal-name" draggable={false}>
        {text(card.name) || "—"}
      </Link>
      {account && (
        <div className="rl-deal-account">
          <BankOutlined /> {account}
        </div>
      )}
      <div className="rl-deal-foot">
        <span className="rl-deal-amount">
          {isCurrencyValue(amount) ? (
            formatMoney(amount.amount, amount.currency, i18n.language)
          ) : typeof amount === "string" && amount ? (
            <span className="rl-masked">{amount}</span>
          ) : (
            <span className="rl-empty-value">—</span>
          )}
        </span>
        <Space size={6}>
          {typeof card.close_date === "string" && (
            <span className="rl-muted rl-deal-date rl-nowrap">
              <CalendarOutlined /> {formatDate(card.close_date, i18n.language)}
            </span>
          )}
          {owner && (
            <Tooltip title={owner}>
              <Avatar size={22} style={{ background: avatarColor(owner), fontSize: 11 }}>
                {initials(owner)}
              </Avatar>
            </Tooltip>
          )}
        </Space>
      </div>
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return parts[0]!.slice(0, 2).toUpperCase();
  return (parts[0]![0]! + parts[parts.length - 1]![0]!).toUpperCase();
}

const AVATAR_COLORS = ["#1f4fe0", "#7048e8", "#0ca678", "#f08c00", "#e8590c", "#1098ad", "#d6336c", "#5c7cfa"];
function avatarColor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLORS[h % AVATAR_COLORS.length]!;
}
