/** Table columns for a metadata-driven list, and the column chooser. */
import { SettingOutlined } from "@ant-design/icons";
import type { FieldDef, ObjectDef } from "@revline/core";
import { Button, Checkbox, Divider, Popover, Space } from "antd";
import type { ColumnsType, SortOrder } from "antd/es/table/interface";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { FieldValue } from "./field-value";
import { text } from "./format";
import { everyField, fieldOf } from "./metadata";
import type { SortItem } from "./sort-param";

export function columnWidth(f: FieldDef, isName: boolean): number {
  if (isName) return 260;
  switch (f.type) {
    case "boolean":
      return 100;
    case "integer":
    case "percent":
    case "decimal":
      return 120;
    case "date":
      return 140;
    case "datetime":
      return 190;
    case "currency":
      return 160;
    case "picklist":
      return 150;
    case "email":
    case "url":
      return 230;
    case "relation":
      return 210;
    case "long_text":
      return 300;
    default:
      return 180;
  }
}

export function isSortable(f: FieldDef): boolean {
  return f.type !== "long_text" && f.type !== "multi_picklist" && f.type !== "relation" && f.access !== "masked";
}

export function useListColumns(object: ObjectDef, columns: string[], sort: SortItem[]): ColumnsType<RecordData> {
  const label = useLabel();
  const out: ColumnsType<RecordData> = [];
  columns.forEach((name, i) => {
    const f = fieldOf(object, name);
    if (!f) return;
    const isName = name === object.nameField;
    const s = sort.find((x) => x.field === name);
    const order: SortOrder = s ? (s.desc ? "descend" : "ascend") : null;
    const numeric = ["currency", "integer", "decimal", "percent"].includes(f.type);
    out.push({
      key: name,
      dataIndex: name,
      title: label(f.label, name),
      width: columnWidth(f, isName),
      fixed: isName && i === 0 ? "left" : undefined,
      align: numeric ? "right" : "left",
      ellipsis: true,
      sorter: isSortable(f) ? { multiple: 1 } : undefined,
      sortOrder: order,
      showSorterTooltip: false,
      render: (_: unknown, record: RecordData) =>
        isName ? (
          <Link to={`/o/${object.name}/${record.id}`} className="rl-name-link">
            {text(record[name]) || "—"}
          </Link>
        ) : (
          <FieldValue field={f} record={record} />
        ),
    });
  });
  return out;
}

export function ColumnChooser({
  object,
  value,
  onChange,
  onReset,
}: {
  object: ObjectDef;
  value: string[];
  onChange: (v: string[]) => void;
  onReset: () => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const fields = everyField(object).filter((f) => f.name !== "id" && f.name !== "deleted_at");
  const business = fields.filter((f) => !f.isSystem);
  const system = fields.filter((f) => f.isSystem);
  const toggle = (name: string, on: boolean) => {
    if (name === object.nameField) return;
    const next = on ? [...value, name] : value.filter((x) => x !== name);
    // Keep metadata order so columns don't jump around as the user ticks them.
    const order = fields.map((f) => f.name);
    onChange(next.sort((a, b) => (a === object.nameField ? -1 : b === object.nameField ? 1 : order.indexOf(a) - order.indexOf(b))));
  };
  const list = (fs: FieldDef[]) => (
    <Space orientation="vertical" size={4}>
      {fs.map((f) => (
        <Checkbox
          key={f.name}
          checked={value.includes(f.name)}
          disabled={f.name === object.nameField}
          onChange={(e) => toggle(f.name, e.target.checked)}
        >
          {label(f.label, f.name)}
        </Checkbox>
      ))}
    </Space>
  );
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t("list.chooseColumns")}
      content={
        <div className="rl-column-chooser">
          {list(business)}
          <Divider style={{ margin: "8px 0" }} titlePlacement="start" plain>
            {t("list.systemFields")}
          </Divider>
          {list(system)}
          <Divider style={{ margin: "8px 0" }} />
          <Button size="small" onClick={onReset}>
            {t("list.resetColumns")}
          </Button>
        </div>
      }
    >
      <Button icon={<SettingOutlined />} data-testid="column-chooser">
        {t("list.columns")}
      </Button>
    </Popover>
  );
}
