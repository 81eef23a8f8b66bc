/**
 * Asked before a card lands in a closing stage: a won deal needs its close date (today by default)
 * and an amount when it has none; a lost deal its close date and, where the object has such a
 * field, a reason. Confirming hands the extra values to the move; cancelling leaves the card where it was.
 */
import type { FieldDef, ObjectDef } from "@revline/core";
import { Form, Modal, Typography } from "antd";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import type { RecordData } from "../../api/records";
import { useLabel } from "../../i18n";
import { FieldInput } from "../../platform/field-input";
import { isCurrencyValue, text } from "../../platform/format";
import { fieldOf } from "../../platform/metadata";

export type Closing = { card: RecordData; from: string; to: string; outcome: "won" | "lost" };

/** Fields a lost deal's reason may live in, first found wins (none in the standard object). */
const REASON_FIELDS = ["lost_reason", "loss_reason", "close_reason", "reason_lost"];

export function reasonFieldOf(object: ObjectDef): FieldDef | undefined {
  for (const name of REASON_FIELDS) {
    const f = fieldOf(object, name);
    if (f) return f;
  }
  return undefined;
}

export function CloseDealModal({
  closing,
  object,
  stageLabel,
  onCancel,
  onConfirm,
}: {
  closing: Closing;
  object: ObjectDef;
  stageLabel: string;
  onCancel: () => void;
  onConfirm: (patch: Record<string, unknown>) => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const [form] = Form.useForm<Record<string, unknown>>();
  const closeDate = fieldOf(object, "close_date");
  const amount = closing.outcome === "won" && !isCurrencyValue(closing.card.amount) ? fieldOf(object, "amount") : undefined;
  const reason = closing.outcome === "lost" ? reasonFieldOf(object) : undefined;
  const name = text(closing.card.name);
  const initial: Record<string, unknown> = { close_date: dayjs().format("YYYY-MM-DD") };
  const item = (field: FieldDef | undefined, required: boolean, title: string) =>
    field && (
      <Form.Item name={field.name} label={label(field.label, title)} rules={required ? [{ required: true, message: t("pipeline.required") }] : undefined}>
        <FieldInput field={field} />
      </Form.Item>
    );
  return (
    <Modal
      open
      title={t(closing.outcome === "won" ? "pipeline.closeWonTitle" : "pipeline.closeLostTitle", { name })}
      okText={t("pipeline.closeConfirm", { stage: stageLabel })}
      cancelText={t("common.cancel")}
      onCancel={onCancel}
      onOk={() =>
        void form
          .validateFields()
          .then((v) => onConfirm(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== null && x !== ""))))
          .catch(() => undefined /* the form shows what is missing */)
      }
      okButtonProps={{ ...({ "data-testid": "close-deal-ok" } as object) }}
      cancelButtonProps={{ ...({ "data-testid": "close-deal-cancel" } as object) }}
    >
      <div data-testid="close-deal-form">
        <Typography.Paragraph type="secondary">{t("pipeline.closeHint")}</Typography.Paragraph>
        <Form form={form} layout="vertical" initialValues={initial} requiredMark={false}>
          {item(closeDate, true, t("pipeline.closeDate"))}
          {item(amount, true, t("pipeline.amount"))}
          {item(reason, false, t("pipeline.reason"))}
        </Form>
      </div>
    </Modal>
  );
}
