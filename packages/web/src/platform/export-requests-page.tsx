/**
 * Export requests: your own (download once approved) and, for approvers, everyone's pending ones
 * (approve or reject; never your own: maker and checker differ, and the server enforces it).
 * Administrators also switch the watermark here.
 */
import { CheckOutlined, CloseOutlined, DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Input, Modal, Result, Space, Switch, Table, Tag, Tooltip, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { decideExport, downloadApprovedExport, fetchExportSetting, fetchWatermark, listExportRequests, setWatermark, type ExportRequestView, type ExportStatus } from "../api/exports";
import { useLabel } from "../i18n";
import { formatNumber } from "./format";
import { useMeta } from "./metadata";
import { useMe } from "./use-me";
import { WATERMARK_KEY } from "./watermark";

const EXPORTS_KEY = ["exports"] as const;
const STATUS_COLOR: Record<ExportStatus, string> = { pending: "gold", approved: "green", rejected: "red", expired: "default", downloaded: "blue" };

function when(iso: string | null, lang: string): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString(lang === "zh-CN" ? "zh-CN" : "en-US", { dateStyle: "medium", timeStyle: "short" });
}

export function ExportRequestsPage() {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const meta = useMeta();
  const me = useMe();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const list = useQuery({ queryKey: EXPORTS_KEY, queryFn: listExportRequests, refetchInterval: 30_000 });
  const watermark = useQuery({ queryKey: WATERMARK_KEY, queryFn: fetchWatermark, staleTime: 60_000 });
  const settings = useQuery({ queryKey: ["settings", "export"], queryFn: fetchExportSetting, staleTime: 60_000 });
  const [deciding, setDeciding] = useState<{ request: ExportRequestView; decision: "approve" | "reject" } | null>(null);
  const [comment, setComment] = useState("");

  const decide = useMutation({
    mutationFn: (d: { id: string; decision: "approve" | "reject"; comment: string }) => decideExport(d.id, d.decision, d.comment.trim() || undefined),
    onSuccess: () => {
      void message.success(t("exports.decided"));
      setDeciding(null);
      setComment("");
      void qc.invalidateQueries({ queryKey: EXPORTS_KEY });
    },
    onError: (e) => void message.error(e.message),
  });
  const download = useMutation({
    mutationFn: (id: string) => downloadApprovedExport(id),
    onSuccess: () => setTimeout(() => void qc.invalidateQueries({ queryKey: EXPORTS_KEY }), 1500),
    onError: (e) => void message.error(e.message),
  });
  const toggleWatermark = useMutation({
    mutationFn: (enabled: boolean) => setWatermark(enabled),
    onSuccess: (s) => {
      qc.setQueryData(WATERMARK_KEY, s);
      void message.success(t(s.enabled ? "exports.watermarkOn" : "exports.watermarkOff"));
    },
    onError: (e) => void message.error(e.message),
  });

  if (list.error) return <Result status="error" title={t("exports.loadFailed")} subTitle={list.error.message} />;
  const myId = me.data?.id;
  const canApprove = list.data?.canApprove === true;

  const columns = [
    {
      key: "object",
      title: t("exports.object"),
      render: (_: unknown, r: ExportRequestView) => {
        const o = meta.lookup(r.object);
        return (
          <Space size={4}>
            <span>{o ? label(o.labelPlural, r.object) : r.object}</span>
            {r.clear && <Tag color="purple">{t("exports.clearValues")}</Tag>}
          </Space>
        );
      },
    },
    { key: "rows", title: t("exports.rows"), align: "right" as const, render: (_: unknown, r: ExportRequestView) => formatNumber(r.rows, i18n.language) },
    { key: "format", title: t("exports.format"), render: (_: unknown, r: ExportRequestView) => r.format.toUpperCase() },
    { key: "requester", title: t("exports.requester"), render: (_: unknown, r: ExportRequestView) => r.requester.name },
    { key: "reason", title: t("exports.reason"), render: (_: unknown, r: ExportRequestView) => <Typography.Text ellipsis={{ tooltip: r.reason }}>{r.reason}</Typography.Text> },
    { key: "createdAt", title: t("exports.createdAt"), render: (_: unknown, r: ExportRequestView) => when(r.createdAt, i18n.language) },
    {
      key: "status",
      title: t("exports.status"),
      render: (_: unknown, r: ExportRequestView) => (
        <Tooltip title={r.comment ?? undefined}>
          <Tag color={STATUS_COLOR[r.status]} data-testid={`export-status-${r.id}`}>
            {t(`exports.status_${r.status}`)}
          </Tag>
        </Tooltip>
      ),
    },
    { key: "approver", title: t("exports.approver"), render: (_: unknown, r: ExportRequestView) => r.approver?.name ?? "" },
    {
      key: "actions",
      title: t("exports.actions"),
      render: (_: unknown, r: ExportRequestView) => {
        const mine = r.requester.id === myId;
        if (r.status === "approved" && mine) {
          return (
            <Tooltip title={t("exports.expires", { time: when(r.expiresAt, i18n.language) })}>
              <Button type="primary" size="small" icon={<DownloadOutlined />} loading={download.isPending && download.variables === r.id} onClick={() => download.mutate(r.id)} data-testid={`export-download-${r.id}`}>
                {t("exports.download")}
              </Button>
            </Tooltip>
          );
        }
        if (r.status !== "pending") return null;
        if (mine) return <Typography.Text type="secondary">{canApprove ? t("exports.ownRequest") : t("exports.waiting")}</Typography.Text>;
        if (!canApprove) return null;
        return (
          <Space>
            <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setDeciding({ request: r, decision: "approve" })} data-testid={`export-approve-${r.id}`}>
              {t("exports.approve")}
            </Button>
            <Button size="small" danger icon={<CloseOutlined />} onClick={() => setDeciding({ request: r, decision: "reject" })} data-testid={`export-reject-${r.id}`}>
              {t("exports.reject")}
            </Button>
          </Space>
        );
      },
    },
  ];

  return (
    <div className="rl-list-page" data-testid="export-requests-page">
      <div className="rl-page-header">
        <div className="rl-page-title">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("exports.title")}
          </Typography.Title>
        </div>
        <div className="rl-page-actions">
          {me.data?.isAdmin && (
            <Space>
              <Switch
                checked={watermark.data?.enabled === true}
                loading={watermark.isLoading || toggleWatermark.isPending}
                onChange={(v) => toggleWatermark.mutate(v)}
                data-testid="watermark-switch"
              />
              <span>{t("exports.watermark")}</span>
            </Space>
          )}
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()}>
            {t("common.refresh")}
          </Button>
        </div>
      </div>
      <Typography.Paragraph type="secondary">{t("exports.intro", { threshold: formatNumber(settings.data?.approvalThreshold ?? 10_000, i18n.language) })}</Typography.Paragraph>
      <Table<ExportRequestView>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={list.data?.requests ?? []}
        columns={columns}
        pagination={false}
        locale={{ emptyText: t("exports.empty") }}
        data-testid="export-requests"
      />
      <Modal
        open={deciding !== null}
        title={deciding ? t(deciding.decision === "approve" ? "exports.approveTitle" : "exports.rejectTitle") : ""}
        okText={deciding ? t(deciding.decision === "approve" ? "exports.approve" : "exports.reject") : ""}
        okButtonProps={{ danger: deciding?.decision === "reject", loading: decide.isPending, "data-testid": "export-decision-ok" }}
        cancelText={t("common.cancel")}
        onCancel={() => setDeciding(null)}
        onOk={() => deciding && decide.mutate({ id: deciding.request.id, decision: deciding.decision, comment })}
        destroyOnHidden
      >
        {deciding && (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Typography.Text>
              {deciding.request.requester.name} · {formatNumber(deciding.request.rows, i18n.language)} {t("exports.rows")} · {deciding.request.format.toUpperCase()}
            </Typography.Text>
            {deciding.request.reason && <Typography.Text type="secondary">{deciding.request.reason}</Typography.Text>}
            <Input.TextArea rows={3} maxLength={1000} placeholder={t("exports.comment")} value={comment} onChange={(e) => setComment(e.target.value)} />
          </Space>
        )}
      </Modal>
    </div>
  );
}
