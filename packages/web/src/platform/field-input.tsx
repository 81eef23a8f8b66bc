/** Form inputs per field type. Every input takes and emits the API value form, so forms hold API values. */
import type { FieldDef } from "@revline/core";
import { useQuery } from "@tanstack/react-query";
import { DatePicker, Input, InputNumber, Select, Space, Switch } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { getRecord, listRecords, type CurrencyValue, type RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { isCurrencyValue, text } from "./format";
import { useMeta } from "./metadata";

export const CURRENCIES = ["USD", "CNY", "EUR", "GBP", "JPY", "HKD", "SGD", "KRW", "AUD", "CAD", "CHF", "INR"];
const ZERO_DECIMALS = new Set(["JPY", "KRW"]);

type InputProps<T> = { value?: T | null; onChange?: (v: T | null) => void; field: FieldDef; id?: string };

function CurrencyInput({ value, onChange, field, id }: InputProps<CurrencyValue>) {
  const currency = (isCurrencyValue(value) ? value.currency : undefined) ?? field.currency ?? "USD";
  const amount = isCurrencyValue(value) ? value.amount : null;
  return (
    <Space.Compact style={{ width: "100%" }}>
      <Select
        value={currency}
        style={{ width: 96 }}
        options={CURRENCIES.map((c) => ({ value: c, label: c }))}
        onChange={(c) => onChange?.(amount === null ? null : { amount, currency: c })}
        aria-label="currency"
      />
      <InputNumber<string>
        id={id}
        stringMode
        style={{ width: "100%" }}
        precision={ZERO_DECIMALS.has(currency) ? 0 : 2}
        value={amount}
        formatter={(v) => (v ? String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ",") : "")}
        parser={(v) => (v ?? "").replace(/,/g, "")}
        onChange={(v) => onChange?.(v === null || v === "" ? null : { amount: String(v), currency })}
      />
    </Space.Compact>
  );
}

function DateInput({ value, onChange, id, withTime }: InputProps<string> & { withTime?: boolean }) {
  return (
    <DatePicker
      id={id}
      style={{ width: "100%" }}
      showTime={withTime}
      value={value ? dayjs(value) : null}
      onChange={(d) => onChange?.(d ? (withTime ? d.toDate().toISOString() : d.format("YYYY-MM-DD")) : null)}
    />
  );
}

/** Select over the target object's records, searched by name on the server. */
export function RelationSelect({ value, onChange, field, id, initialLabel, placeholder }: InputProps<string> & { initialLabel?: string; placeholder?: string }) {
  const { lookup } = useMeta();
  const target = field.relation ? lookup(field.relation.object) : undefined;
  const nameField = target?.nameField ?? "name";
  const [q, setQ] = useState("");
  const search = useQuery({
    queryKey: ["records", target?.name, "lookup", q],
    enabled: !!target,
    queryFn: ({ signal }) =>
      listRecords(
        target!.name,
        { filter: q ? { field: nameField, op: "contains", value: q } : undefined, sort: nameField, limit: 20, fields: ["id", nameField] },
        signal,
      ),
    staleTime: 30_000,
  });
  // The current value's name: from the record's _related, else fetched once.
  const current = useQuery({
    queryKey: ["records", target?.name, "one", value],
    enabled: !!target && !!value && !initialLabel,
    queryFn: () => getRecord(target!.name, value!),
    staleTime: 60_000,
  });
  const options = (search.data?.records ?? []).map((r: RecordData) => ({ value: r.id, label: text(r[nameField] ?? r.id) }));
  const currentLabel = initialLabel ?? (current.data ? text(current.data[nameField] ?? value) : undefined);
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: currentLabel ?? "…" });
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value ?? undefined}
      options={options}
      loading={search.isFetching}
      onChange={(v) => onChange?.(v ?? null)}
      onClear={() => setQ("")}
      placeholder={placeholder}
      notFoundContent={search.isFetching ? "…" : undefined}
      style={{ width: "100%" }}
    />
  );
}

export function FieldInput(props: InputProps<unknown> & { initialLabel?: string }) {
  const { field, value, onChange, id } = props;
  const label = useLabel();
  const { t } = useTranslation();
  const set = (v: unknown) => onChange?.(v);
  switch (field.type) {
    case "long_text":
      return <Input.TextArea id={id} rows={4} value={(value as string) ?? ""} onChange={(e) => set(e.target.value || null)} />;
    case "integer":
      return <InputNumber id={id} style={{ width: "100%" }} precision={0} value={value as number | null} onChange={(v) => set(v)} />;
    case "decimal":
    case "percent":
      return (
        <InputNumber
          id={id}
          style={{ width: "100%" }}
          precision={field.scale ?? 2}
          suffix={field.type === "percent" ? "%" : undefined}
          value={value as number | null}
          onChange={(v) => set(v)}
        />
      );
    case "currency":
      return <CurrencyInput {...(props as InputProps<CurrencyValue>)} />;
    case "date":
      return <DateInput {...(props as InputProps<string>)} />;
    case "datetime":
      return <DateInput {...(props as InputProps<string>)} withTime />;
    case "boolean":
      return <Switch id={id} checked={!!value} onChange={(v) => set(v)} />;
    case "picklist":
    case "multi_picklist":
      return (
        <Select
          id={id}
          allowClear
          mode={field.type === "multi_picklist" ? "multiple" : undefined}
          value={(value as string | string[] | null) ?? undefined}
          options={(field.options ?? []).map((o) => ({ value: o.value, label: label(o.label, o.value) }))}
          onChange={(v) => set(v ?? null)}
          placeholder={t("form.choose")}
          style={{ width: "100%" }}
        />
      );
    case "relation":
      return <RelationSelect {...(props as InputProps<string>)} />;
    default:
      return (
        <Input
          id={id}
          type={field.type === "email" ? "email" : field.type === "url" ? "url" : field.type === "phone" ? "tel" : "text"}
          value={(value as string) ?? ""}
          onChange={(e) => set(e.target.value === "" ? null : e.target.value)}
        />
      );
  }
}
