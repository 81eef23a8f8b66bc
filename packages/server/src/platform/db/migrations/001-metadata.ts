import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/** Object and field definitions (one JSON definition per row), the metadata version, the DDL log. */
export const metadataMigration: Migration = {
  id: "001-metadata",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table meta_object (
      name text primary key,
      definition text not null,
      is_standard ${t.boolean} not null,
      module text,
      created_at ${t.timestamp} not null,
      updated_at ${t.timestamp} not null)`);
    await run(`create table meta_field (
      object text not null references meta_object(name) on delete cascade,
      name text not null,
      definition text not null,
      is_standard ${t.boolean} not null,
      position integer not null,
      created_at ${t.timestamp} not null,
      updated_at ${t.timestamp} not null,
      primary key (object, name))`);
    // Bumped on every metadata change so that other app nodes notice and reload their cache.
    await run(`create table meta_state (id integer primary key, version ${t.bigint} not null)`);
    await run(`insert into meta_state (id, version) values (1, 0)`);
    await run(`create table schema_change (
      id text primary key,
      at ${t.timestamp} not null,
      object text not null,
      kind text not null,
      ddl text not null)`);
    await run(`create index schema_change_at on schema_change (at)`);
  },
};
