/** One record: header with key fields, detail sections from metadata, related lists, edit, delete; also "new". */
import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, EyeOutlined } from "@ant-design/icons";
import type { FieldDef, ObjectDef } from "@revline/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Drawer, Form, Popconfirm, Result, Row, Skeleton, Space, Tag, Tooltip, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { isApiError, isStaleVersion } from "../api/client";
import { createRecord, deleteRecord, getRecord, revealValue, updateRecord, type RecordData } from "../api/records";
import { useLabel } from "../i18n";
import { FieldValue, optionColor, useOptionLabel } from "./field-value";
import { text } from "./format";
import { businessFields, fieldOf, useMeta } from "./metadata";
import { NotFoundPage } from "./not-found-page";
import { ObjectIcon } from "./object-icon";
import { applyServerErrors, editableFields, RecordForm } from "./record-form";
import { changedValues } from "./record-values";
import { RelatedLists } from "./related-lists";

export function RecordPage() {
  const { object: objectName = "", id } = useParams();
  const meta = useMeta();
  const object = meta.lookup(objectName);
  if (meta.isLoading) return <Skeleton active style={{ padding: 24 }} />;
  if (!object) return <NotFoundPage />;
  if (!id) return <CreateRecord key={object.name} object={object} />;
  return <RecordView key={`${object.name}/${id}`} object={object} id={id} />;
}

function relationNames(o: ObjectDef): string[] {
  return businessFields(o)
    .filter((f) => f.type === "relation")
    .map((f) => f.name);
}

/** Groups fields into sections a person can scan: key facts, details, long texts, system. */
function sectionsOf(o: ObjectDef): { key: string; fields: FieldDef[] }[] {
  const fields = businessFields(o).filter((f) => f.name !== "external_id");
  const key = fields.filter((f) => ["picklist", "currency", "relation"].includes(f.type) || f.name === o.nameField);
  const long = fields.filter((f) => f.type === "long_text");
  const details = fields.filter((f) => !key.includes(f) && !long.includes(f));
  const system = ["created_at", "created_by", "updated_at", "updated_by", "version"].map((n) => fieldOf(o, n)).filter((f): f is FieldDef => !!f);
  const ext = fieldOf(o, "external_id");
  return [
    { key: "keyInfo", fields: key },
    { key: "details", fields: details },
    { key: "notes", fields: long },
    { key: "system", fields: ext ? [ext, ...system] : system },
  ].filter((s) => s.fields.length > 0);
}

function RecordView({ object, id }: { object: ObjectDef; id: string }) {
  const { t } = useTranslation();
  const label = useLabel();
  const optionLabel = useOptionLabel();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [editing, setEditing] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const include = [...relationNames(object), "created_by", "updated_by"];
  const q = useQuery({ queryKey: ["records", object.name, "one", id, "full"], queryFn: () => getRecord(object.name, id, include) });

  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) => updateRecord(object.name, id, patch, q.data?.version),
    onSuccess: async () => {
      setEditing(false);
      void message.success(t("record.saved"));
      await qc.invalidateQueries({ queryKey: ["records", object.name] });
    },
    onError: (err) => {
      if (isStaleVersion(err)) {
        modal.confirm({
          title: t("record.conflictTitle"),
          content: t("record.conflictText"),
          okText: t("record.reloadLatest"),
          cancelText: t("common.cancel"),
          onOk: async () => {
            await q.refetch();
            setEditing(false);
          },
        });
        return;
      }
      setFormError(applyServerErrors(form, err, editableFields(object).map((f) => f.name)));
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteRecord(object.name, id),
    onSuccess: async () => {
      void message.success(t("record.deleted"));
      await qc.invalidateQueries({ queryKey: ["records", object.name] });
      void navigate(`/o/${object.name}`);
    },
    onError: (err) => void message.error(err.message),
  });

  if (q.isLoading) return <Skeleton active style={{ padding: 24 }} />;
  if (q.error) {
    if (isApiError(q.error) && q.error.status === 404) return <NotFoundPage title={t("record.notFound")} />;
    return <Result status="error" title={t("record.loadFailed")} subTitle={q.error.message} />;
  }
  const record = q.data as RecordData;
  const title = text(record[object.nameField]) || t("record.untitled");
  const picklists = businessFields(object).filter((f) => f.type === "picklist" && record[f.name]);
  const headline = businessFields(object)
    .filter((f) => ["currency", "date", "relation"].includes(f.type) && record[f.name] !== null && record[f.name] !== undefined)
    .slice(0, 5);
  const editable = editableFields(object);
  const initialValues = Object.fromEntries(editable.map((f) => [f.name, record[f.name] ?? null]));

  const submit = async () => {
    setFormError(null);
    const values = (await form.validateFields()) as Record<string, unknown>;
    const patch = changedValues(initialValues, values);
    if (Object.keys(patch).length === 0) {
      setEditing(false);
      return;
    }
    save.mutate(patch);
  };

  return (
    <div className="rl-record-page">
      <Link to={`/o/${object.name}`} className="rl-back-link">
        <ArrowLeftOutlined /> {label(object.labelPlural, object.name)}
      </Link>
      <Card className="rl-record-header" variant="borderless">
        <div className="rl-record-title-row">
          <div className="rl-record-title">
            <span className="rl-page-icon rl-page-icon-lg">
              <ObjectIcon object={object} />
            </span>
            <div>
              <div className="rl-muted">{label(object.label, object.name)}</div>
              <Typography.Title level={3} style={{ margin: 0 }} data-testid="record-title">
                {title}
              </Typography.Title>
            </div>
            <Space size={4} style={{ marginLeft: 8 }}>
              {picklists.map((f) => (
                <Tag key={f.name} color={optionColor(f, text(record[f.name]))} variant="filled">
                  {optionLabel(f, text(record[f.name]))}
                </Tag>
              ))}
            </Space>
          </div>
          <Space>
            {object.permissions?.update !== false && (
            <Button
              type="primary"
              icon={<EditOutlined />}
              data-testid="edit-record"
              onClick={() => {
                form.resetFields();
                form.setFieldsValue(initialValues);
                setFormError(null);
                setEditing(true);
              }}
            >
              {t("common.edit")}
            </Button>
            )}
            {object.permissions?.delete !== false && (
            <Popconfirm
              title={t("record.deleteConfirmTitle")}
              description={t("record.deleteConfirmText", { name: title })}
              okText={t("common.delete")}
              okButtonProps={{ danger: true, loading: remove.isPending }}
              cancelText={t("common.cancel")}
              onConfirm={() => remove.mutate()}
            >
              <Button danger icon={<DeleteOutlined />} data-testid="delete-record">
                {t("common.delete")}
              </Button>
            </Popconfirm>
            )}
          </Space>
        </div>
        {headline.length > 0 && (
          <div className="rl-headline">
            {headline.map((f) => (
              <div key={f.name} className="rl-headline-item">
                <div className="rl-muted">{label(f.label, f.name)}</div>
                <div className="rl-headline-value" data-testid={`headline-${f.name}`}>
                  <FieldValue field={f} record={record} />
                </div>
              </div>
            ))}
          </div>
        )}
      </Card>

      <Row gutter={16}>
        <Col xs={24} xl={14}>
          {sectionsOf(object).map((s) => (
            <Card key={s.key} title={t(`record.section.${s.key}`)} className="rl-section" variant="borderless">
              <div className="rl-fields">
                {s.fields.map((f) => (
                  <div key={f.name} className={f.type === "long_text" ? "rl-field rl-field-wide" : "rl-field"}>
                    <div className="rl-field-label">{label(f.label, f.name)}</div>
                    <div className="rl-field-value" data-testid={`field-${f.name}`}>
                      {f.access === "masked" && object.permissions?.reveal ? (
                        <RevealableValue object={object} id={record.id} field={f} record={record} />
                      ) : (
                        <FieldValue field={f} record={record} />
                      )}
                    </div>
                  </div>
                ))}
              </div>
            </Card>
          ))}
        </Col>
        <Col xs={24} xl={10}>
          <RelatedLists object={object} record={record} />
        </Col>
      </Row>

      <Drawer
        open={editing}
        size="large"
        title={t("record.editTitle", { name: title })}
        onClose={() => setEditing(false)}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditing(false)}>{t("common.cancel")}</Button>
            <Button type="primary" loading={save.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="save-record">
              {t("common.save")}
            </Button>
          </Space>
        }
      >
        <RecordForm object={object} form={form} initial={initialValues} record={record} error={formError} />
      </Drawer>
    </div>
  );
}

/** A masked value with a "reveal" button: one audited request unmasks this one value, on this page only. */
function RevealableValue({ object, id, field, record }: { object: ObjectDef; id: string; field: FieldDef; record: RecordData }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reveal = useMutation({
    mutationFn: () => revealValue(object.name, id, field.name),
    onError: (err) => void message.error(isApiError(err) ? err.message : String(err)),
  });
  if (reveal.data) return <FieldValue field={{ ...field, access: undefined }} value={reveal.data.value} />;
  return (
    <Space size={4}>
      <FieldValue field={field} record={record} />
      <Tooltip title={t("record.revealHint")}>
        <Button size="small" type="link" icon={<EyeOutlined />} loading={reveal.isPending} onClick={() => reveal.mutate()} data-testid={`reveal-${field.name}`}>
          {t("record.reveal")}
        </Button>
      </Tooltip>
    </Space>
  );
}

function CreateRecord({ object }: { object: ObjectDef }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const [form] = Form.useForm();
  const [formError, setFormError] = useState<string | null>(null);
  // Defaults from metadata, then prefills from the URL (e.g. ?account=<id> from a related list).
  const initial: Record<string, unknown> = {};
  for (const f of editableFields(object)) {
    if (f.defaultValue !== undefined) initial[f.name] = f.defaultValue;
    const p = params.get(f.name);
    if (p !== null) initial[f.name] = p;
  }
  const create = useMutation({
    mutationFn: (input: Record<string, unknown>) => createRecord(object.name, input),
    onSuccess: async (rec) => {
      void message.success(t("record.created"));
      await qc.invalidateQueries({ queryKey: ["records", object.name] });
      void navigate(`/o/${object.name}/${rec.id}`, { replace: true });
    },
    onError: (err) => setFormError(applyServerErrors(form, err, editableFields(object).map((f) => f.name))),
  });
  const submit = async () => {
    setFormError(null);
    const values = (await form.validateFields()) as Record<string, unknown>;
    const input = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined && v !== ""));
    create.mutate(input);
  };
  return (
    <div className="rl-record-page">
      <Link to={`/o/${object.name}`} className="rl-back-link">
        <ArrowLeftOutlined /> {label(object.labelPlural, object.name)}
      </Link>
      <Card
        variant="borderless"
        title={
          <Space>
            <ObjectIcon object={object} />
            {t("record.newTitle", { object: label(object.label, object.name) })}
          </Space>
        }
        extra={
          <Space>
            <Button onClick={() => void navigate(-1)}>{t("common.cancel")}</Button>
            <Button type="primary" loading={create.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="save-record">
              {t("common.create")}
            </Button>
          </Space>
        }
        style={{ maxWidth: 960 }}
      >
        <RecordForm object={object} form={form} initial={initial} error={formError} />
      </Card>
    </div>
  );
}
