/** Home dashboard for a sales manager: KPIs, pipeline by stage, win rate, won revenue by month, agent and region. */
import { ArrowRightOutlined, CloseCircleOutlined, DollarOutlined, FundOutlined, RiseOutlined, TrophyOutlined } from "@ant-design/icons";
import type { Condition } from "@revline/core";
import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Col, Empty, Row, Segmented, Skeleton, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { aggregate, listRecords } from "../../api/records";
import { useLabel } from "../../i18n";
import { optionColor } from "../../platform/field-value";
import { formatMoney, formatMonth, formatNumber, formatPercent, text } from "../../platform/format";
import { fieldOf, useMeta } from "../../platform/metadata";
import { useMe } from "../../platform/use-me";
import { Chart, CHART_COLORS } from "./chart";
import { byGroup, excludedCurrencies, fillMonths, outcomeStages, reportingCurrency, summariseRegions, winRate, type CurrencySum } from "./dashboard-data";
import type { AggregateRow, Metric } from "../../api/records";

const OBJECT = "opportunity";
const TOP_N = 10;

function useAggregate(name: string, body: Parameters<typeof aggregate>[1]) {
  return useQuery({ queryKey: ["aggregate", OBJECT, name, body], queryFn: () => aggregate(OBJECT, body), staleTime: 60_000 });
}

/** Names for the ids that aggregate groups return (owners, regions). */
function useNames(object: string, ids: string[]) {
  const { lookup } = useMeta();
  const nameField = lookup(object)?.nameField ?? "name";
  return useQuery({
    queryKey: ["records", object, "names", ids],
    enabled: ids.length > 0,
    queryFn: () => listRecords(object, { filter: { field: "id", op: "in", value: ids }, fields: ["id", nameField], limit: 1000 }),
    select: (p) => new Map(p.records.map((r) => [r.id, text(r[nameField] ?? r.id)])),
    staleTime: 5 * 60_000,
  });
}

function Kpi({ icon, title, value, hint, color, testId }: { icon: ReactNode; title: string; value: ReactNode; hint?: ReactNode; color: string; testId: string }) {
  return (
    <Card variant="borderless" className="rl-kpi" data-testid={testId}>
      <div className="rl-kpi-icon" style={{ background: `${color}14`, color }}>
        {icon}
      </div>
      <div className="rl-kpi-body">
        <div className="rl-muted">{title}</div>
        <div className="rl-kpi-value">{value}</div>
        {hint && <div className="rl-kpi-hint">{hint}</div>}
      </div>
    </Card>
  );
}

export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const label = useLabel();
  const navigate = useNavigate();
  const meta = useMeta();
  const me = useMe();
  const object = meta.lookup(OBJECT);
  const stageField = object ? fieldOf(object, "stage") : undefined;
  const { won, lost, open } = outcomeStages(stageField);
  // Amounts masked for this actor (an intern): the server refuses sums of them, so the dashboard counts deals.
  const amountField = object ? fieldOf(object, "amount") : undefined;
  const amountClear = !!amountField && amountField.access !== "masked";
  const METRICS: Metric[] = amountClear ? [{ fn: "count" }, { fn: "sum", field: "amount" }] : [{ fn: "count" }];
  const [chosenMetric, setMetric] = useState<"sum" | "count">("sum");
  const metric = amountClear ? chosenMetric : "count";

  const wonFilter: Condition | undefined = won ? { field: "stage", op: "eq", value: won } : undefined;
  const byStage = useAggregate("stage", { groupBy: [{ field: "stage" }], metrics: METRICS });
  const byMonth = useAggregate("month", { filter: wonFilter, groupBy: [{ field: "close_date", bucket: "month" }], metrics: METRICS });
  const byOwner = useAggregate("owner", { filter: wonFilter, groupBy: [{ field: "owner" }], metrics: METRICS });
  const lostFilter: Condition | undefined = lost ? { field: "stage", op: "eq", value: lost } : undefined;
  const regionOwner = [{ field: "region" }, { field: "owner" }];
  const wonByRegion = useAggregate("won-region-owner", { filter: wonFilter, groupBy: regionOwner, metrics: METRICS });
  const lostByRegion = useAggregate("lost-region-owner", { filter: lostFilter, groupBy: regionOwner, metrics: [{ fn: "count" }] });
  const directory = useQuery({
    queryKey: ["records", "user", "region-directory"],
    queryFn: () => listRecords("user", { fields: ["id", "region"], limit: 1000 }),
    select: (p) => new Map(p.records.map((u) => [u.id, text(u.region)])),
    staleTime: 5 * 60_000,
  });

  const currency = reportingCurrency(byStage.data ?? []);
  const stages = byGroup(byStage.data ?? [], "stage", currency);
  const stageOf = (v: string | undefined) => stages.find((s) => s.key === v);
  const wonB = stageOf(won);
  const lostB = stageOf(lost);
  const openCount = open.reduce((n, v) => n + (stageOf(v)?.count ?? 0), 0);
  const rate = winRate(wonB?.count ?? 0, lostB?.count ?? 0);

  const owners = byGroup(byOwner.data ?? [], "owner", currency).filter((b) => b.key).sort((a, b) => (amountClear ? b.sum - a.sum : b.count - a.count)).slice(0, TOP_N);
  // With amounts masked for this actor, every figure is a number of deals, never a $0 sum.
  const ownerValue = (o: { sum: number; count: number }) => (amountClear ? o.sum : o.count);
  const fmt = (v: number, compact = false) => (amountClear ? money(v, compact) : formatNumber(v, lang));
  const ownerNames = useNames("user", owners.map((o) => o.key));
  const regionRows = summariseRegions(wonByRegion.data ?? [], lostByRegion.data ?? [], directory.data ?? new Map<string, string>(), currency);
  const regionNames = useNames("region", regionRows.map((r) => r.key).filter(Boolean));
  const months = fillMonths(byGroup(byMonth.data ?? [], "close_date:month", currency));
  const shownMonths = new Set(months.map((m) => m.key));
  const wonRows = (byStage.data ?? []).filter((r) => won !== undefined && text(r.group.stage) === won);
  const note = (rows: AggregateRow[]) => <ExcludedNote items={excludedCurrencies(rows, currency)} />;

  const money = (n: number, compact = false) => formatMoney(n, currency, lang, { compact });
  const loading = byStage.isLoading || meta.isLoading;
  const listLink = (c: Condition) => `/o/${OBJECT}?filter=${encodeURIComponent(JSON.stringify(c))}`;

  const stageOrder = (stageField?.options ?? []).map((o) => o.value);
  const stageChart = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, left: "center" },
    grid: { left: 8, right: 8, top: 56, bottom: 0, containLabel: true },
    xAxis: { type: "category", data: stageOrder.map((v) => label(stageField?.options?.find((o) => o.value === v)?.label, v)), axisTick: { show: false } },
    yAxis: [
      { type: "value", name: t("dashboard.deals"), splitLine: { lineStyle: { type: "dashed" } } },
      ...(amountClear ? [{ type: "value", name: t("dashboard.amount"), axisLabel: { formatter: (v: number) => money(v, true) }, splitLine: { show: false } }] : []),
    ],
    series: [
      {
        name: t("dashboard.deals"),
        type: "bar",
        barMaxWidth: 42,
        itemStyle: { borderRadius: [6, 6, 0, 0] },
        data: stageOrder.map((v, i) => ({ value: stageOf(v)?.count ?? 0, itemStyle: { color: stageColor(optionColor(stageField!, v), i) } })),
      },
      amountClear && {
        name: t("dashboard.amount"),
        type: "bar",
        yAxisIndex: 1,
        barMaxWidth: 42,
        itemStyle: { color: "#c5d0f5", borderRadius: [6, 6, 0, 0] },
        label: { show: true, position: "top", color: "#4b5563", formatter: (p: { value: number }) => (p.value ? money(p.value, true) : "") },
        data: stageOrder.map((v) => stageOf(v)?.sum ?? 0),
        tooltip: { valueFormatter: (v: number) => money(v) },
      },
    ].filter(Boolean),
  };

  const winChart = {
    tooltip: { trigger: "item", valueFormatter: (v: number) => formatNumber(v, lang) },
    series: [
      {
        type: "pie",
        radius: ["64%", "84%"],
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        avoidLabelOverlap: true,
        label: { show: false },
        labelLine: { show: false },
        data: [
          { name: label(stageField?.options?.find((o) => o.value === won)?.label, won ?? "Won"), value: wonB?.count ?? 0, itemStyle: { color: "#12b886" } },
          { name: label(stageField?.options?.find((o) => o.value === lost)?.label, lost ?? "Lost"), value: lostB?.count ?? 0, itemStyle: { color: "#fa5252" } },
        ],
      },
    ],
  };

  const monthChart = {
    tooltip: { trigger: "axis", valueFormatter: (v: number) => (metric === "sum" ? money(v) : formatNumber(v, lang)) },
    legend: { top: 0, left: "center" },
    grid: { left: 8, right: 8, top: 40, bottom: 0, containLabel: true },
    xAxis: { type: "category", data: months.map((m) => formatMonth(m.key, lang)), axisTick: { show: false } },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => (metric === "sum" ? money(v, true) : formatNumber(v, lang)) }, splitLine: { lineStyle: { type: "dashed" } } },
    series: [
      {
        name: metric === "sum" ? t("dashboard.wonRevenue") : t("dashboard.wonDeals"),
        type: "bar",
        barMaxWidth: 36,
        itemStyle: { color: CHART_COLORS[0], borderRadius: [4, 4, 0, 0] },
        data: months.map((m) => (metric === "sum" ? m.sum : m.count)),
      },
      {
        name: t("dashboard.trend"),
        type: "line",
        smooth: true,
        showSymbol: false,
        lineStyle: { width: 2, color: "#f59f00" },
        itemStyle: { color: "#f59f00" },
        data: movingAverage(months.map((m) => (metric === "sum" ? m.sum : m.count)), 3),
      },
    ],
  };

  const ownerChart = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v: number) => fmt(v) },
    grid: { left: 8, right: 48, top: 8, bottom: 0, containLabel: true },
    xAxis: { type: "value", minInterval: amountClear ? undefined : 1, axisLabel: { formatter: (v: number) => fmt(v, true) }, splitLine: { lineStyle: { type: "dashed" } } },
    yAxis: { type: "category", inverse: true, data: owners.map((o) => ownerNames.data?.get(o.key) ?? "…"), axisTick: { show: false } },
    series: [{ type: "bar", barMaxWidth: 18, itemStyle: { color: CHART_COLORS[4], borderRadius: [0, 4, 4, 0] }, label: { show: true, position: "right", color: "#4b5563", formatter: (p: { value: number }) => fmt(p.value, true) }, data: owners.map(ownerValue) }],
  };

  const regionChart = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, left: "center" },
    grid: { left: 8, right: 8, top: 48, bottom: 0, containLabel: true },
    xAxis: { type: "category", data: regionRows.map((r) => (r.key ? regionNames.data?.get(r.key) ?? "…" : t("dashboard.noRegion"))), axisTick: { show: false } },
    yAxis: [
      { type: "value", minInterval: amountClear ? undefined : 1, axisLabel: { formatter: (v: number) => fmt(v, true) }, splitLine: { lineStyle: { type: "dashed" } } },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
    ],
    series: [
      { name: amountClear ? t("dashboard.wonRevenue") : t("dashboard.wonDeals"), type: "bar", barMaxWidth: 42, itemStyle: { color: CHART_COLORS[5], borderRadius: [6, 6, 0, 0] }, data: regionRows.map((r) => (amountClear ? r.wonSum : r.won)), tooltip: { valueFormatter: (v: number) => fmt(v) } },
      { name: t("dashboard.winRate"), type: "line", yAxisIndex: 1, symbolSize: 8, label: { show: true, position: "top", color: "#1f2937", fontWeight: 600, backgroundColor: "rgba(255,255,255,0.85)", padding: [2, 4], borderRadius: 3, formatter: "{c}%" }, itemStyle: { color: "#e64980" }, data: regionRows.map((r) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10)), tooltip: { valueFormatter: (v: number) => `${v}%` } },
    ],
  };

  return (
    <div className="rl-dashboard">
      <div className="rl-page-header">
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("dashboard.title")}
          </Typography.Title>
          <div className="rl-muted" data-testid="dashboard-subtitle">{me.data?.isAdmin === false ? t("dashboard.subtitleScoped") : t("dashboard.subtitle")}</div>
        </div>
        <Link to="/pipeline">
          {t("dashboard.openPipeline")} <ArrowRightOutlined />
        </Link>
      </div>
      {!amountClear && !meta.isLoading && <Alert type="info" showIcon message={t("dashboard.amountsHidden")} style={{ marginBottom: 16 }} data-testid="amounts-hidden" />}
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          {amountClear ? (
            <Kpi testId="kpi-won" color="#12b886" icon={<TrophyOutlined />} title={t("dashboard.wonRevenue")} value={loading ? "…" : money(wonB?.sum ?? 0, true)} hint={<>{t("dashboard.dealsCount", { count: wonB?.count ?? 0, formatted: formatNumber(wonB?.count ?? 0, lang) })}{note(wonRows)}</>} />
          ) : (
            <Kpi testId="kpi-won" color="#12b886" icon={<TrophyOutlined />} title={t("dashboard.wonDeals")} value={loading ? "…" : formatNumber(wonB?.count ?? 0, lang)} hint={t("dashboard.amountsHiddenShort")} />
          )}
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Kpi testId="kpi-winrate" color="#1f4fe0" icon={<RiseOutlined />} title={t("dashboard.winRate")} value={loading ? "…" : rate === null ? "—" : formatPercent(rate, lang)} hint={t("dashboard.winRateHint")} />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Kpi testId="kpi-open" color="#f59f00" icon={<FundOutlined />} title={t("dashboard.openDeals")} value={loading ? "…" : formatNumber(openCount, lang)} hint={open.map((v) => label(stageField?.options?.find((o) => o.value === v)?.label, v)).join(" · ")} />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          {amountClear ? (
            <Kpi testId="kpi-avg" color="#7048e8" icon={<DollarOutlined />} title={t("dashboard.avgDeal")} value={loading ? "…" : wonB && wonB.moneyCount > 0 ? money(wonB.sum / wonB.moneyCount) : "—"} hint={<>{t("dashboard.avgDealHint")}{note(wonRows)}</>} />
          ) : (
            <Kpi testId="kpi-lost" color="#fa5252" icon={<CloseCircleOutlined />} title={t("dashboard.lostDeals")} value={loading ? "…" : formatNumber(lostB?.count ?? 0, lang)} hint={t("dashboard.amountsHiddenShort")} />
          )}
        </Col>

        <Col xs={24} xl={16}>
          <Card variant="borderless" title={t("dashboard.pipelineByStage")} className="rl-chart-card">
            {loading ? <Skeleton active /> : stages.length === 0 ? <Empty /> : (
              <Chart option={stageChart} onClick={(p) => p.dataIndex !== undefined && stageOrder[p.dataIndex] && void navigate(listLink({ field: "stage", op: "eq", value: stageOrder[p.dataIndex] }))} />
            )}
            {note(byStage.data ?? [])}
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card variant="borderless" title={t("dashboard.winRate")} className="rl-chart-card">
            {loading ? <Skeleton active /> : (
              <div className="rl-donut">
                <Chart option={winChart} height={260} />
                <div className="rl-donut-center">
                  <div className="rl-donut-value" data-testid="win-rate-center">{rate === null ? "—" : formatPercent(rate, lang)}</div>
                  <div className="rl-muted">
                    {formatNumber(wonB?.count ?? 0, lang)} / {formatNumber((wonB?.count ?? 0) + (lostB?.count ?? 0), lang)}
                  </div>
                </div>
              </div>
            )}
            <div className="rl-muted" style={{ textAlign: "center" }}>{t("dashboard.winRateFormula")}</div>
          </Card>
        </Col>

        <Col span={24}>
          <Card
            variant="borderless"
            title={amountClear ? t("dashboard.wonByMonth") : t("dashboard.wonDealsByMonth")}
            className="rl-chart-card"
            extra={
              amountClear && <Segmented
                size="small"
                value={metric}
                onChange={(v) => setMetric(v as "sum" | "count")}
                options={[
                  { value: "sum", label: t("dashboard.amount") },
                  { value: "count", label: t("dashboard.deals") },
                ]}
              />
            }
          >
            {byMonth.isLoading ? <Skeleton active /> : months.length === 0 ? <Empty /> : <Chart option={monthChart} height={280} />}
            {metric === "sum" && note((byMonth.data ?? []).filter((r) => shownMonths.has(text(r.group["close_date:month"]))))}
          </Card>
        </Col>

        <Col xs={24} xl={12}>
          <Card variant="borderless" title={amountClear ? t("dashboard.topAgents", { n: TOP_N }) : t("dashboard.topAgentsByDeals", { n: TOP_N })} className="rl-chart-card">
            {byOwner.isLoading ? <Skeleton active /> : owners.length === 0 ? <Empty /> : (
              <Chart option={ownerChart} height={340} onClick={(p) => p.dataIndex !== undefined && owners[p.dataIndex] && won && void navigate(listLink({ all: [{ field: "stage", op: "eq", value: won }, { field: "owner", op: "eq", value: owners[p.dataIndex]!.key }] }))} />
            )}
            {note(byOwner.data ?? [])}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card variant="borderless" title={amountClear ? t("dashboard.byRegion") : t("dashboard.byRegionDeals")} className="rl-chart-card">
            {wonByRegion.isLoading || directory.isLoading ? <Skeleton active /> : regionRows.length === 0 ? <Empty /> : <Chart option={regionChart} height={340} />}
            {note(wonByRegion.data ?? [])}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

/** "Excludes 1 deal in CNY (¥120,000)": what a money figure in the reporting currency leaves out. */
function ExcludedNote({ items }: { items: CurrencySum[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (items.length === 0) return null;
  return (
    <div className="rl-muted rl-excluded-note" data-testid="excluded-note" style={{ fontSize: 12, marginTop: 4 }}>
      {items.map((x) => t("dashboard.excludes", { count: x.count, formatted: formatNumber(x.count, lang), currency: currencyName(x.currency, lang), amount: noteAmount(x.sum, x.currency, lang) })).join(lang.startsWith("zh") ? "；" : "; ")}
    </div>
  );
}

/** The note names the currency, so the short symbol ("¥120,000", not "CN¥120,000.00") reads unambiguously. */
function noteAmount(sum: number, currency: string, lang: string): string {
  try {
    return new Intl.NumberFormat(lang.startsWith("zh") ? "zh-CN" : "en-US", { style: "currency", currency, currencyDisplay: "narrowSymbol", maximumFractionDigits: Number.isInteger(sum) ? 0 : 2 }).format(sum);
  } catch {
    return formatMoney(sum, currency, lang);
  }
}

function currencyName(code: string, lang: string): string {
  if (!lang.startsWith("zh")) return code;
  try {
    return new Intl.DisplayNames(["zh-CN"], { type: "currency" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function movingAverage(values: number[], n: number): (number | null)[] {
  return values.map((_, i) => {
    if (i < n - 1) return null;
    const slice = values.slice(i - n + 1, i + 1);
    return Math.round(slice.reduce((a, b) => a + b, 0) / n);
  });
}

/** ECharts wants CSS colours; Ant Design preset names map to their hex here. */
function stageColor(preset: string, i: number): string {
  const map: Record<string, string> = { blue: "#1f4fe0", gold: "#f59f00", green: "#12b886", red: "#fa5252", purple: "#7048e8", cyan: "#15aabf", magenta: "#e64980", orange: "#fd7e14", geekblue: "#3b5bdb", lime: "#82c91e", volcano: "#f76707" };
  return preset.startsWith("#") ? preset : map[preset] ?? CHART_COLORS[i % CHART_COLORS.length]!;
}
