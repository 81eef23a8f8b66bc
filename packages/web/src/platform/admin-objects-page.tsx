/** Admin: objects and fields. Adds custom objects and fields at runtime; lists and forms pick them up at once. */
import { PlusOutlined } from "@ant-design/icons";
import type { FieldDef, FieldType, ObjectDef } from "@revline/core";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Menu, Modal, Row, Select, Space, Switch, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { addField, createObject } from "../api/records";
import { useLabel } from "../i18n";
import { CURRENCIES } from "./field-input";
import { businessFields, invalidateMetadata, sortForNavigation, useMeta } from "./metadata";
import { ObjectIcon } from "./object-icon";
import { applyServerErrors } from "./record-form";

const FIELD_TYPES: FieldType[] = ["text", "long_text", "email", "phone", "url", "integer", "decimal", "percent", "currency", "boolean", "date", "datetime", "picklist", "multi_picklist", "relation"];
const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

export function AdminObjectsPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const objects = sortForNavigation(meta.objects);
  const [selected, setSelected] = useState<string>("opportunity");
  const [newObject, setNewObject] = useState(false);
  const [newField, setNewField] = useState(false);
  const object = meta.lookup(selected) ?? objects[0];

  return (
    <div className="rl-admin-page">
      <div className="rl-page-header">
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("admin.title")}
          </Typography.Title>
          <div className="rl-muted">{t("admin.subtitle")}</div>
        </div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setNewObject(true)} data-testid="new-object">
          {t("admin.newObject")}
        </Button>
      </div>
      <Row gutter={16}>
        <Col xs={24} md={8} xl={6}>
          <Card variant="borderless" styles={{ body: { padding: 8 } }}>
            <Menu
              mode="inline"
              selectedKeys={object ? [object.name] : []}
              onClick={(e) => setSelected(e.key)}
              style={{ borderInlineEnd: 0 }}
              items={objects.map((o) => ({
                key: o.name,
                icon: <ObjectIcon object={o} />,
                label: (
                  <span>
                    {label(o.label, o.name)} {!o.isStandard && <Tag color="purple" style={{ marginInlineStart: 4 }}>{t("admin.custom")}</Tag>}
                  </span>
                ),
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} md={16} xl={18}>
          {object && (
            <Card
              variant="borderless"
              title={
                <Space>
                  <ObjectIcon object={object} />
                  {label(object.label, object.name)}
                  <Typography.Text type="secondary" code>
                    {object.name}
                  </Typography.Text>
                </Space>
              }
              extra={
                <Space>
                  <Link to={`/o/${object.name}`}>{t("admin.openList")}</Link>
                  <Button icon={<PlusOutlined />} onClick={() => setNewField(true)} data-testid="new-field">
                    {t("admin.newField")}
                  </Button>
                </Space>
              }
            >
              <FieldTable object={object} />
            </Card>
          )}
        </Col>
      </Row>
      <NewObjectModal open={newObject} onClose={() => setNewObject(false)} onCreated={(name) => setSelected(name)} />
      {object && <NewFieldModal key={object.name} object={object} open={newField} onClose={() => setNewField(false)} objects={objects} />}
    </div>
  );
}

function FieldTable({ object }: { object: ObjectDef }) {
  const { t } = useTranslation();
  const label = useLabel();
  const { lookup } = useMeta();
  return (
    <Table<FieldDef>
      size="small"
      rowKey="name"
      pagination={false}
      dataSource={businessFields(object)}
      data-testid="field-table"
      columns={[
        { key: "label", title: t("admin.fieldLabel"), render: (_: unknown, f) => <span>{label(f.label, f.name)}{f.name === object.nameField && <Tag style={{ marginInlineStart: 6 }}>{t("admin.nameField")}</Tag>}</span> },
        { key: "name", title: t("admin.apiName"), render: (_: unknown, f) => <Typography.Text code>{f.name}</Typography.Text> },
        {
          key: "type",
          title: t("admin.type"),
          render: (_: unknown, f) => (
            <span>
              {t(`fieldType.${f.type}`)}
              {f.relation && <span className="rl-muted"> → {label(lookup(f.relation.object)?.label, f.relation.object)}</span>}
              {f.currency && <span className="rl-muted"> · {f.currency}</span>}
            </span>
          ),
        },
        { key: "required", title: t("admin.required"), width: 90, render: (_: unknown, f) => (f.required ? <Tag color="blue">{t("common.yes")}</Tag> : null) },
        { key: "unique", title: t("admin.unique"), width: 90, render: (_: unknown, f) => (f.unique ? <Tag color="cyan">{t("common.yes")}</Tag> : null) },
        { key: "kind", title: "", width: 100, render: (_: unknown, f) => (f.isStandard ? <Tag>{t("admin.standard")}</Tag> : <Tag color="purple">{t("admin.custom")}</Tag>) },
      ]}
    />
  );
}

type NewObjectForm = { name: string; labelEn: string; labelZh: string; pluralEn: string; pluralZh: string };

function NewObjectModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (name: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<NewObjectForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await createObject({ name: v.name, label: { en: v.labelEn, zh: v.labelZh }, labelPlural: { en: v.pluralEn, zh: v.pluralZh } });
      await invalidateMetadata(qc);
      void message.success(t("admin.objectCreated"));
      onCreated(v.name);
      form.resetFields();
      onClose();
    } catch (e) {
      setError(applyServerErrors(form, e, ["name"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t("admin.newObject")} onCancel={onClose} onOk={() => void submit().catch(() => undefined)} confirmLoading={busy} okText={t("common.create")} cancelText={t("common.cancel")} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="name" label={t("admin.apiName")} extra={t("admin.apiNameHint")} rules={[{ required: true, message: t("form.required") }, { pattern: NAME_RE, message: t("admin.apiNameInvalid") }]}>
          <Input placeholder="project" />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}><Form.Item name="labelEn" label={t("admin.labelEn")} rules={[{ required: true, message: t("form.required") }]}><Input placeholder="Project" /></Form.Item></Col>
          <Col span={12}><Form.Item name="labelZh" label={t("admin.labelZh")} rules={[{ required: true, message: t("form.required") }]}><Input placeholder="项目" /></Form.Item></Col>
          <Col span={12}><Form.Item name="pluralEn" label={t("admin.pluralEn")} rules={[{ required: true, message: t("form.required") }]}><Input placeholder="Projects" /></Form.Item></Col>
          <Col span={12}><Form.Item name="pluralZh" label={t("admin.pluralZh")} rules={[{ required: true, message: t("form.required") }]}><Input placeholder="项目" /></Form.Item></Col>
        </Row>
      </Form>
    </Modal>
  );
}

type NewFieldForm = {
  name: string;
  type: FieldType;
  labelEn: string;
  labelZh: string;
  required?: boolean;
  unique?: boolean;
  options?: string[];
  relationObject?: string;
  currency?: string;
  scale?: number;
  min?: number;
  max?: number;
  maxLength?: number;
  pattern?: string;
};

function NewFieldModal({ object, objects, open, onClose }: { object: ObjectDef; objects: ObjectDef[]; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<NewFieldForm>();
  const type = Form.useWatch("type", form);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    const def: FieldDef = { name: v.name, type: v.type, label: { en: v.labelEn, zh: v.labelZh } };
    if (v.required) def.required = true;
    if (v.unique) def.unique = true;
    if (v.options?.length) def.options = v.options.map((o) => ({ value: o, label: { en: o, zh: o } }));
    if (v.relationObject) def.relation = { object: v.relationObject };
    if (v.type === "currency") def.currency = v.currency ?? "USD";
    if ((v.type === "decimal" || v.type === "percent") && v.scale !== undefined && v.scale !== null) def.scale = v.scale;
    const validation: NonNullable<FieldDef["validation"]> = {};
    if (v.min !== undefined && v.min !== null) validation.min = v.min;
    if (v.max !== undefined && v.max !== null) validation.max = v.max;
    if (v.maxLength) validation.maxLength = v.maxLength;
    if (v.pattern) validation.pattern = v.pattern;
    if (Object.keys(validation).length) def.validation = validation;
    setBusy(true);
    setError(null);
    try {
      await addField(object.name, def);
      await invalidateMetadata(qc);
      void message.success(t("admin.fieldCreated"));
      form.resetFields();
      onClose();
    } catch (e) {
      setError(applyServerErrors(form, e, ["name", "type"]));
    } finally {
      setBusy(false);
    }
  };
  const numeric = type === "integer" || type === "decimal" || type === "percent" || type === "currency";
  const textual = type === "text" || type === "long_text" || type === "phone";
  return (
    <Modal open={open} width={640} title={t("admin.newFieldOn", { object: label(object.label, object.name) })} onCancel={onClose} onOk={() => void submit().catch(() => undefined)} confirmLoading={busy} okText={t("common.create")} cancelText={t("common.cancel")} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ type: "text", currency: "USD" }} preserve={false}>
        <Row gutter={12}>
          <Col span={12}><Form.Item name="labelEn" label={t("admin.labelEn")} rules={[{ required: true, message: t("form.required") }]}><Input /></Form.Item></Col>
          <Col span={12}><Form.Item name="labelZh" label={t("admin.labelZh")} rules={[{ required: true, message: t("form.required") }]}><Input /></Form.Item></Col>
          <Col span={12}>
            <Form.Item name="name" label={t("admin.apiName")} rules={[{ required: true, message: t("form.required") }, { pattern: NAME_RE, message: t("admin.apiNameInvalid") }]}>
              <Input placeholder="usage_trend" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="type" label={t("admin.type")} rules={[{ required: true }]}>
              <Select showSearch={{ optionFilterProp: "label" }} listHeight={400} options={FIELD_TYPES.map((ft) => ({ value: ft, label: t(`fieldType.${ft}`) }))} />
            </Form.Item>
          </Col>
          {(type === "picklist" || type === "multi_picklist") && (
            <Col span={24}>
              <Form.Item name="options" label={t("admin.options")} extra={t("admin.optionsHint")} rules={[{ required: true, message: t("form.required") }]}>
                <Select mode="tags" open={false} tokenSeparators={[","]} />
              </Form.Item>
            </Col>
          )}
          {type === "relation" && (
            <Col span={24}>
              <Form.Item name="relationObject" label={t("admin.relationTarget")} rules={[{ required: true, message: t("form.required") }]}>
                <Select options={objects.map((o) => ({ value: o.name, label: label(o.label, o.name) }))} />
              </Form.Item>
            </Col>
          )}
          {type === "currency" && (
            <Col span={12}>
              <Form.Item name="currency" label={t("admin.currency")}>
                <Select options={CURRENCIES.map((c) => ({ value: c, label: c }))} />
              </Form.Item>
            </Col>
          )}
          {(type === "decimal" || type === "percent") && (
            <Col span={12}>
              <Form.Item name="scale" label={t("admin.scale")}>
                <InputNumber min={0} max={8} style={{ width: "100%" }} placeholder="2" />
              </Form.Item>
            </Col>
          )}
          {numeric && (
            <>
              <Col span={6}><Form.Item name="min" label={t("admin.min")}><InputNumber style={{ width: "100%" }} /></Form.Item></Col>
              <Col span={6}><Form.Item name="max" label={t("admin.max")}><InputNumber style={{ width: "100%" }} /></Form.Item></Col>
            </>
          )}
          {textual && (
            <>
              <Col span={8}><Form.Item name="maxLength" label={t("admin.maxLength")}><InputNumber min={1} style={{ width: "100%" }} /></Form.Item></Col>
              <Col span={16}><Form.Item name="pattern" label={t("admin.pattern")}><Input placeholder="^[A-Z]{3}-\d+$" /></Form.Item></Col>
            </>
          )}
          <Col span={12}><Form.Item name="required" label={t("admin.required")} valuePropName="checked"><Switch /></Form.Item></Col>
          <Col span={12}><Form.Item name="unique" label={t("admin.unique")} valuePropName="checked"><Switch /></Form.Item></Col>
        </Row>
      </Form>
    </Modal>
  );
}
