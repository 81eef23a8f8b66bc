/** Import wizard: upload -> map columns -> options and preview -> run with progress -> report. */
import { CheckCircleOutlined, DownloadOutlined, InboxOutlined, WarningOutlined } from "@ant-design/icons";
import type { ObjectDef } from "@revline/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Empty, Progress, Radio, Result, Row, Select, Space, Statistic, Steps, Table, Tag, Typography, Upload } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { fetchRejections, getImport, reportUrl, runImport, uploadImport, type DateOrder, type ImportUpload, type Rejection } from "../api/imports";
import { useLabel } from "../i18n";
import { formatNumber } from "./format";
import { businessFields, sortForNavigation, useMeta } from "./metadata";
import { editableFields } from "./record-form";

const cellText = (v: string | number | boolean | null | undefined) => (v === null || v === undefined ? "" : String(v));

type Options = { dateOrder: DateOrder | "auto"; onUnresolved: "reject" | "empty"; dryRun: boolean; key: string | null };

export function ImportWizard() {
  const { t } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const { message } = App.useApp();
  const [step, setStep] = useState(0);
  const [objectName, setObjectName] = useState("opportunity");
  const [upload, setUpload] = useState<ImportUpload | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [opts, setOpts] = useState<Options>({ dateOrder: "auto", onUnresolved: "reject", dryRun: false, key: null });
  const [runId, setRunId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const object = meta.lookup(objectName);

  const reset = () => {
    setStep(0);
    setUpload(null);
    setRunId(null);
  };

  const start = async (dryRun: boolean) => {
    if (!upload) return;
    setBusy(true);
    try {
      const r = await runImport(upload.id, {
        mapping,
        dryRun,
        dateOrder: opts.dateOrder === "auto" ? undefined : opts.dateOrder,
        onUnresolved: opts.onUnresolved,
        // null: "always create new records" (no upsert by the external key).
        key: opts.key,
      });
      setRunId(r.id ?? upload.id);
      setOpts({ ...opts, dryRun });
      setStep(3);
    } catch (e) {
      void message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rl-import-page">
      <div className="rl-page-header">
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("import.title")}
          </Typography.Title>
          <div className="rl-muted">{t("import.subtitle")}</div>
        </div>
      </div>
      <Card variant="borderless">
        <Steps
          current={step}
          style={{ marginBottom: 24 }}
          items={[{ title: t("import.stepUpload") }, { title: t("import.stepMap") }, { title: t("import.stepOptions") }, { title: t("import.stepRun") }]}
        />
        {step === 0 && (
          <UploadStep
            objects={sortForNavigation(meta.objects.filter((o) => o.permissions?.import !== false))}
            objectName={objectName}
            setObjectName={setObjectName}
            onUploaded={(u) => {
              setUpload(u);
              setMapping(u.mapping ?? {});
              const ext = meta.lookup(objectName)?.externalKeyField;
              setOpts((o) => ({ ...o, key: ext && Object.values(u.mapping ?? {}).includes(ext) ? ext : null }));
              setStep(1);
            }}
          />
        )}
        {step === 1 && upload && object && (
          <MapStep object={object} upload={upload} mapping={mapping} setMapping={setMapping} onBack={reset} onNext={() => setStep(2)} />
        )}
        {step === 2 && upload && object && (
          <OptionsStep object={object} upload={upload} mapping={mapping} opts={opts} setOpts={setOpts} busy={busy} onBack={() => setStep(1)} onRun={(dry) => void start(dry)} />
        )}
        {step === 3 && runId && object && (
          <RunStep id={runId} object={object} dryRun={opts.dryRun} onRunForReal={() => void start(false)} onAgain={reset} />
        )}
      </Card>
      <div className="rl-muted" style={{ marginTop: 12 }}>
        {t("import.help", { object: object ? label(object.labelPlural, object.name) : objectName })}
      </div>
    </div>
  );
}

function UploadStep({ objects, objectName, setObjectName, onUploaded }: { objects: ObjectDef[]; objectName: string; setObjectName: (v: string) => void; onUploaded: (u: ImportUpload) => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const [error, setError] = useState<string | null>(null);
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Space>
        <span>{t("import.object")}</span>
        <Select
          value={objectName}
          onChange={setObjectName}
          style={{ width: 260 }}
          showSearch={{ optionFilterProp: "label" }}
          options={objects.map((o) => ({ value: o.name, label: label(o.labelPlural, o.name) }))}
          data-testid="import-object"
        />
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <Upload.Dragger
        accept=".csv,.txt,.tsv,.xlsx"
        multiple={false}
        showUploadList={false}
        customRequest={({ file, onSuccess, onError }) => {
          setError(null);
          uploadImport(objectName, file as File)
            .then((u) => {
              onSuccess?.(u);
              onUploaded(u);
            })
            .catch((e: Error) => {
              setError(e.message);
              onError?.(e);
            });
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t("import.dropHere")}</p>
        <p className="ant-upload-hint">{t("import.dropHint")}</p>
      </Upload.Dragger>
    </Space>
  );
}

function MapStep({ object, upload, mapping, setMapping, onBack, onNext }: { object: ObjectDef; upload: ImportUpload; mapping: Record<string, string | null>; setMapping: (m: Record<string, string | null>) => void; onBack: () => void; onNext: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const fields = editableFields(object);
  const used = new Set(Object.values(mapping).filter(Boolean));
  const missingRequired = fields.filter((f) => f.required && !used.has(f.name));
  const rows = upload.columns.map((c, i) => ({ column: c, index: i, samples: upload.sample.slice(0, 3).map((r) => cellText(r[i])) }));
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Alert
        type="info"
        showIcon
        title={t("import.fileSummary", { file: upload.fileName, rows: formatNumber(upload.totalRows, "en"), columns: upload.columns.length })}
        description={[upload.encoding && `${t("import.encoding")}: ${upload.encoding}`, upload.delimiter && `${t("import.delimiter")}: ${JSON.stringify(upload.delimiter)}`].filter(Boolean).join(" · ")}
      />
      {missingRequired.length > 0 && (
        <Alert type="warning" showIcon title={t("import.requiredMissing", { fields: missingRequired.map((f) => label(f.label, f.name)).join(", ") })} />
      )}
      <Table
        size="small"
        rowKey="column"
        pagination={false}
        dataSource={rows}
        data-testid="mapping-table"
        columns={[
          { key: "column", title: t("import.fileColumn"), render: (_: unknown, r) => <Typography.Text strong>{r.column}</Typography.Text>, width: 220 },
          { key: "samples", title: t("import.sampleValues"), render: (_: unknown, r) => <span className="rl-muted">{r.samples.filter(Boolean).join(" · ") || "—"}</span>, ellipsis: true },
          {
            key: "field",
            title: t("import.targetField"),
            width: 300,
            render: (_: unknown, r) => (
              <Select
                style={{ width: "100%" }}
                allowClear
                showSearch={{ optionFilterProp: "label" }}
                placeholder={t("import.skipColumn")}
                value={mapping[r.column] ?? undefined}
                onChange={(v: string | undefined) => setMapping({ ...mapping, [r.column]: v ?? null })}
                options={[
                  // An "ID" column (as exports write it) updates the record with that id.
                  { value: "id", label: t("import.recordId"), disabled: used.has("id") && mapping[r.column] !== "id" },
                  ...fields.map((f) => ({
                    value: f.name,
                    label: `${label(f.label, f.name)}${f.type === "relation" ? ` (${t("import.byName")})` : ""}`,
                    disabled: used.has(f.name) && mapping[r.column] !== f.name,
                  })),
                ]}
              />
            ),
          },
        ]}
      />
      <div className="rl-wizard-actions">
        <Button onClick={onBack}>{t("common.back")}</Button>
        <Button type="primary" onClick={onNext} disabled={used.size === 0} data-testid="mapping-next">
          {t("common.next")}
        </Button>
      </div>
    </Space>
  );
}

function OptionsStep({ object, upload, mapping, opts, setOpts, busy, onBack, onRun }: { object: ObjectDef; upload: ImportUpload; mapping: Record<string, string | null>; opts: Options; setOpts: (o: Options) => void; busy: boolean; onBack: () => void; onRun: (dry: boolean) => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const mapped = upload.columns.map((c, i) => ({ c, i, field: mapping[c] })).filter((x) => x.field);
  const uniqueFields = businessFields(object).filter((f) => f.unique && mapped.some((m) => m.field === f.name));
  const fieldLabel = (name: string) => label(businessFields(object).find((f) => f.name === name)?.label, name);
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Row gutter={[24, 16]}>
        <Col xs={24} md={8}>
          <div className="rl-option-label">{t("import.dateOrder")}</div>
          <Radio.Group value={opts.dateOrder} onChange={(e) => setOpts({ ...opts, dateOrder: e.target.value as Options["dateOrder"] })} optionType="button"
            options={[
              { value: "auto", label: t("import.dateAuto") },
              { value: "ymd", label: "Y-M-D" },
              { value: "dmy", label: "D/M/Y" },
              { value: "mdy", label: "M/D/Y" },
            ]}
          />
          <div className="rl-muted rl-option-hint">{t("import.dateOrderHint")}</div>
        </Col>
        <Col xs={24} md={8}>
          <div className="rl-option-label">{t("import.unresolved")}</div>
          <Radio.Group value={opts.onUnresolved} onChange={(e) => setOpts({ ...opts, onUnresolved: e.target.value as Options["onUnresolved"] })}
            options={[
              { value: "reject", label: t("import.unresolvedReject") },
              { value: "empty", label: t("import.unresolvedEmpty") },
            ]}
          />
        </Col>
        <Col xs={24} md={8}>
          <div className="rl-option-label">{t("import.key")}</div>
          <Select style={{ width: "100%" }} allowClear value={opts.key ?? undefined} placeholder={t("import.keyNone")} onChange={(v: string | undefined) => setOpts({ ...opts, key: v ?? null })}
            options={uniqueFields.map((f) => ({ value: f.name, label: label(f.label, f.name) }))}
          />
          <div className="rl-muted rl-option-hint">{t("import.keyHint")}</div>
        </Col>
      </Row>
      <div>
        <div className="rl-option-label">{t("import.preview")}</div>
        <Table
          size="small"
          pagination={false}
          scroll={{ x: "max-content" }}
          rowKey="key"
          dataSource={upload.sample.slice(0, 5).map((cells, i) => ({ key: i, cells }))}
          columns={mapped.map((m) => ({ key: m.c, title: <span>{fieldLabel(m.field!)}<div className="rl-muted" style={{ fontWeight: 400, fontSize: 12 }}>{m.c}</div></span>, render: (_: unknown, row: { cells: ImportUpload["sample"][number] }) => cellText(row.cells[m.i]) }))}
        />
      </div>
      <div className="rl-wizard-actions">
        <Button onClick={onBack}>{t("common.back")}</Button>
        <Space>
          <Button loading={busy} onClick={() => onRun(true)} data-testid="import-dry-run">
            {t("import.dryRun")}
          </Button>
          <Button type="primary" loading={busy} onClick={() => onRun(false)} data-testid="import-run">
            {t("import.run", { rows: formatNumber(upload.totalRows, "en") })}
          </Button>
        </Space>
      </div>
    </Space>
  );
}

function RunStep({ id, object, dryRun, onRunForReal, onAgain }: { id: string; object: ObjectDef; dryRun: boolean; onRunForReal: () => void; onAgain: () => void }) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const status = useQuery({
    queryKey: ["import", id, dryRun],
    queryFn: () => getImport(id),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "done" || q.state.data.status === "failed") ? false : 700),
  });
  const s = status.data;
  const finished = s?.status === "done" || s?.status === "failed";
  const rejected = s?.summary?.rejected ?? 0;
  const report = useQuery({
    queryKey: ["import", id, "report", dryRun],
    enabled: finished && rejected > 0,
    queryFn: () => fetchRejections(id),
  });
  useEffect(() => {
    if (finished && !dryRun) {
      void qc.invalidateQueries({ queryKey: ["records", object.name] });
      void qc.invalidateQueries({ queryKey: ["aggregate"] });
    }
  }, [finished, dryRun, qc, object.name]);
  const pct = s?.progress && s.progress.total > 0 ? Math.round((s.progress.read / s.progress.total) * 100) : finished ? 100 : 0;
  const n = (v: number | undefined) => formatNumber(v ?? 0, i18n.language);

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }} data-testid="import-run-step">
      {!finished && (
        <div style={{ maxWidth: 560, margin: "24px auto", textAlign: "center" }}>
          <Progress percent={pct} status="active" />
          <div className="rl-muted">{t("import.progress", { read: n(s?.progress?.read), total: n(s?.progress?.total) })}</div>
        </div>
      )}
      {s?.status === "failed" && <Result status="error" title={t("import.failed")} subTitle={s.error} />}
      {s?.status === "done" && (
        <>
          <Result
            status={rejected > 0 ? "warning" : "success"}
            icon={rejected > 0 ? <WarningOutlined /> : <CheckCircleOutlined />}
            title={dryRun ? t("import.dryRunDone") : t("import.done")}
            subTitle={dryRun ? t("import.dryRunHint") : undefined}
            extra={
              <Space>
                {dryRun && (
                  <Button type="primary" onClick={onRunForReal}>
                    {t("import.runForReal")}
                  </Button>
                )}
                {!dryRun && (
                  <Link to={`/o/${object.name}`}>
                    <Button type="primary">{t("import.openList", { object: label(object.labelPlural, object.name) })}</Button>
                  </Link>
                )}
                <Button onClick={onAgain}>{t("import.another")}</Button>
              </Space>
            }
          />
          <Row gutter={16} className="rl-import-summary" data-testid="import-summary">
            <Col span={6}><Statistic title={t("import.read")} value={s.summary?.read ?? 0} /></Col>
            <Col span={6}><Statistic title={t("import.inserted")} value={s.summary?.inserted ?? 0} styles={{ content: { color: "#12b886" } }} /></Col>
            <Col span={6}><Statistic title={t("import.updated")} value={s.summary?.updated ?? 0} styles={{ content: { color: "#1f4fe0" } }} /></Col>
            <Col span={6}><Statistic title={t("import.rejected")} value={rejected} styles={{ content: { color: rejected ? "#fa5252" : undefined } }} /></Col>
          </Row>
          {rejected > 0 && (
            <Card
              size="small"
              title={<Space><Tag color="red">{n(rejected)}</Tag>{t("import.rejectedRows")}</Space>}
              extra={<Button icon={<DownloadOutlined />} href={reportUrl(id)} download>{t("import.downloadReport")}</Button>}
            >
              <Table<Rejection & { key: number }>
                size="small"
                rowKey="key"
                loading={report.isLoading}
                dataSource={(report.data ?? []).map((r, i) => ({ ...r, key: i }))}
                pagination={{ pageSize: 10, showSizeChanger: false }}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
                data-testid="rejections-table"
                columns={[
                  { key: "row", dataIndex: "row", title: t("import.reportColumn.row"), width: 80 },
                  { key: "column", dataIndex: "column", title: t("import.reportColumn.column"), width: 180, ellipsis: true },
                  { key: "value", dataIndex: "value", title: t("import.reportColumn.value"), width: 200, ellipsis: true },
                  { key: "reason", dataIndex: "reason", title: t("import.reportColumn.reason") },
                ]}
              />
            </Card>
          )}
        </>
      )}
    </Space>
  );
}
