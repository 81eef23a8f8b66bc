/**
 * SQL and memory agree: random records of an object with every field type (nulls, unicode,
 * boundary numbers, several currencies) and related objects, random conditions (nested all/any/not,
 * relation paths, $actor variables, relative dates on a fixed clock). The SQL result set of
 * compileCondition must equal the records evaluateCondition accepts, on the dialect under test.
 * Tables are made here from the storage contract so that the test depends on nothing but it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import Database from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import {
  allFields, columnsOf, encodeField, evaluateCondition, fromMinor, operatorsFor, parseFieldInput, resolvePath, tableName, validateCondition,
  type Condition, type FieldDef, type ObjectDef, type Operator,
} from "@revline/core";
// The compiler alone is under test here, not the records layer built around it.
// eslint-disable-next-line boundaries/dependencies
import { compileCondition, registerSqliteFunctions } from "../src/platform/records/condition-sql";

type Dialect = "sqlite" | "postgres";
const dialect: Dialect = process.env.REVLINE_TEST_DIALECT === "postgres" ? "postgres" : "sqlite";
const PG_URL = process.env.REVLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SEED = Number(process.env.REVLINE_TEST_SEED ?? 20240306);
const RUNS = Number(process.env.REVLINE_TEST_RUNS ?? 300);
const NOW = new Date("2024-03-06T15:30:00.000Z"); // a Wednesday

const L = (en: string) => ({ en, zh: en });
const f = (name: string, type: FieldDef["type"], extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, label: L(name), ...extra });
const obj = (name: string, fields: FieldDef[]): ObjectDef => ({ name, label: L(name), labelPlural: L(name), nameField: "name", fields });
const opts = (...vs: string[]) => vs.map((v) => ({ value: v, label: L(v) }));

const user = obj("user", [f("name", "text")]);
const region = obj("region", [f("name", "text"), f("code", "text")]);
const org = obj("org", [f("name", "text"), f("region", "relation", { relation: { object: "region" } }), f("parent", "relation", { relation: { object: "org" } })]);
const item = obj("item", [
  f("name", "text"), f("notes", "long_text"), f("email", "email"), f("phone", "phone"), f("website", "url"),
  f("qty", "integer"), f("price", "decimal", { scale: 3 }), f("pct", "percent"), f("amount", "currency", { currency: "USD" }),
  f("flag", "boolean"), f("day", "date"), f("at", "datetime"),
  f("stage", "picklist", { options: opts("New", "Won", "Lost") }), f("tags", "multi_picklist", { options: opts("a", "b", "c", "d") }),
  f("org", "relation", { relation: { object: "org" } }), f("region", "relation", { relation: { object: "region" } }),
]);
const OBJECTS = [user, region, org, item];
const meta = (n: string) => OBJECTS.find((o) => o.name === n);

// Characters chosen so JS toLowerCase and ICU/our SQLite function agree (no final sigma, no dotted İ).
const TEXTS = ["", "Acme", "acme corp", "ACME", "ÉCOLE", "école", "Zürich", "zürich", "张伟", "张三丰", "50% off", "a_b", "O'Brien", "Жук", "straße", "ÀÉÎÕÜ", " x "];
const CHARS = ["a", "A", "b", "B", "é", "É", "ü", "Ü", "ж", "Ж", "中", "文", "张", "%", "_", "'", "\\", " "];
const textArb = fc.oneof(fc.constantFrom(...TEXTS), fc.array(fc.constantFrom(...CHARS), { maxLength: 6 }).map((a) => a.join("")));
const INTS = [0, 1, -1, 7, 42, 1000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
const intArb = fc.oneof(fc.constantFrom(...INTS), fc.integer({ min: -50, max: 50 }));
const scaledArb = (scale: number, maxAbs: number) => fc.oneof(fc.constantFrom(0, 1, -1, maxAbs, -maxAbs), fc.integer({ min: -5000, max: 5000 })).map((n) => n / 10 ** scale);
const CURRENCIES = ["USD", "JPY", "KWD", "EUR"];
const minorArb = fc.oneof(fc.constantFrom(0, 1, -1, 100, 1000, 100000, 900_000_000_000_000, -900_000_000_000_000), fc.integer({ min: -20000, max: 20000 }));
const moneyArb = fc.tuple(minorArb, fc.constantFrom(...CURRENCIES)).map(([m, c]) => ({ amount: fromMinor(m, c), currency: c }));
const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayArb = fc.oneof(fc.integer({ min: -400, max: 400 }).map((d) => isoDay(NOW.getTime() + d * DAY)), fc.constantFrom("1970-01-01", "2000-02-29", "9999-12-31", "2024-03-04", "2024-03-10", "2024-03-11"));
const atArb = fc.oneof(
  fc.integer({ min: -400 * DAY, max: 400 * DAY }).map((d) => new Date(NOW.getTime() + d).toISOString()),
  fc.constantFrom(NOW.toISOString(), "2024-03-06T00:00:00.000Z", "2024-03-04T00:00:00.000Z", "2024-03-03T23:59:59.999Z", "2024-04-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"),
);
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });

const ORG_IDS = ["o1", "o2", "o3", "o4", "o5", "o6"];
const REGION_IDS = ["r1", "r2", "r3"];
const USER_IDS = ["u1", "u2"];
const ACTOR = { attrs: { id: "u1", region: "r2", teams: ["o1", "o3"], name: "acme" } };

function valueArb(field: FieldDef): fc.Arbitrary<unknown> {
  switch (field.type) {
    case "text": case "long_text": return nullable(textArb);
    case "email": return nullable(fc.constantFrom("j@example.com", "J.Doe@Example.COM", "张伟@例子.中国"));
    case "phone": return nullable(fc.constantFrom("13812345678", "+86 138-1234-5678", "555 0100"));
    case "url": return nullable(fc.constantFrom("https://acme.com", "www.Acme.com", "http://例子.中国/x"));
    case "integer": return nullable(intArb);
    case "decimal": return nullable(scaledArb(field.scale ?? 2, 999_999_999_999));
    case "percent": return nullable(scaledArb(2, 99_999_999_999));
    case "currency": return nullable(moneyArb);
    case "boolean": return nullable(fc.boolean());
    case "date": return nullable(dayArb);
    case "datetime": return nullable(atArb);
    case "picklist": return nullable(fc.constantFrom(...field.options!.map((o) => o.value)));
    case "multi_picklist": return fc.subarray(field.options!.map((o) => o.value));
    case "relation": return nullable(fc.constantFrom(...(field.relation!.object === "org" ? [...ORG_IDS, "missing"] : REGION_IDS)));
  }
}

type Rec = Record<string, unknown>;
function canonical(object: ObjectDef, values: Rec): Rec {
  const out: Rec = { ...values };
  for (const field of object.fields) {
    const r = parseFieldInput(field, values[field.name]);
    if (!r.ok) throw new Error(`bad generated value for ${field.name}: ${r.reason}`);
    out[field.name] = r.value;
  }
  return out;
}

const system = (id: string, i: number, deleted: boolean): Rec => ({
  id, created_at: new Date(NOW.getTime() - i * 3_600_000).toISOString(), created_by: USER_IDS[i % 2], updated_at: NOW.toISOString(), updated_by: "system",
  version: i % 5, deleted_at: deleted ? "2024-01-01T00:00:00.000Z" : null,
});

function makeData() {
  const users = USER_IDS.map((id, i) => ({ ...system(id, i, false), name: ["Émile", "张伟"][i] }));
  const regions = REGION_IDS.map((id, i) => ({ ...system(id, i, i === 2), name: ["North", "Süd", "东区"][i], code: ["N", "s", null][i] }));
  const orgs = ORG_IDS.map((id, i) => ({
    ...system(id, i, i === 5), name: TEXTS[(i * 3) % TEXTS.length], region: [REGION_IDS[0], REGION_IDS[1], REGION_IDS[2], null][i % 4], parent: i === 0 ? null : ORG_IDS[(i * 2) % ORG_IDS.length],
  }));
  const recordArb = fc.record(Object.fromEntries(item.fields.map((fd) => [fd.name, valueArb(fd)])));
  const items = fc.sample(recordArb, { numRuns: 200, seed: SEED }).map((v, i) => ({ ...system(`i${String(i).padStart(3, "0")}`, i, i % 23 === 0), ...canonical(item, v) }));
  return { users, regions, orgs, items };
}

// ---------- random conditions ----------
const PATHS = [...allFields(item).map((fd) => fd.name), "org.name", "org.region.code", "org.parent.region.name", "org.parent.name", "org.region", "region.name", "created_by.name", "org.parent"];
const fieldOf = (path: string) => {
  const r = resolvePath(item, meta, path);
  if (!r.ok) throw new Error(r.reason);
  return r.path.field;
};

function scalarArb(field: FieldDef): fc.Arbitrary<unknown> {
  switch (field.type) {
    case "currency": return fc.oneof(minorArb.map((m) => fromMinor(m, "USD")), fc.constantFrom(0, 10, 1.5, 100000));
    case "multi_picklist": return fc.constantFrom(...field.options!.map((o) => o.value));
    case "relation": return fc.constantFrom(...ORG_IDS, ...REGION_IDS, ...USER_IDS, "system", "missing");
    case "text": case "long_text": return field.name === "id" ? fc.constantFrom("i001", "i002", "o1") : textArb;
    default: return valueArb(field).filter((v) => v !== null);
  }
}
const actorArb = fc.constantFrom({ $actor: "id" }, { $actor: "region" }, { $actor: "teams" }, { $actor: "partner" }, { $actor: "name" });
const SUB_TEXTS = ["a", "A", "é", "É", "cme", "ACM", "école", "张", "%", "_", "'", "\\", "ü", "ß", " ", "rich", "ЖУ"];

function leafArb(path: string): fc.Arbitrary<Condition> {
  const field = fieldOf(path);
  return fc.constantFrom(...operatorsFor(field)).chain((op: Operator): fc.Arbitrary<Condition> => {
    const leaf = (value?: fc.Arbitrary<unknown>) => (value ? value.map((v): Condition => ({ field: path, op, value: v } as Condition)) : fc.constant<Condition>({ field: path, op }));
    const scalar = scalarArb(field);
    const withActor = (a: fc.Arbitrary<unknown>) => (["relation", "text"].includes(field.type) ? fc.oneof({ arbitrary: a, weight: 3 }, { arbitrary: actorArb, weight: 1 }) : a);
    switch (op) {
      case "eq": case "ne": return leaf(withActor(scalar));
      case "lt": case "lte": case "gt": case "gte": return leaf(scalar);
      case "between": return leaf(fc.oneof(fc.record({ from: scalar, to: scalar }), fc.record({ from: scalar }), fc.record({ to: scalar })));
      case "in": case "nin": return leaf(withActor(fc.array(scalar, { maxLength: 4 })));
      case "contains": case "not_contains": case "starts_with": case "ends_with": return leaf(withActor(fc.constantFrom(...SUB_TEXTS)));
      case "has_any": case "has_all": return leaf(fc.subarray(field.options!.map((o) => o.value), { minLength: 1 }));
      case "in_last": case "in_next": return leaf(fc.record({ amount: fc.integer({ min: 0, max: 40 }), unit: fc.constantFrom("day", "week", "month", "quarter", "year") }));
      default: return leaf();
    }
  });
}

const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...PATHS).chain(leafArb),
    fc.array(tie("node"), { maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie("node"), { maxLength: 3 }).map((any) => ({ any })),
    tie("node").map((c) => ({ not: c })),
  ),
})).node;

// ---------- database ----------
function columnType(field: FieldDef, column: string): string {
  const pgTypes: Record<string, string> = { integer: "bigint", decimal: "bigint", percent: "bigint", currency: "bigint", boolean: "boolean", date: "date", datetime: "timestamptz" };
  if (field.type === "currency" && column.endsWith("_currency")) return "text";
  const t = pgTypes[field.type] ?? "text";
  if (dialect === "postgres") return t;
  return t === "bigint" || t === "boolean" ? "integer" : "text";
}

async function openDb(): Promise<{ db: Kysely<any>; close: () => Promise<void> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (dialect === "sqlite") {
    const raw = new Database(":memory:");
    registerSqliteFunctions(raw);
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
    return { db, close: () => db.destroy() };
  }
  const name = `revline_test_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 2 }) }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    db,
    close: async () => {
      await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

async function createTable(db: Kysely<any>, object: ObjectDef, rows: Rec[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const fields = allFields(object);
  let builder = db.schema.createTable(tableName(object.name));
  for (const fd of fields) for (const col of columnsOf(fd)) builder = builder.addColumn(col, columnType(fd, col) as "text", (c) => (col === "id" ? c.primaryKey() : c));
  await builder.execute();
  const encoded = rows.map((r) => Object.assign({}, ...fields.map((fd) => encodeField(fd, r[fd.name] ?? null, dialect))) as Rec);
  for (let i = 0; i < encoded.length; i += 50) await db.insertInto(tableName(object.name)).values(encoded.slice(i, i + 50)).execute();
}

describe(`conditions: SQL equals memory (${dialect})`, () => {
  let db: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  let close: () => Promise<void>;
  const data = makeData();
  const byObject: Record<string, Rec[]> = { user: data.users, region: data.regions, org: data.orgs, item: data.items };

  beforeAll(async () => {
    ({ db, close } = await openDb());
    for (const o of OBJECTS) await createTable(db, o, byObject[o.name]!);
  });
  afterAll(async () => close?.());

  it("agrees on 300 random conditions over 200 records", async () => {
    const env = { object: item, meta, actor: ACTOR, now: NOW, related: (o: string, id: string) => byObject[o]?.find((r) => r.id === id) };
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(conditionArb, async (cond) => {
        validateCondition(cond, item, meta);
        const expected = data.items.filter((r) => evaluateCondition(cond, r, env)).map((r) => r.id as string);
        const rows = await db
          .selectFrom(`${tableName("item")} as t`)
          .select("t.id")
          .where(compileCondition(cond, { object: item, meta, dialect, actor: ACTOR, now: NOW, alias: "t" }))
          .orderBy("t.id")
          .execute();
        if (expected.length > 0 && expected.length < data.items.length) nonTrivial++;
        expect(rows.map((r) => r.id as string)).toEqual(expected);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The generator must produce conditions that split the data, or the agreement means little.
    expect(nonTrivial).toBeGreaterThan(RUNS / 3);
  });
});
