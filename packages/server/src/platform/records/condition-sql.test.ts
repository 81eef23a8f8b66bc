import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteDialect } from "kysely";
import type { Condition, FieldDef, ObjectDef } from "@revline/core";
import { compileCondition, registerSqliteFunctions } from "./condition-sql";

const L = (en: string) => ({ en, zh: en });
const f = (name: string, type: FieldDef["type"], extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, label: L(name), ...extra });
const account = { name: "account", label: L("Account"), labelPlural: L("Accounts"), nameField: "name", fields: [f("name", "text"), f("owner", "relation", { relation: { object: "user" } })] } satisfies ObjectDef;
const user = { name: "user", label: L("User"), labelPlural: L("Users"), nameField: "name", fields: [f("name", "text")] } satisfies ObjectDef;
const deal = {
  name: "deal", label: L("Deal"), labelPlural: L("Deals"), nameField: "name",
  fields: [f("name", "text"), f("amount", "currency", { currency: "USD" }), f("account", "relation", { relation: { object: "account" } })],
} satisfies ObjectDef;
const meta = (n: string) => [account, user, deal].find((o) => o.name === n);
const now = new Date("2024-03-06T12:00:00Z");

const pgDb = new Kysely<any>({ // eslint-disable-line @typescript-eslint/no-explicit-any
  dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() },
});
const compilePg = (cond: Condition) => pgDb.selectFrom("obj_deal").select("id").where(compileCondition(cond, { object: deal, meta, dialect: "postgres", now })).compile();

describe("compileCondition", () => {
  it("passes values as parameters, never as SQL text", () => {
    const evil = "x'); DROP TABLE obj_deal; --";
    const q = compilePg({ any: [{ field: "name", op: "eq", value: evil }, { field: "name", op: "contains", value: evil }] });
    expect(q.sql).not.toContain("DROP");
    expect(q.parameters).toEqual([evil, evil]);
  });

  it("compiles a relation path to nested IN subqueries that skip deleted records", () => {
    const q = compilePg({ field: "account.owner.name", op: "eq", value: "Ann" });
    expect(q.sql).toBe(
      'select "id" from "obj_deal" where ("account_id" IS NOT NULL AND "account_id" IN (SELECT "rl_p1"."id" FROM "obj_account" AS "rl_p1" WHERE "rl_p1"."deleted_at" IS NULL AND ' +
        '("rl_p1"."owner_id" IS NOT NULL AND "rl_p1"."owner_id" IN (SELECT "rl_p2"."id" FROM "obj_user" AS "rl_p2" WHERE "rl_p2"."deleted_at" IS NULL AND ("rl_p2"."name" IS NOT NULL AND "rl_p2"."name" = $1)))))',
    );
    expect(q.parameters).toEqual(["Ann"]);
  });

  it("scales currency amounts to 4 digits: 1054.5 -> 10545000 (as text for pg int8)", () => {
    const q = compilePg({ field: "amount", op: "gte", value: "1054.5" });
    expect(q.parameters).toEqual(["10545000"]);
    expect(q.sql).toContain("WHEN \"amount_currency\" IN ('JPY'");
  });

  it("folds case beyond ASCII on SQLite through rl_lower", async () => {
    const raw = new Database(":memory:");
    registerSqliteFunctions(raw);
    raw.exec("CREATE TABLE obj_deal (id text primary key, name text, amount integer, amount_currency text, account_id text, deleted_at text)");
    raw.exec("INSERT INTO obj_deal (id, name) VALUES ('1', 'ÉCOLE'), ('2', '张伟'), ('3', NULL), ('4', '50% OFF')");
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const ids = async (cond: Condition) =>
      (await db.selectFrom("obj_deal").select("id").where(compileCondition(cond, { object: deal, meta, dialect: "sqlite", now })).orderBy("id").execute()).map((r) => r.id as string);
    expect(await ids({ field: "name", op: "contains", value: "éco" })).toEqual(["1"]);
    expect(await ids({ field: "name", op: "starts_with", value: "张" })).toEqual(["2"]);
    expect(await ids({ field: "name", op: "ends_with", value: "% off" })).toEqual(["4"]);
    expect(await ids({ field: "name", op: "not_contains", value: "%" })).toEqual(["1", "2", "3"]);
    expect(await ids({ not: { field: "name", op: "eq", value: "张伟" } })).toEqual(["1", "3", "4"]);
    await db.destroy();
  });
});
