/**
 * Schema sync: derive the DDL each object needs from the difference between its metadata and the
 * real table, apply it inside the caller's transaction, and log every statement in schema_change.
 * It adds tables, columns and indexes; it never drops anything on its own (deleteField does, explicitly).
 */
import crypto from "node:crypto";
import { sql } from "kysely";
import { columnsOf, tableName, type FieldDef, type ObjectDef } from "@revline/core";
import type { Db, Dialect } from "../context";
import { quoteIdent, newId } from "../db";

export type SchemaChange = { object: string; kind: "create_table" | "add_column" | "create_index" | "drop_column" | "drop_index"; ddl: string };

type TableState = { columns: Set<string>; indexes: Set<string> };

/** Storage type of each column of a field, in column order. */
export function columnTypes(field: FieldDef, dialect: Dialect): string[] {
  const pg = dialect === "postgres";
  switch (field.type) {
    case "integer":
    case "decimal":
    case "percent":
      return [pg ? "bigint" : "integer"];
    case "currency":
      return [pg ? "bigint" : "integer", "text"];
    case "boolean":
      return [pg ? "boolean" : "integer"];
    case "date":
      return [pg ? "date" : "text"];
    case "datetime":
      return [pg ? "timestamptz" : "text"];
    default:
      return ["text"];
  }
}

function systemColumnsDdl(dialect: Dialect): string[] {
  const ts = dialect === "postgres" ? "timestamptz" : "text";
  const big = dialect === "postgres" ? "bigint" : "integer";
  return [
    `"id" text primary key`,
    `"created_at" ${ts} not null`,
    `"created_by" text not null`,
    `"updated_at" ${ts} not null`,
    `"updated_by" text not null`,
    `"version" ${big} not null`,
    `"deleted_at" ${ts}`,
  ];
}

function fieldColumnsDdl(field: FieldDef, dialect: Dialect): string[] {
  const types = columnTypes(field, dialect);
  return columnsOf(field).map((c, i) => `${quoteIdent(c)} ${types[i]}`);
}

/** PostgreSQL truncates identifiers at 63 bytes; long names get a short hash so they stay distinct. */
export function indexName(table: string, suffix: string): string {
  const name = `${table}__${suffix}`;
  if (name.length <= 60) return name;
  const hash = crypto.createHash("sha256").update(name).digest("hex").slice(0, 10);
  return `${name.slice(0, 49)}_${hash}`;
}

export type IndexDef = { name: string; columns: string[]; unique: boolean };

/** The indexes an object wants: unique fields, relations, its name field, picklists and dates for filters, and the default list order. */
export function wantedIndexes(object: ObjectDef): IndexDef[] {
  const table = tableName(object.name);
  const out: IndexDef[] = [{ name: indexName(table, "deleted_created"), columns: ["deleted_at", "created_at"], unique: false }];
  for (const field of object.fields) {
    const col = columnsOf(field)[0]!;
    if (field.unique) out.push({ name: indexName(table, `${col}_uq`), columns: [col], unique: true });
    else if (field.type === "relation" || field.name === object.nameField || field.type === "picklist" || field.type === "date")
      out.push({ name: indexName(table, `${col}_idx`), columns: [col], unique: false });
  }
  return out;
}

async function readTableState(db: Db, table: string): Promise<TableState | null> {
  if (db.dialect === "sqlite") {
    const t = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(db.kysely);
    if (!t.rows.length) return null;
    const cols = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db.kysely);
    const idx = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db.kysely);
    return { columns: new Set(cols.rows.map((r) => r.name)), indexes: new Set(idx.rows.map((r) => r.name)) };
  }
  const cols = await sql<{ name: string }>`select column_name as name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}`.execute(db.kysely);
  if (!cols.rows.length) return null;
  const idx = await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db.kysely);
  return { columns: new Set(cols.rows.map((r) => r.name)), indexes: new Set(idx.rows.map((r) => r.name)) };
}

/** The DDL that brings one object's table in line with its metadata (empty when it already is). */
export async function planObjectSchema(db: Db, object: ObjectDef): Promise<SchemaChange[]> {
  const table = tableName(object.name);
  const state = await readTableState(db, table);
  const changes: SchemaChange[] = [];
  const q = quoteIdent(table);
  if (!state) {
    const cols = [...systemColumnsDdl(db.dialect), ...object.fields.flatMap((f) => fieldColumnsDdl(f, db.dialect))];
    changes.push({ object: object.name, kind: "create_table", ddl: `create table ${q} (${cols.join(", ")})` });
  } else {
    for (const field of object.fields) {
      const types = columnTypes(field, db.dialect);
      columnsOf(field).forEach((c, i) => {
        if (!state.columns.has(c)) changes.push({ object: object.name, kind: "add_column", ddl: `alter table ${q} add column ${quoteIdent(c)} ${types[i]}` });
      });
    }
  }
  for (const idx of wantedIndexes(object)) {
    if (state?.indexes.has(idx.name)) continue;
    const cols = idx.columns.map(quoteIdent).join(", ");
    changes.push({ object: object.name, kind: "create_index", ddl: `create ${idx.unique ? "unique " : ""}index ${quoteIdent(idx.name)} on ${q} (${cols})` });
  }
  return changes;
}

/** Plans and applies the DDL for the given objects; call inside a transaction. Returns what it applied. */
export async function syncSchema(db: Db, objects: ObjectDef[], now = new Date()): Promise<SchemaChange[]> {
  const applied: SchemaChange[] = [];
  for (const object of objects) {
    for (const change of await planObjectSchema(db, object)) {
      await applyChange(db, change, now);
      applied.push(change);
    }
  }
  return applied;
}

export async function applyChange(db: Db, change: SchemaChange, now = new Date()): Promise<void> {
  await sql.raw(change.ddl).execute(db.kysely);
  await db.kysely
    .insertInto("schema_change")
    .values({ id: newId(), at: now.toISOString(), object: change.object, kind: change.kind, ddl: change.ddl })
    .execute();
}

/** DDL that removes a field's columns (and its index first: SQLite refuses to drop an indexed column). */
export function planDropField(object: ObjectDef, field: FieldDef): SchemaChange[] {
  const table = tableName(object.name);
  const changes: SchemaChange[] = [];
  for (const suffix of ["_uq", "_idx"]) {
    const name = indexName(table, `${columnsOf(field)[0]}${suffix}`);
    changes.push({ object: object.name, kind: "drop_index", ddl: `drop index if exists ${quoteIdent(name)}` });
  }
  for (const c of columnsOf(field)) changes.push({ object: object.name, kind: "drop_column", ddl: `alter table ${quoteIdent(table)} drop column ${quoteIdent(c)}` });
  return changes;
}
