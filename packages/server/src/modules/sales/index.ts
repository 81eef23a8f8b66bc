/**
 * Sales: accounts, contacts, leads, opportunities, products and opportunity lines (the objects are
 * declared in sales.objects.ts and synced into metadata at start). The module registers how an
 * opportunity line's total is computed; everything else goes through records.
 */
import { Dec, multiplyMoney, type Money } from "@revline/core";
import { registerComputedField } from "../../platform/records";

export { salesObjects, accountObject, contactObject, leadObject, opportunityObject, productObject, opportunityLineObject, OPPORTUNITY_STAGES } from "./sales.objects";

/** total = quantity * unit_price * (1 - discount / 100), rounded half-up at the currency's scale. */
export function opportunityLineTotal(values: Record<string, unknown>): Money | null {
  const price = values.unit_price as Money | null | undefined;
  const quantity = values.quantity as number | null | undefined;
  if (!price || quantity === null || quantity === undefined) return null;
  const discount = (values.discount as number | null | undefined) ?? 0;
  const factor = new Dec(String(quantity)).times(new Dec(1).minus(new Dec(String(discount)).div(100)));
  return multiplyMoney(price, factor, "half_up");
}

/** Called once at start (app.ts, tests): registers the module's computed fields. */
export function registerSalesModule(): void {
  registerComputedField("opportunity_line", "total", opportunityLineTotal);
}
