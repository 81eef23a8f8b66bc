/** Read-only rendering of one field value: tables, record details and cards share it. */
import type { FieldDef, PicklistOption } from "@revline/core";
import { Tag, Typography } from "antd";
import { CheckCircleFilled, MinusCircleOutlined } from "@ant-design/icons";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import type { RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { formatDate, formatDateTime, formatMoney, formatNumber, groupsDigits, isCurrencyValue, text } from "./format";
import { useMeta } from "./metadata";

const PALETTE = ["blue", "gold", "green", "red", "purple", "cyan", "magenta", "orange", "geekblue", "lime", "volcano"];

export function optionColor(field: FieldDef, value: string): string {
  const options = field.options ?? [];
  const i = options.findIndex((o) => o.value === value);
  const opt = options[i];
  if (opt?.color) return opt.color;
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length] ?? "default";
}

export function useOptionLabel(): (field: FieldDef, value: string) => string {
  const label = useLabel();
  return (field, value) => {
    const opt: PicklistOption | undefined = field.options?.find((o) => o.value === value);
    return opt ? label(opt.label, value) : value;
  };
}

/** The display name of a related record that came back under `_related`. */
export function useRelatedName(): (field: FieldDef, record: RecordData) => string | undefined {
  const { lookup } = useMeta();
  return (field, record) => {
    const rel = record._related?.[field.name];
    if (!rel || !field.relation) return undefined;
    const target = lookup(field.relation.object);
    const v = rel[target?.nameField ?? "name"];
    return v === null || v === undefined ? undefined : text(v);
  };
}

const Empty = () => <span className="rl-empty-value">—</span>;

export function FieldValue({ field, record, value }: { field: FieldDef; record?: RecordData; value?: unknown }) {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const optionLabel = useOptionLabel();
  const relatedName = useRelatedName();
  const v = value !== undefined ? value : record?.[field.name];
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) return <Empty />;
  // The server sends masked values as text (张**, 138****5678, "10K-50K"): shown as they are.
  if (field.access === "masked" && value === undefined) return <span className="rl-masked">{typeof v === "string" ? v : JSON.stringify(v)}</span>;

  switch (field.type) {
    case "currency":
      return (
        <span className="rl-num">
          {isCurrencyValue(v) ? formatMoney(v.amount, v.currency, lang) : formatMoney(text(v), field.currency ?? "USD", lang)}
        </span>
      );
    case "integer":
    case "decimal":
      return <span className="rl-num">{formatNumber(v as number, lang, 8, groupsDigits(field))}</span>;
    case "percent":
      return <span className="rl-num">{formatNumber(v as number, lang)}%</span>;
    case "date":
      return <span>{formatDate(text(v), lang)}</span>;
    case "datetime":
      return <span>{formatDateTime(text(v), lang)}</span>;
    case "boolean":
      return v ? <CheckCircleFilled style={{ color: "#2f9e44" }} /> : <MinusCircleOutlined style={{ color: "#adb5bd" }} />;
    case "picklist":
      return (
        <Tag color={optionColor(field, text(v))} variant="filled" style={{ marginInlineEnd: 0 }}>
          {optionLabel(field, text(v))}
        </Tag>
      );
    case "multi_picklist":
      return (
        <span>
          {(v as unknown[]).map(text).map((x) => (
            <Tag key={x} color={optionColor(field, x)} variant="filled">
              {optionLabel(field, x)}
            </Tag>
          ))}
        </span>
      );
    case "email":
      return <a href={`mailto:${text(v)}`} onClick={(e) => e.stopPropagation()}>{text(v)}</a>;
    case "url": {
      const href = /^https?:\/\//i.test(text(v)) ? text(v) : `https://${text(v)}`;
      return (
        <a href={href} target="_blank" rel="noreferrer noopener" onClick={(e) => e.stopPropagation()}>
          {text(v)}
        </a>
      );
    }
    case "relation": {
      const name = record ? relatedName(field, record) : undefined;
      const target = field.relation?.object;
      if (!target) return <span>{text(v)}</span>;
      return (
        <Link to={`/o/${target}/${text(v)}`} onClick={(e) => e.stopPropagation()}>
          {name ?? <Typography.Text type="secondary" code>{text(v).slice(0, 8)}</Typography.Text>}
        </Link>
      );
    }
    case "long_text":
      return <span style={{ whiteSpace: "pre-wrap" }}>{text(v)}</span>;
    default:
      return <span>{text(v)}</span>;
  }
}
