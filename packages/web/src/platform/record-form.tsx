/** Create/edit form generated from metadata, with client validation and server errors mapped onto fields. */
import type { FieldDef, ObjectDef } from "@revline/core";
import { Alert, Col, Form, Row, type FormInstance } from "antd";
import type { Rule } from "antd/es/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";
import type { RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { FieldInput } from "./field-input";
import { isCurrencyValue, text } from "./format";
import { businessFields } from "./metadata";
import { useRelatedName } from "./field-value";

/** Fields a person edits: not system, not computed by the platform, not read-only or masked for them. */
export function editableFields(o: ObjectDef): FieldDef[] {
  return businessFields(o).filter((f) => !f.computed && f.access === undefined);
}

function useRules(): (f: FieldDef) => Rule[] {
  const { t } = useTranslation();
  return (f) => {
    const rules: Rule[] = [];
    if (f.required) {
      rules.push({
        validator: (_r, v: unknown) =>
          v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0) || (isCurrencyValue(v) && v.amount === "")
            ? Promise.reject(new Error(t("form.required")))
            : Promise.resolve(),
      });
    }
    const val = f.validation ?? {};
    if (f.type === "email") rules.push({ type: "email", message: t("form.invalidEmail") });
    if (f.type === "url") rules.push({ validator: (_r, v: unknown) => (!v || /^(https?:\/\/)?[^\s.]+\.[^\s]+$/i.test(text(v)) ? Promise.resolve() : Promise.reject(new Error(t("form.invalidUrl")))) });
    if (val.minLength !== undefined) rules.push({ min: val.minLength, message: t("form.minLength", { n: val.minLength }) });
    if (val.maxLength !== undefined || ["text", "email", "phone", "url"].includes(f.type)) {
      const n = val.maxLength ?? 255;
      rules.push({ max: n, message: t("form.maxLength", { n }) });
    }
    if (val.pattern) {
      let re: RegExp | null;
      try {
        re = new RegExp(`^(?:${val.pattern})$`);
      } catch {
        // An invalid pattern in metadata is the server's to report; don't block the form on it.
        re = null;
      }
      if (re) rules.push({ pattern: re, message: t("form.pattern") });
    }
    if (val.min !== undefined || val.max !== undefined) {
      rules.push({
        validator: (_r, v: unknown) => {
          if (v === null || v === undefined || v === "") return Promise.resolve();
          const n = isCurrencyValue(v) ? Number(v.amount) : Number(text(v));
          if (val.min !== undefined && n < val.min) return Promise.reject(new Error(t("form.min", { n: val.min })));
          if (val.max !== undefined && n > val.max) return Promise.reject(new Error(t("form.max", { n: val.max })));
          return Promise.resolve();
        },
      });
    }
    return rules;
  };
}

/** Applies a server problem to the form: field errors next to inputs, the rest as a message. */
export function applyServerErrors(form: FormInstance, err: unknown, known: string[]): string | null {
  if (!isApiError(err)) return err instanceof Error ? err.message : String(err);
  const errors = err.problem.errors ?? [];
  const onFields = errors.filter((e) => known.includes(e.field));
  if (onFields.length > 0) {
    const byField = new Map<string, string[]>();
    for (const e of onFields) byField.set(e.field, [...(byField.get(e.field) ?? []), e.reason]);
    form.setFields([...byField].map(([name, errs]) => ({ name, errors: errs })));
  }
  const rest = errors.filter((e) => !known.includes(e.field));
  if (onFields.length > 0 && rest.length === 0) return null;
  return [err.problem.detail ?? err.problem.title, ...rest.map((e) => `${e.field}: ${e.reason}`)].filter(Boolean).join(" · ");
}

export function RecordForm({
  object,
  form,
  initial,
  record,
  error,
}: {
  object: ObjectDef;
  form: FormInstance;
  initial: Record<string, unknown>;
  record?: RecordData;
  error?: string | null;
}) {
  const label = useLabel();
  const rules = useRules();
  const relatedName = useRelatedName();
  const [touched] = useState(() => initial);
  const fields = editableFields(object);
  return (
    <Form form={form} layout="vertical" initialValues={touched} requiredMark scrollToFirstError data-testid="record-form">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
      <Row gutter={16}>
        {fields.map((f) => (
          <Col key={f.name} xs={24} md={f.type === "long_text" ? 24 : 12}>
            <Form.Item
              name={f.name}
              label={label(f.label, f.name)}
              required={f.required}
              rules={rules(f)}
              tooltip={f.description ? label(f.description) : undefined}
            >
              <FieldInput field={f} initialLabel={record && f.type === "relation" ? relatedName(f, record) : undefined} />
            </Form.Item>
          </Col>
        ))}
      </Row>
    </Form>
  );
}
