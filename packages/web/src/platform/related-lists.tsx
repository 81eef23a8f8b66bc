/** Records of other objects whose relation fields point at this record (an account's contacts, opportunities...). */
import { PlusOutlined } from "@ant-design/icons";
import type { FieldDef, ObjectDef } from "@revline/core";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Empty, Space, Table } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { aggregate, listRecords, type RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { FieldValue } from "./field-value";
import { formatNumber, text } from "./format";
import { businessFields, relatedListsOf, useMeta } from "./metadata";
import { ObjectIcon } from "./object-icon";

const LIMIT = 5;

export function RelatedLists({ object, record }: { object: ObjectDef; record: RecordData }) {
  const { objects } = useMeta();
  const lists = relatedListsOf(objects, object.name);
  if (lists.length === 0) return null;
  return (
    <>
      {lists.map(({ object: o, field }) => (
        <RelatedList key={`${o.name}.${field.name}`} object={o} via={field} parentId={record.id} />
      ))}
    </>
  );
}

/** Two telling columns of the related object (status, money, then a date or email), not the field pointing back. */
function summaryFields(o: ObjectDef, via: FieldDef): FieldDef[] {
  const fs = businessFields(o).filter((f) => f.name !== via.name && f.name !== o.nameField);
  const out: FieldDef[] = [];
  for (const type of ["picklist", "currency", "date", "email", "phone"]) {
    const f = fs.find((x) => x.type === type);
    if (f && out.length < 2) out.push(f);
  }
  return out;
}

function RelatedList({ object, via, parentId }: { object: ObjectDef; via: FieldDef; parentId: string }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const filter = { field: via.name, op: "eq" as const, value: parentId };
  const cols = summaryFields(object, via);
  const q = useQuery({
    queryKey: ["records", object.name, "related", via.name, parentId],
    queryFn: () => listRecords(object.name, { filter, limit: LIMIT, sort: "-updated_at", fields: ["id", object.nameField, ...cols.map((c) => c.name)] }),
  });
  const count = useQuery({
    queryKey: ["records", object.name, "count", filter],
    queryFn: () => aggregate(object.name, { filter, metrics: [{ fn: "count" }] }),
    select: (rows) => Number(rows[0]?.values.count ?? 0),
  });
  const columns: ColumnsType<RecordData> = [
    {
      key: "name",
      title: label(businessFields(object).find((f) => f.name === object.nameField)?.label, object.nameField),
      render: (_: unknown, r: RecordData) => <Link to={`/o/${object.name}/${r.id}`}>{text(r[object.nameField]) || "—"}</Link>,
      ellipsis: true,
    },
    ...cols.map((f) => ({
      key: f.name,
      title: label(f.label, f.name),
      align: f.type === "currency" ? ("right" as const) : ("left" as const),
      render: (_: unknown, r: RecordData) => <FieldValue field={f} record={r} />,
      ellipsis: true,
    })),
  ];
  // Name the field only where it is ambiguous (a user is both a team's manager and a member's manager).
  const ambiguous =
    object.name === via.relation?.object || businessFields(object).filter((f) => f.type === "relation" && f.relation?.object === via.relation?.object).length > 1;
  const viaSuffix = ambiguous ? ` · ${label(via.label, via.name)}` : "";
  const total = count.data ?? 0;
  return (
    <Card
      className={total > 0 ? "rl-section" : "rl-section rl-section-empty"}
      variant="borderless"
      size="small"
      data-testid={`related-${object.name}-${via.name}`}
      title={
        <Space>
          <ObjectIcon object={object} />
          <span>
            {label(object.labelPlural, object.name)}
            {viaSuffix}
          </span>
          <span className="rl-count-pill">{count.data === undefined ? "…" : formatNumber(total, i18n.language)}</span>
        </Space>
      }
      extra={
        <Space size={4}>
          {/* Only where the user may create the related record (metadata carries their permissions). */}
          {object.permissions?.create !== false && (
            <Button size="small" type="text" icon={<PlusOutlined />} onClick={() => void navigate(`/o/${object.name}/new?${via.name}=${parentId}`)}>
              {t("common.new")}
            </Button>
          )}
          {total > LIMIT && (
            <Link to={`/o/${object.name}?filter=${encodeURIComponent(JSON.stringify(filter))}`}>{t("record.viewAll")}</Link>
          )}
        </Space>
      }
    >
      {total > 0 && (
        <Table<RecordData>
          size="small"
          rowKey="id"
          columns={columns}
          dataSource={q.data?.records ?? []}
          loading={q.isLoading}
          pagination={false}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("record.noRelated")} /> }}
        />
      )}
    </Card>
  );
}
