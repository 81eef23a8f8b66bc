/**
 * Value editors of the condition builder, one per field type and operator shape. They emit values
 * in the condition language's form (numbers or decimal strings, "YYYY-MM-DD", ISO date-times,
 * arrays for lists, [from, to] for between, {amount, unit} for relative dates, {$actor} variables).
 */
import type { FieldDef, Operator } from "@revline/core";
import { DatePicker, Input, InputNumber, Select, Space } from "antd";
import dayjs from "dayjs";
import type { ValueEditorProps } from "react-querybuilder";
import { LIST_OPERATORS, NO_VALUE_OPERATORS } from "./condition-query";

export type BuilderLocale = "en" | "zh-CN";
type Change = (v: unknown) => void;
const t = (locale: BuilderLocale, en: string, zh: string) => (locale === "zh-CN" ? zh : en);

const UNITS = [
  ["day", "days", "天"], ["week", "weeks", "周"], ["month", "months", "个月"], ["quarter", "quarters", "个季度"], ["year", "years", "年"],
] as const;

const ACTOR_CHOICES = [
  ["id", "Me", "我"], ["team", "My team", "我的团队"], ["teams", "My teams (with sub-teams)", "我的团队（含下级）"], ["region", "My region", "我的区域"],
] as const;

function optionsOf(field: FieldDef, locale: BuilderLocale) {
  return (field.options ?? []).map((o) => ({ value: o.value, label: locale === "zh-CN" ? o.label.zh : o.label.en }));
}

const isNumeric = (f: FieldDef) => ["integer", "decimal", "percent", "currency"].includes(f.type);

function Scalar({ field, value, onChange, locale }: { field: FieldDef; value: unknown; onChange: Change; locale: BuilderLocale }) {
  const style = { minWidth: 160 };
  switch (field.type) {
    case "picklist":
      return <Select style={style} value={(value as string) ?? undefined} options={optionsOf(field, locale)} onChange={onChange} placeholder={t(locale, "Choose", "请选择")} />;
    case "boolean":
      return (
        <Select style={style} value={typeof value === "boolean" ? String(value) : undefined} onChange={(v) => onChange(v === "true")}
          options={[{ value: "true", label: t(locale, "Yes", "是") }, { value: "false", label: t(locale, "No", "否") }]} />
      );
    case "integer":
      return <InputNumber style={style} precision={0} value={typeof value === "number" ? value : null} onChange={(v) => onChange(v ?? null)} />;
    case "decimal": case "percent": case "currency":
      // stringMode keeps decimals exact; the condition language accepts decimal strings.
      return <InputNumber<string> style={style} stringMode value={typeof value === "number" || typeof value === "string" ? String(value) : null} onChange={(v) => onChange(v ?? null)} addonAfter={field.type === "percent" ? "%" : field.type === "currency" ? field.currency ?? "USD" : undefined} />;
    case "date":
      return <DatePicker style={style} value={typeof value === "string" && value ? dayjs(value) : null} onChange={(d) => onChange(d ? d.format("YYYY-MM-DD") : null)} />;
    case "datetime":
      return <DatePicker style={style} showTime value={typeof value === "string" && value ? dayjs(value) : null} onChange={(d) => onChange(d ? d.toISOString() : null)} />;
    case "relation":
      return <RelationValue value={value} onChange={onChange} locale={locale} />;
    default:
      return <Input style={style} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** A record id, or "me / my team / my region" as an $actor variable (what row rules need). */
function RelationValue({ value, onChange, locale }: { value: unknown; onChange: Change; locale: BuilderLocale }) {
  const actor = value && typeof value === "object" && "$actor" in value ? (value as { $actor: string }).$actor : undefined;
  return (
    <Space.Compact>
      <Select style={{ width: 170 }} value={actor ?? "__id"} onChange={(v) => onChange(v === "__id" ? "" : { $actor: v })}
        options={[{ value: "__id", label: t(locale, "Record id", "记录 ID") }, ...ACTOR_CHOICES.map(([v, en, zh]) => ({ value: v, label: t(locale, en, zh) }))]} />
      {actor === undefined && <Input style={{ width: 220 }} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />}
    </Space.Compact>
  );
}

function List({ field, value, onChange, locale }: { field: FieldDef; value: unknown; onChange: Change; locale: BuilderLocale }) {
  const list = Array.isArray(value) ? value.map(String) : [];
  const hasOptions = field.type === "picklist" || field.type === "multi_picklist";
  return (
    <Select style={{ minWidth: 240 }} mode={hasOptions ? "multiple" : "tags"} value={list} options={hasOptions ? optionsOf(field, locale) : []} tokenSeparators={[","]}
      placeholder={hasOptions ? t(locale, "Choose", "请选择") : t(locale, "Type and press Enter", "输入后回车")}
      onChange={(vs: string[]) => onChange(field.type === "integer" ? vs.map(Number).filter(Number.isFinite) : vs)} />
  );
}

function Relative({ value, onChange, locale }: { value: unknown; onChange: Change; locale: BuilderLocale }) {
  const v = (value && typeof value === "object" ? value : {}) as { amount?: number; unit?: string };
  const unit = v.unit ?? "day";
  return (
    <Space.Compact>
      <InputNumber min={0} max={10000} precision={0} value={v.amount ?? null} onChange={(a) => onChange({ amount: a ?? undefined, unit })} />
      <Select style={{ width: 110 }} value={unit} onChange={(u) => onChange({ amount: v.amount, unit: u })} options={UNITS.map(([u, en, zh]) => ({ value: u, label: t(locale, en, zh) }))} />
    </Space.Compact>
  );
}

export function ConditionValueEditor(props: ValueEditorProps) {
  const field = (props.fieldData as { fieldDef?: FieldDef }).fieldDef;
  const locale: BuilderLocale = (props.context as { locale?: BuilderLocale } | undefined)?.locale ?? "en";
  const op = props.operator as Operator;
  const value: unknown = props.value;
  const onChange: Change = (v) => props.handleOnChange(v);
  if (!field || NO_VALUE_OPERATORS.includes(op)) return null;
  if (op === "in_last" || op === "in_next") return <Relative value={value} onChange={onChange} locale={locale} />;
  if (LIST_OPERATORS.includes(op)) return <List field={field} value={value} onChange={onChange} locale={locale} />;
  if (op === "between") {
    const [from, to] = Array.isArray(value) ? (value as unknown[]) : [null, null];
    return (
      <Space>
        <Scalar field={field} value={from} onChange={(v) => onChange([v, to ?? null])} locale={locale} />
        <span>{t(locale, "and", "至")}</span>
        <Scalar field={field} value={to} onChange={(v) => onChange([from ?? null, v])} locale={locale} />
      </Space>
    );
  }
  if (isNumeric(field) || field.type !== "text" || !["contains", "not_contains", "starts_with", "ends_with"].includes(op)) return <Scalar field={field} value={value} onChange={onChange} locale={locale} />;
  return <Input style={{ minWidth: 160 }} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />;
}
