/**
 * The Export button's flow: ask the server for the plan (rows, threshold, masked fields); a small
 * export downloads at once; one over the threshold (or with masked fields in clear) asks for a
 * reason and becomes an export request a second person approves (see Export requests).
 */
import { App, Alert, Button, Checkbox, Input, Modal, Space, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { planExport, startExport, type ExportAsk, type ExportPlan } from "../api/exports";
import { formatNumber } from "./format";

export function useExportFlow(): { start: (ask: ExportAsk) => void; isBusy: boolean; dialog: ReactNode } {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<{ ask: ExportAsk; plan: ExportPlan } | null>(null);
  const [reason, setReason] = useState("");
  const [clear, setClear] = useState(false);

  const run = async (ask: ExportAsk) => {
    setBusy(true);
    try {
      const result = await startExport(ask);
      if (result.kind === "requested") {
        setPending(null);
        void message.success({
          content: (
            <span data-testid="export-requested">
              {t("exports.requested")}{" "}
              <Button type="link" size="small" onClick={() => void navigate("/exports")}>
                {t("exports.viewRequests")}
              </Button>
            </span>
          ),
          duration: 8,
        });
      } else setPending(null);
    } catch (e) {
      void message.error(`${t("exports.exportFailed")}: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const start = (ask: ExportAsk) => {
    setBusy(true);
    planExport(ask)
      .then((plan) => {
        setBusy(false);
        const offerClear = plan.maskedFields.length > 0 && plan.canReveal;
        if (!plan.needsApproval && !offerClear) return run(ask);
        setReason("");
        setClear(false);
        setPending({ ask, plan });
      })
      .catch((e: unknown) => {
        setBusy(false);
        void message.error(`${t("exports.exportFailed")}: ${(e as Error).message}`);
      });
  };

  const plan = pending?.plan;
  const needsApproval = !!plan && (plan.needsApproval || clear);
  const rows = plan ? formatNumber(plan.rows, i18n.language) : "";
  const dialog = (
    <Modal
      open={pending !== null}
      title={needsApproval ? t("exports.requestTitle") : t("list.export")}
      okText={needsApproval ? t("exports.submitRequest") : t("exports.downloadNow")}
      okButtonProps={{ loading: busy, "data-testid": "export-submit" }}
      cancelText={t("common.cancel")}
      onCancel={() => setPending(null)}
      onOk={() => pending && void run({ ...pending.ask, ...(clear ? { clear: true } : {}), ...(needsApproval && reason.trim() ? { reason: reason.trim() } : {}) })}
      destroyOnHidden
    >
      {plan && (
        <Space orientation="vertical" style={{ width: "100%" }}>
          {plan.reasons.includes("rows") ? (
            <Alert type="warning" showIcon title={t("exports.rowsOver", { rows, threshold: formatNumber(plan.threshold, i18n.language) })} />
          ) : (
            <Typography.Text>{t("exports.rowsCount", { rows })}</Typography.Text>
          )}
          {plan.maskedFields.length > 0 && plan.canReveal && (
            <Checkbox checked={clear} onChange={(e) => setClear(e.target.checked)} data-testid="export-clear">
              {t("exports.includeClear", { fields: plan.maskedFields.join(", ") })}
            </Checkbox>
          )}
          {clear && !plan.needsApproval && <Typography.Text type="secondary">{t("exports.clearNeedsApproval")}</Typography.Text>}
          {needsApproval && (
            <>
              <Typography.Text strong>{t("exports.reasonLabel")}</Typography.Text>
              <Input.TextArea rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="export-reason" />
            </>
          )}
        </Space>
      )}
    </Modal>
  );
  return { start, isBusy: busy, dialog };
}
