/**
 * Pure helpers of the row-condition editor: relation paths resolved through metadata, the $actor
 * variables an admin may pick as values, and a condition in words for summaries and tooltips.
 */
import type { Condition, FieldDef, MetadataLookup, ObjectDef, Operator } from "@revline/core";

export type Locale = "en" | "zh-CN";

/** $actor variables an admin may pick as a value, with the field types they make sense for. */
export const ACTOR_VALUE_CHOICES: { value: string; en: string; zh: string; forRelation?: string[]; forText?: boolean }[] = [
  { value: "id", en: "Current user", zh: "当前用户", forRelation: ["user"] },
  { value: "subordinates", en: "My subordinates", zh: "我的下属", forRelation: ["user"] },
  { value: "manager", en: "My manager", zh: "我的上级", forRelation: ["user"] },
  { value: "team", en: "My team", zh: "我的团队", forRelation: ["team"] },
  { value: "teams", en: "My teams (with sub-teams)", zh: "我的团队（含下级团队）", forRelation: ["team"] },
  { value: "region", en: "My region", zh: "我的区域", forRelation: ["region"] },
  { value: "partner", en: "My partner region", zh: "我的合作伙伴区域", forRelation: ["region"] },
  { value: "name", en: "My name", zh: "我的姓名", forText: true },
  { value: "email", en: "My email", zh: "我的邮箱", forText: true },
];

export const pick = (locale: Locale, en: string, zh: string) => (locale === "zh-CN" ? zh : en);
const labelOf = (l: { en: string; zh: string }, locale: Locale) => (locale === "zh-CN" ? l.zh || l.en : l.en || l.zh);

export function actorLabel(name: string, locale: Locale): string {
  const c = ACTOR_VALUE_CHOICES.find((x) => x.value === name);
  return c ? pick(locale, c.en, c.zh) : `$actor.${name}`;
}

/** Resolves "account.owner.team" through metadata: the last field and its label path. */
export function resolvePath(object: ObjectDef, meta: MetadataLookup, path: string, locale: Locale): { def: FieldDef; label: string } | undefined {
  let current: ObjectDef | undefined = object;
  const labels: string[] = [];
  let def: FieldDef | undefined;
  for (const part of path.split(".")) {
    if (!current) return undefined;
    def = current.fields.find((f) => f.name === part);
    if (!def) return undefined;
    labels.push(labelOf(def.label, locale));
    current = def.type === "relation" && def.relation ? meta(def.relation.object) : undefined;
  }
  return def ? { def, label: labels.join(" › ") } : undefined;
}

export function pathsOf(c: Condition | null | undefined, out: string[] = []): string[] {
  if (!c) return out;
  if ("all" in c) c.all.forEach((x) => pathsOf(x, out));
  else if ("any" in c) c.any.forEach((x) => pathsOf(x, out));
  else if ("not" in c) pathsOf(c.not, out);
  else out.push(c.field);
  return out;
}

export const isActorValue = (v: unknown): v is { $actor: string } => typeof v === "object" && v !== null && !Array.isArray(v) && "$actor" in v;

const OP_WORDS: Partial<Record<Operator, [string, string]>> = {
  eq: ["is", "是"], ne: ["is not", "不是"], in: ["is any of", "属于"], nin: ["is none of", "不属于"], lt: ["<", "<"], lte: ["≤", "≤"], gt: [">", ">"], gte: ["≥", "≥"],
  contains: ["contains", "包含"], not_contains: ["does not contain", "不包含"], starts_with: ["starts with", "开头是"], ends_with: ["ends with", "结尾是"],
  has_any: ["has any of", "包含任一"], has_all: ["has all of", "包含全部"], is_empty: ["is empty", "为空"], is_not_empty: ["is not empty", "不为空"],
};

/** One line in words, e.g. "Owner is Current user or Owner › Team is any of My teams (with sub-teams)". */
export function describeCondition(c: Condition | null | undefined, object: ObjectDef, meta: MetadataLookup, locale: Locale): string {
  if (!c) return "";
  const zh = locale === "zh-CN";
  if ("all" in c) return c.all.map((x) => wrap(x, object, meta, locale)).join(zh ? " 且 " : " and ");
  if ("any" in c) return c.any.map((x) => wrap(x, object, meta, locale)).join(zh ? " 或 " : " or ");
  if ("not" in c) return `${zh ? "非" : "not"} (${describeCondition(c.not, object, meta, locale)})`;
  const field = resolvePath(object, meta, c.field, locale)?.label ?? c.field;
  const opWord = OP_WORDS[c.op]?.[zh ? 1 : 0] ?? c.op;
  const v = c.value;
  const shown = v === undefined || v === null ? "" : isActorValue(v) ? actorLabel(v.$actor, locale) : Array.isArray(v) ? v.map(String).join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v);
  return `${field} ${opWord}${shown ? ` ${shown}` : ""}`;
}

function wrap(c: Condition, object: ObjectDef, meta: MetadataLookup, locale: Locale): string {
  const s = describeCondition(c, object, meta, locale);
  return "field" in c ? s : `(${s})`;
}

