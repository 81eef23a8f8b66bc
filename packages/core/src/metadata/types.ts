/**
 * Metadata: the description of every object and field. The server stores these as rows in system
 * tables and derives real tables/columns from them; the web derives lists and forms from them.
 */
export type Locale = "en" | "zh-CN";
/** Every human-facing name exists in English and Simplified Chinese. */
export type Label = { en: string; zh: string };

export type FieldType =
  | "text" // single line, max 255 by default
  | "long_text"
  | "email"
  | "phone"
  | "url"
  | "integer"
  | "decimal" // exact: stored as a scaled integer (scale digits)
  | "percent" // like decimal, value 12.5 means 12.5 %
  | "currency" // exact: integer minor units + ISO 4217 code in storage
  | "boolean"
  | "date" // "YYYY-MM-DD"
  | "datetime" // ISO 8601 UTC "2024-01-05T10:00:00.000Z"
  | "picklist"
  | "multi_picklist"
  | "relation"; // many-to-one reference to another object's record

export type MaskKind = "person_name" | "phone" | "email" | "amount_range" | "text";

export type PicklistOption = { value: string; label: Label; color?: string };

export type FieldValidation = {
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  /** ECMAScript regular expression the whole value must match. */
  pattern?: string;
};

export type FieldDef = {
  /** snake_case identifier, /^[a-z][a-z0-9_]{0,62}$/; also the API key. */
  name: string;
  type: FieldType;
  label: Label;
  description?: Label;
  required?: boolean;
  unique?: boolean;
  /** Default in API value form, applied on create when the field is absent. */
  defaultValue?: unknown;
  /** picklist / multi_picklist options, in display order. */
  options?: PicklistOption[];
  /** relation: the target object. Storage column is `<name>_id`. */
  relation?: { object: string };
  /** decimal / percent: digits after the point (default 2, max 8). */
  scale?: number;
  /** currency: default ISO 4217 code when a bare amount is given. */
  currency?: string;
  /**
   * currency: the ISO 4217 codes the field accepts (absent: any). When they all share one scale,
   * sorting uses the stored minor units as they are (index-friendly); otherwise amounts are rescaled.
   */
  currencies?: string[];
  validation?: FieldValidation;
  /** How the value is masked for actors whose field rule says "masked" (issue 3). */
  maskKind?: MaskKind;
  /** id, created_at, ... : maintained by the platform, never writable through the API. */
  isSystem?: boolean;
  /** Declared in code by a module (cannot be deleted by an admin). */
  isStandard?: boolean;
  /** The platform computes the value (e.g. a line total); never writable through the API or forms. */
  computed?: boolean;
  /**
   * Only in metadata as the API presents it to an actor (never stored): "masked" = values come masked
   * and the field cannot be filtered, sorted, grouped or written; "read_only" = it cannot be written.
   */
  access?: "read_only" | "masked";
};

/** What the actor may do with an object, as the metadata API presents it (never stored). */
export type ObjectPermissions = { read: boolean; create: boolean; update: boolean; delete: boolean; export: boolean; import: boolean; share: boolean; reveal: boolean };

export type ObjectDef = {
  /** snake_case identifier; table `obj_<name>`. */
  name: string;
  label: Label;
  labelPlural: Label;
  /** Ant Design icon name for navigation, optional. */
  icon?: string;
  /** The field used as a record's title and for relation lookup by name. */
  nameField: string;
  /** Default key for bulk upsert and import (a unique field), if any. */
  externalKeyField?: string;
  fields: FieldDef[];
  isStandard?: boolean;
  /** Module that declared it (standard objects). */
  module?: string;
  /** Only in metadata as the API presents it to an actor (never stored). */
  permissions?: ObjectPermissions;
};

/** The system fields every record has, in API value form. */
export const SYSTEM_FIELDS: readonly FieldDef[] = [
  { name: "id", type: "text", label: { en: "ID", zh: "ID" }, isSystem: true },
  { name: "created_at", type: "datetime", label: { en: "Created at", zh: "创建时间" }, isSystem: true },
  { name: "created_by", type: "relation", relation: { object: "user" }, label: { en: "Created by", zh: "创建人" }, isSystem: true },
  { name: "updated_at", type: "datetime", label: { en: "Updated at", zh: "更新时间" }, isSystem: true },
  { name: "updated_by", type: "relation", relation: { object: "user" }, label: { en: "Updated by", zh: "更新人" }, isSystem: true },
  { name: "version", type: "integer", label: { en: "Version", zh: "版本" }, isSystem: true },
  { name: "deleted_at", type: "datetime", label: { en: "Deleted at", zh: "删除时间" }, isSystem: true },
];

/** All fields of an object, system fields first. */
export function allFields(object: ObjectDef): FieldDef[] {
  return [...SYSTEM_FIELDS, ...object.fields];
}

export function findField(object: ObjectDef, name: string): FieldDef | undefined {
  return SYSTEM_FIELDS.find((f) => f.name === name) ?? object.fields.find((f) => f.name === name);
}

/** A lookup of object definitions by name (the live metadata). */
export type MetadataLookup = (objectName: string) => ObjectDef | undefined;
