/**
 * The row-condition editor of a role's policy: the list filter builder (same fields, operators,
 * labels and value editors), plus paths through relations ("Owner › Team") and $actor variables as
 * values ("is Current user", "is any of My teams", "My partner region"), which row rules need.
 */
import { type Condition, type FieldDef, type MetadataLookup, type ObjectDef, type Operator } from "@revline/core";
import { QueryBuilderAntD } from "@react-querybuilder/antd";
import { Input, Select, Space } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { QueryBuilder, type Field, type RuleGroupType, type ValueEditorProps } from "react-querybuilder";
import { builderCombinators, builderFields, builderTranslations } from "../condition-builder";
import { conditionFromQuery, LIST_OPERATORS, queryFromCondition } from "../condition-query";
import { ConditionValueEditor, type BuilderLocale } from "../condition-value-editor";
import { ACTOR_VALUE_CHOICES, isActorValue, pathsOf, pick, resolvePath } from "./row-condition";

const ACTOR_OPERATORS: readonly Operator[] = ["eq", "ne", "in", "nin", "contains", "not_contains", "starts_with", "ends_with", "has_any", "has_all"];
const FIXED = "__fixed";

function relationFields(o: ObjectDef | undefined): FieldDef[] {
  return (o?.fields ?? []).filter((f) => f.type === "relation" && f.relation && !f.isSystem && f.name !== "created_by" && f.name !== "updated_by");
}

function toField(def: FieldDef, name: string, label: string, locale: BuilderLocale): Field {
  // The list builder's operators and their labels, for a field reached through a relation path.
  const single = { name: "_", label: { en: "", zh: "" }, labelPlural: { en: "", zh: "" }, nameField: def.name, fields: [def] } as unknown as ObjectDef;
  const base = builderFields(single, () => undefined, locale)[0]!;
  return { ...base, name, label, fieldDef: def };
}

/** The list builder's fields plus relation paths up to two hops (owner.team, opportunity.owner.team). */
export function rowConditionFields(object: ObjectDef, meta: MetadataLookup, locale: BuilderLocale, extraPaths: string[] = []): Field[] {
  const out = builderFields(object, meta, locale);
  const seen = new Set(out.map((f) => f.name));
  const add = (path: string) => {
    if (seen.has(path)) return;
    const r = resolvePath(object, meta, path, locale);
    if (!r) return;
    seen.add(path);
    out.push(toField(r.def, path, r.label, locale));
  };
  for (const r1 of relationFields(object)) {
    const t1 = meta(r1.relation!.object);
    for (const r2 of relationFields(t1)) {
      add(`${r1.name}.${r2.name}`);
      for (const r3 of relationFields(meta(r2.relation!.object))) if (r1.relation!.object !== "user") add(`${r1.name}.${r2.name}.${r3.name}`);
    }
  }
  for (const p of extraPaths) add(p);
  return out;
}


function actorChoicesFor(def: FieldDef) {
  if (def.type === "relation") return ACTOR_VALUE_CHOICES.filter((c) => c.forRelation?.includes(def.relation?.object ?? ""));
  if (def.type === "text" || def.type === "email") return ACTOR_VALUE_CHOICES.filter((c) => c.forText);
  return [];
}

/** Value editor: "a fixed value" or one of the current user's variables; fixed values use the list's editors. */
export function RowValueEditor(props: ValueEditorProps) {
  const def = (props.fieldData as { fieldDef?: FieldDef }).fieldDef;
  const locale: BuilderLocale = (props.context as { locale?: BuilderLocale } | undefined)?.locale ?? "en";
  const op = props.operator as Operator;
  const choices = def && ACTOR_OPERATORS.includes(op) ? actorChoicesFor(def) : [];
  if (!def || choices.length === 0) return <ConditionValueEditor {...props} />;
  const value: unknown = props.value;
  const actor = isActorValue(value) ? value.$actor : undefined;
  const isList = LIST_OPERATORS.includes(op);
  const fixed = () => {
    if (def.type !== "relation") return <ConditionValueEditor {...props} value={isActorValue(value) ? "" : value} />;
    if (isList) {
      const list = Array.isArray(value) ? value.map(String) : [];
      return <Select style={{ minWidth: 240 }} mode="tags" value={list} tokenSeparators={[","]} placeholder={pick(locale, "Record ids, Enter after each", "记录 ID，逐个回车")} onChange={(vs: string[]) => props.handleOnChange(vs)} />;
    }
    return <Input style={{ width: 240 }} placeholder={pick(locale, "Record id", "记录 ID")} value={typeof value === "string" ? value : ""} onChange={(e) => props.handleOnChange(e.target.value)} />;
  };
  return (
    <Space.Compact>
      <Select
        style={{ width: 220 }}
        value={actor ?? FIXED}
        data-testid="row-value-source"
        onChange={(v: string) => props.handleOnChange(v === FIXED ? (isList ? [] : "") : { $actor: v })}
        options={[
          { value: FIXED, label: pick(locale, "A fixed value…", "固定值…") },
          { label: pick(locale, "The signed-in user's", "当前登录用户的"), options: choices.map((c) => ({ value: c.value, label: pick(locale, c.en, c.zh) })) },
        ]}
      />
      {actor === undefined && fixed()}
    </Space.Compact>
  );
}

export type RowConditionBuilderProps = {
  object: ObjectDef;
  meta: MetadataLookup;
  value: Condition | null;
  onChange: (c: Condition | null) => void;
  locale: BuilderLocale;
};

export function RowConditionBuilder({ object, meta, value, onChange, locale }: RowConditionBuilderProps) {
  const [query, setQuery] = useState<RuleGroupType>(() => queryFromCondition(value ?? undefined));
  const lastEmitted = useRef(JSON.stringify(value ?? null));
  const initialPaths = useMemo(() => pathsOf(value), [value]);
  const fields = useMemo(() => rowConditionFields(object, meta, locale, initialPaths), [object, meta, locale, initialPaths]);

  useEffect(() => {
    const incoming = JSON.stringify(value ?? null);
    if (incoming !== lastEmitted.current) {
      lastEmitted.current = incoming;
      setQuery(queryFromCondition(value ?? undefined));
    }
  }, [value]);

  const zh = locale === "zh-CN";
  return (
    <QueryBuilderAntD>
      <QueryBuilder
        fields={fields}
        query={query}
        onQueryChange={(q: RuleGroupType) => {
          setQuery(q);
          const cond = conditionFromQuery(q) ?? null;
          lastEmitted.current = JSON.stringify(cond);
          onChange(cond);
        }}
        combinators={builderCombinators(zh)}
        controlElements={{ valueEditor: RowValueEditor }}
        context={{ locale }}
        showNotToggle
        resetOnOperatorChange
        translations={builderTranslations(zh)}
      />
    </QueryBuilderAntD>
  );
}

