/** Standard objects for selling, synced into metadata at start so admins can extend them. */
import type { FieldDef, ObjectDef, PicklistOption } from "@revline/core";

const f = (name: string, type: FieldDef["type"], en: string, zh: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  label: { en, zh },
  isStandard: true,
  ...extra,
});
const rel = (name: string, object: string, en: string, zh: string, extra: Partial<FieldDef> = {}) =>
  f(name, "relation", en, zh, { relation: { object }, ...extra });
const opt = (value: string, en: string, zh: string, color?: string): PicklistOption => ({ value, label: { en, zh }, ...(color ? { color } : {}) });
const obj = (name: string, en: string, zh: string, enPlural: string, icon: string, fields: FieldDef[], extra: Partial<ObjectDef> = {}): ObjectDef => ({
  name,
  label: { en, zh },
  labelPlural: { en: enPlural, zh },
  icon,
  nameField: "name",
  isStandard: true,
  module: "sales",
  fields,
  ...extra,
});

export const accountObject = obj("account", "Account", "客户", "Accounts", "BankOutlined", [
  f("name", "text", "Name", "客户名称", { required: true }),
  f("industry", "text", "Industry", "行业"),
  f("website", "url", "Website", "网站"),
  f("phone", "phone", "Phone", "电话", { maskKind: "phone" }),
  f("employees", "integer", "Employees", "员工人数", { validation: { min: 0 } }),
  f("annual_revenue", "currency", "Annual revenue", "年收入", { currency: "USD", maskKind: "amount_range" }),
  f("year_established", "integer", "Year established", "成立年份", { validation: { min: 1000, max: 9999 } }),
  f("country", "text", "Country", "国家"),
  f("city", "text", "City", "城市"),
  rel("parent_account", "account", "Parent account", "母公司"),
  rel("owner", "user", "Owner", "负责人"),
  rel("region", "region", "Region", "区域"),
  f("external_id", "text", "External ID", "外部编号", { unique: true }),
], { externalKeyField: "external_id" });

export const contactObject = obj("contact", "Contact", "联系人", "Contacts", "ContactsOutlined", [
  f("first_name", "text", "First name", "名"),
  f("last_name", "text", "Last name", "姓"),
  f("name", "text", "Full name", "姓名", { required: true, maskKind: "person_name" }),
  f("email", "email", "Email", "邮箱", { maskKind: "email" }),
  f("phone", "phone", "Phone", "电话", { maskKind: "phone" }),
  f("title", "text", "Title", "职位"),
  rel("account", "account", "Account", "客户"),
  rel("owner", "user", "Owner", "负责人"),
]);

export const leadObject = obj("lead", "Lead", "线索", "Leads", "AimOutlined", [
  f("name", "text", "Name", "姓名", { required: true, maskKind: "person_name" }),
  f("company", "text", "Company", "公司"),
  f("email", "email", "Email", "邮箱", { maskKind: "email" }),
  f("phone", "phone", "Phone", "电话", { maskKind: "phone" }),
  f("status", "picklist", "Status", "状态", {
    defaultValue: "new",
    options: [opt("new", "New", "新建", "blue"), opt("working", "Working", "跟进中", "orange"), opt("qualified", "Qualified", "已转化", "green"), opt("unqualified", "Unqualified", "无效", "default")],
  }),
  f("source", "picklist", "Source", "来源", {
    options: [opt("web", "Web", "官网"), opt("referral", "Referral", "推荐"), opt("event", "Event", "活动"), opt("partner", "Partner", "合作伙伴"), opt("other", "Other", "其他")],
  }),
  rel("owner", "user", "Owner", "负责人"),
  rel("region", "region", "Region", "区域"),
]);

export const OPPORTUNITY_STAGES = ["Prospecting", "Engaging", "Won", "Lost"] as const;

export const opportunityObject = obj("opportunity", "Opportunity", "商机", "Opportunities", "FundOutlined", [
  f("name", "text", "Name", "商机名称", { required: true }),
  rel("account", "account", "Account", "客户"),
  f("stage", "picklist", "Stage", "阶段", {
    required: true,
    defaultValue: "Prospecting",
    options: [opt("Prospecting", "Prospecting", "潜在", "blue"), opt("Engaging", "Engaging", "跟进中", "orange"), opt("Won", "Won", "赢单", "green"), opt("Lost", "Lost", "输单", "red")],
  }),
  f("amount", "currency", "Amount", "金额", { currency: "USD", maskKind: "amount_range" }),
  f("close_date", "date", "Close date", "结单日期"),
  f("engage_date", "date", "Engage date", "接洽日期"),
  f("probability", "percent", "Probability", "赢率", { scale: 2, validation: { min: 0, max: 100 } }),
  f("sales_mode", "picklist", "Sales mode", "销售模式", {
    defaultValue: "direct",
    options: [opt("direct", "Direct", "直销"), opt("channel", "Channel", "渠道"), opt("online", "Online", "线上")],
  }),
  rel("owner", "user", "Owner", "负责人"),
  rel("region", "region", "Region", "区域"),
  f("next_step", "text", "Next step", "下一步"),
  f("description", "long_text", "Description", "描述"),
  f("external_id", "text", "External ID", "外部编号", { unique: true }),
], { externalKeyField: "external_id" });

export const productObject = obj("product", "Product", "产品", "Products", "AppstoreOutlined", [
  f("name", "text", "Name", "产品名称", { required: true, unique: true }),
  f("code", "text", "Code", "编码"),
  f("series", "text", "Series", "系列"),
  f("list_price", "currency", "List price", "标准价", { currency: "USD" }),
  f("is_active", "boolean", "Active", "启用", { defaultValue: true }),
], { externalKeyField: "name" });

export const opportunityLineObject = obj("opportunity_line", "Opportunity line", "商机明细", "Opportunity lines", "OrderedListOutlined", [
  f("name", "text", "Name", "名称"),
  rel("opportunity", "opportunity", "Opportunity", "商机", { required: true }),
  rel("product", "product", "Product", "产品", { required: true }),
  f("quantity", "decimal", "Quantity", "数量", { scale: 2, required: true, defaultValue: 1, validation: { min: 0 } }),
  f("unit_price", "currency", "Unit price", "单价", { currency: "USD" }),
  f("discount", "percent", "Discount", "折扣", { scale: 2, defaultValue: 0, validation: { min: 0, max: 100 } }),
  // Computed by the sales module: quantity * unit_price * (1 - discount/100), half-up at the currency's scale.
  f("total", "currency", "Total", "小计", { currency: "USD", computed: true }),
]);

export const salesObjects: ObjectDef[] = [accountObject, contactObject, leadObject, opportunityObject, productObject, opportunityLineObject];
