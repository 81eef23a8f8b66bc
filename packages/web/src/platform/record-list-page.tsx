/** Metadata-driven list of any object: filter builder, quick search, multi-sort, columns, keyset paging. */
import { CloseOutlined, DownloadOutlined, FilterOutlined, PlusOutlined, SearchOutlined } from "@ant-design/icons";
import type { Condition, ObjectDef } from "@revline/core";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Badge, Button, Dropdown, Empty, Input, Result, Skeleton, Table, Tag, Typography } from "antd";
import type { SorterResult } from "antd/es/table/interface";
import { useMemo, useState, type UIEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { aggregate, andConditions, listRecords, type RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { ConditionBuilder } from "./condition-builder";
import { useExportFlow } from "./export-dialog";
import { formatNumber } from "./format";
import { ColumnChooser, useListColumns } from "./list-columns";
import { formatSort, parseSort, type SortItem } from "./sort-param";
import { defaultColumns, fieldOf, useMeta } from "./metadata";
import { NotFoundPage } from "./not-found-page";
import { ObjectIcon } from "./object-icon";
import { useElementHeight, useStoredState } from "./use-stored-state";

const PAGE_SIZE = 100;

export function RecordListPage() {
  const { object: objectName = "" } = useParams();
  const meta = useMeta();
  const object = meta.lookup(objectName);
  if (meta.isLoading) return <Skeleton active style={{ padding: 24 }} />;
  if (!object) return <NotFoundPage />;
  return <RecordList key={object.name} object={object} />;
}

function parseFilter(raw: string | null): Condition | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Condition;
  } catch {
    return undefined;
  }
}

function countLeaves(c: Condition | undefined): number {
  if (!c) return 0;
  if ("all" in c) return c.all.reduce((n, x) => n + countLeaves(x), 0);
  if ("any" in c) return c.any.reduce((n, x) => n + countLeaves(x), 0);
  if ("not" in c) return countLeaves(c.not);
  return 1;
}

function RecordList({ object }: { object: ObjectDef }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const meta = useMeta();
  const [params, setParams] = useSearchParams();
  const filter = parseFilter(params.get("filter"));
  const search = params.get("q") ?? "";
  // A masked field cannot be sorted on or searched (the server refuses it): such a sort is dropped.
  const sort = parseSort(params.get("sort")).filter((s) => fieldOf(object, s.field)?.access !== "masked");
  const canSearch = fieldOf(object, object.nameField)?.access !== "masked";
  const [searchText, setSearchText] = useState(search);
  const [showFilter, setShowFilter] = useState(() => !!filter);
  const [draft, setDraft] = useState<Condition | undefined>(filter);
  const [storedColumns, setColumns] = useStoredState<string[]>(`revline.columns.${object.name}`, () => defaultColumns(object));
  const columns = storedColumns.filter((c) => fieldOf(object, c));
  const [tableBox, tableHeight] = useElementHeight<HTMLDivElement>();

  const update = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };

  const searchCondition: Condition | undefined = search && canSearch ? { field: object.nameField, op: "contains", value: search } : undefined;
  const effective = andConditions(filter, searchCondition);
  const include = columns.filter((c) => fieldOf(object, c)?.type === "relation");
  const fields = Array.from(new Set(["id", "version", object.nameField, ...columns]));
  const sortParam = formatSort(sort);

  const list = useInfiniteQuery({
    queryKey: ["records", object.name, "list", { effective, sortParam, fields, include }],
    queryFn: ({ pageParam, signal }) =>
      listRecords(object.name, { filter: effective, sort: sortParam, limit: PAGE_SIZE, cursor: pageParam, fields, include }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const count = useQuery({
    queryKey: ["records", object.name, "count", effective ?? null],
    queryFn: () => aggregate(object.name, { filter: effective, metrics: [{ fn: "count" }] }),
    select: (rows) => Number(rows[0]?.values.count ?? 0),
  });

  const rows: RecordData[] = useMemo(() => list.data?.pages.flatMap((p) => p.records) ?? [], [list.data]);
  const tableColumns = useListColumns(object, columns, sort);
  const scrollX = tableColumns.reduce((n, c) => n + Number(c.width ?? 160), 0);

  const onScroll = (e: UIEvent<HTMLElement>) => {
    const el = e.currentTarget;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 600 && list.hasNextPage && !list.isFetchingNextPage) {
      void list.fetchNextPage();
    }
  };

  const onTableChange = (sorter: SorterResult<RecordData> | SorterResult<RecordData>[]) => {
    const active = (Array.isArray(sorter) ? sorter : [sorter]).filter((s) => s.order && s.columnKey);
    // Keep the order in which the user added sort keys: earlier keys stay primary.
    const next: SortItem[] = [];
    for (const s of sort) {
      const a = active.find((x) => x.columnKey === s.field);
      if (a) next.push({ field: s.field, desc: a.order === "descend" });
    }
    for (const a of active) {
      const key = String(a.columnKey);
      if (!next.some((x) => x.field === key)) next.push({ field: key, desc: a.order === "descend" });
    }
    update({ sort: formatSort(next) || null });
  };

  const applyFilter = (c: Condition | undefined) => update({ filter: c && countLeaves(c) > 0 ? JSON.stringify(c) : null });
  const filterCount = countLeaves(filter);
  const plural = label(object.labelPlural, object.name);
  // Small exports download at once; large ones (or masked fields in clear) become an approval request.
  const exportFlow = useExportFlow();
  const download = (format: "xlsx" | "csv") =>
    exportFlow.start({
      object: object.name,
      format,
      header: "label",
      locale: i18n.language === "zh-CN" ? "zh-CN" : "en",
      ...(effective ? { filter: effective } : {}),
      ...(sortParam ? { sort: sortParam } : {}),
      fields: columns,
    });

  return (
    <div className="rl-list-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <span className="rl-page-icon">
            <ObjectIcon object={object} />
          </span>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {plural}
          </Typography.Title>
          <span className="rl-count" data-testid="row-count">
            {count.data !== undefined ? t("list.count", { count: count.data, formatted: formatNumber(count.data, i18n.language) }) : ""}
          </span>
        </div>
        <div className="rl-page-actions">
          {object.permissions?.export !== false && (
          <Dropdown
            menu={{
              items: [
                { key: "xlsx", label: t("list.exportXlsx") },
                { key: "csv", label: t("list.exportCsv") },
              ],
              onClick: (e) => download(e.key as "xlsx" | "csv"),
            }}
          >
            <Button icon={<DownloadOutlined />} loading={exportFlow.isBusy} data-testid="export">
              {t("list.export")}
            </Button>
          </Dropdown>
          )}
          {exportFlow.dialog}
          {object.permissions?.create !== false && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate(`/o/${object.name}/new`)} data-testid="new-record">
              {t("list.new", { object: label(object.label, object.name) })}
            </Button>
          )}
        </div>
      </div>

      <div className="rl-toolbar">
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t("list.searchPlaceholder", { field: label(fieldOf(object, object.nameField)?.label, object.nameField) })}
          value={searchText}
          onChange={(e) => {
            setSearchText(e.target.value);
            if (!e.target.value) update({ q: null });
          }}
          onPressEnter={() => update({ q: searchText.trim() || null })}
          style={{ width: 300 }}
          disabled={!canSearch}
          data-testid="quick-search"
        />
        <Badge count={filterCount} size="small" color="#1f4fe0">
          <Button icon={<FilterOutlined />} type={showFilter ? "primary" : "default"} ghost={showFilter} onClick={() => setShowFilter(!showFilter)} data-testid="toggle-filter">
            {t("list.filter")}
          </Button>
        </Badge>
        {sort.length > 0 && (
          <span className="rl-sort-chips">
            <span className="rl-muted">{t("list.sortedBy")}</span>
            {sort.map((s) => (
              <Tag
                key={s.field}
                closable
                onClose={() => update({ sort: formatSort(sort.filter((x) => x.field !== s.field)) || null })}
              >
                {label(fieldOf(object, s.field)?.label, s.field)} {s.desc ? "↓" : "↑"}
              </Tag>
            ))}
          </span>
        )}
        <div style={{ flex: 1 }} />
        <ColumnChooser object={object} value={columns} onChange={setColumns} onReset={() => setColumns(null)} />
      </div>

      {showFilter && (
        <div className="rl-filter-panel" data-testid="filter-panel">
          <ConditionBuilder object={object} meta={meta.lookup} value={draft} onChange={setDraft} locale={i18n.language === "zh-CN" ? "zh-CN" : "en"} />
          <div className="rl-filter-actions">
            <Button
              icon={<CloseOutlined />}
              onClick={() => {
                setDraft(undefined);
                applyFilter(undefined);
              }}
            >
              {t("list.clearFilter")}
            </Button>
            <Button type="primary" onClick={() => applyFilter(draft)} data-testid="apply-filter">
              {t("list.applyFilter")}
            </Button>
          </div>
        </div>
      )}

      <div className="rl-table-box" ref={tableBox}>
        {list.error ? (
          <Result status="warning" title={t("list.loadFailed")} subTitle={list.error.message} extra={<Button onClick={() => void list.refetch()}>{t("common.retry")}</Button>} />
        ) : (
          <Table<RecordData>
            virtual
            size="middle"
            rowKey="id"
            columns={tableColumns}
            dataSource={rows}
            loading={list.isLoading}
            pagination={false}
            scroll={{ x: scrollX, y: Math.max(200, tableHeight - 56) }}
            onScroll={onScroll}
            onChange={(_p, _f, sorter) => onTableChange(sorter)}
            onRow={(r) => ({ onClick: () => void navigate(`/o/${object.name}/${r.id}`), className: "rl-clickable-row" })}
            locale={{
              emptyText: list.isLoading ? " " : (
                <Empty description={effective ? t("list.noMatch") : t("list.empty", { object: plural })}>
                  {effective ? (
                    <Button onClick={() => update({ filter: null, q: null })}>{t("list.clearFilter")}</Button>
                  ) : object.permissions?.create !== false ? (
                    <Button type="primary" onClick={() => void navigate(`/o/${object.name}/new`)}>
                      {t("list.new", { object: label(object.label, object.name) })}
                    </Button>
                  ) : null}
                </Empty>
              ),
            }}
            data-testid="record-table"
          />
        )}
      </div>
      <div className="rl-list-footer">
        <span className="rl-muted" data-testid="loaded-count">
          {t("list.loaded", { loaded: formatNumber(rows.length, i18n.language), total: count.data !== undefined ? formatNumber(count.data, i18n.language) : "…" })}
        </span>
        {list.hasNextPage && (
          <Button size="small" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} data-testid="load-more">
            {t("list.loadMore")}
          </Button>
        )}
      </div>
    </div>
  );
}
