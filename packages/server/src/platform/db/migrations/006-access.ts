import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/**
 * Roles and per-role, per-object policies (platform/access; docs/permissions.md). A user's roles
 * stay in auth_user_role (002-identity). The built-in roles are seeded here with policies for the
 * standard objects; custom objects created later are open to the admin role only, until an admin
 * grants more. The admin role is not stored as policies: it allows everything, always, so existing
 * administrators (auth_user_role 'admin') keep working through the upgrade.
 * access_state.version is bumped on every change so that other app nodes reload within a second.
 */

type Cond = Record<string, unknown>;
type Rule = { rule: "hidden" | "read_only" | "masked"; mask?: string };
type Seed = { role: string; object: string; actions: string[]; rowCondition?: Cond; fieldRules?: Record<string, Rule> };

const actor = (name: string) => ({ $actor: name });
const ALL = ["read", "create", "update", "delete", "export", "import", "share", "reveal"];
const REP = ["read", "create", "update", "delete", "export"];
const WRITE = ["read", "create", "update", "delete"];
const owned = (prefix = "") => ({ field: `${prefix}owner`, op: "eq", value: actor("id") });
const team = (prefix = "") => ({ field: `${prefix}owner.team`, op: "in", value: actor("teams") });
const subtree = (prefix = "") => ({ field: `${prefix}owner`, op: "in", value: actor("subordinates") });
const masked = (mask: string): Rule => ({ rule: "masked", mask });
const hidden: Rule = { rule: "hidden" };

const SALES = ["account", "contact", "lead", "opportunity"];
const DIRECTORY = ["user", "team", "region", "product"];

export const BUILT_IN_ROLES = [
  { name: "admin", en: "Administrator", zh: "管理员", description: "Everything, on every object, custom objects included. Cannot be narrowed." },
  { name: "sales_manager", en: "Sales manager", zh: "销售经理", description: "Their own records and those of everyone below them (manager chain and managed teams)." },
  { name: "sales_rep", en: "Sales rep", zh: "销售代表", description: "Their own records and their team's (own team and its sub-teams)." },
  { name: "intern", en: "Intern", zh: "实习生", description: "Read-only; customer names, phones and emails masked, amounts shown as ranges." },
  { name: "partner", en: "Partner", zh: "合作伙伴", description: "External partner users: only records of their own region; no users' emails or phones." },
] as const;

export const BUILT_IN_POLICIES: Seed[] = [
  // sales_manager: the subtree below them.
  ...SALES.map((object) => ({ role: "sales_manager", object, actions: ALL, rowCondition: { any: [owned(), subtree()] } })),
  { role: "sales_manager", object: "opportunity_line", actions: REP, rowCondition: { any: [owned("opportunity."), subtree("opportunity.")] } },
  ...DIRECTORY.map((object) => ({ role: "sales_manager", object, actions: ["read", "export"] })),
  // sales_rep: own and team.
  ...SALES.map((object) => ({ role: "sales_rep", object, actions: REP, rowCondition: { any: [owned(), team()] } })),
  { role: "sales_rep", object: "opportunity_line", actions: WRITE, rowCondition: { any: [owned("opportunity."), team("opportunity.")] } },
  ...DIRECTORY.map((object) => ({ role: "sales_rep", object, actions: ["read"] })),
  // intern: read-only, customers' identities masked, money as ranges.
  // External keys often carry a name or an email (an import keyed on them): masked like what they mirror.
  { role: "intern", object: "account", actions: ["read"], fieldRules: { name: masked("text"), phone: masked("phone"), annual_revenue: masked("amount_range"), external_id: masked("text") } },
  {
    role: "intern",
    object: "contact",
    actions: ["read"],
    fieldRules: { name: masked("person_name"), first_name: masked("person_name"), last_name: masked("person_name"), email: masked("email"), phone: masked("phone") },
  },
  { role: "intern", object: "lead", actions: ["read"], fieldRules: { name: masked("person_name"), company: masked("text"), email: masked("email"), phone: masked("phone") } },
  // Deal names usually name the customer ("Acme renewal"): masked with the customer's name.
  { role: "intern", object: "opportunity", actions: ["read"], fieldRules: { name: masked("text"), amount: masked("amount_range") } },
  { role: "intern", object: "opportunity_line", actions: ["read"], fieldRules: { unit_price: masked("amount_range"), total: masked("amount_range") } },
  { role: "intern", object: "user", actions: ["read"], fieldRules: { email: masked("email"), phone: masked("phone"), external_id: masked("text") } },
  ...["team", "region", "product"].map((object) => ({ role: "intern", object, actions: ["read"] })),
  // partner: their region only ($actor.partner is the region of a partner user, empty for internal users).
  { role: "partner", object: "account", actions: ["read"], rowCondition: { field: "region", op: "eq", value: actor("partner") }, fieldRules: { annual_revenue: hidden } },
  { role: "partner", object: "contact", actions: ["read", "create", "update"], rowCondition: { field: "account.region", op: "eq", value: actor("partner") } },
  { role: "partner", object: "lead", actions: ["read", "create", "update"], rowCondition: { field: "region", op: "eq", value: actor("partner") } },
  { role: "partner", object: "opportunity", actions: ["read", "create", "update"], rowCondition: { field: "region", op: "eq", value: actor("partner") } },
  { role: "partner", object: "opportunity_line", actions: ["read", "create", "update"], rowCondition: { field: "opportunity.region", op: "eq", value: actor("partner") } },
  { role: "partner", object: "product", actions: ["read"] },
  { role: "partner", object: "region", actions: ["read"], rowCondition: { field: "id", op: "eq", value: actor("partner") } },
  {
    role: "partner",
    object: "user",
    actions: ["read"],
    rowCondition: { any: [{ field: "id", op: "eq", value: actor("id") }, { field: "region", op: "eq", value: actor("partner") }] },
    fieldRules: { email: hidden, phone: hidden, external_id: hidden },
  },
];

export const accessMigration: Migration = {
  id: "006-access",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table access_role (
      name text primary key,
      label_en text not null,
      label_zh text not null,
      description text,
      is_system ${t.boolean} not null,
      created_at ${t.timestamp} not null,
      updated_at ${t.timestamp} not null)`);
    await run(`create table access_policy (
      role text not null,
      object text not null,
      actions text not null,
      row_condition text,
      field_rules text not null,
      updated_at ${t.timestamp} not null,
      primary key (role, object))`);
    await run(`create index access_policy_object on access_policy (object)`);
    await run(`create table access_state (id integer primary key, version ${t.bigint} not null)`);
    await run(`insert into access_state (id, version) values (1, 0)`);
    const now = new Date().toISOString();
    const yes = db.dialect === "postgres" ? true : 1;
    await db.kysely
      .insertInto("access_role")
      .values(BUILT_IN_ROLES.map((r) => ({ name: r.name, label_en: r.en, label_zh: r.zh, description: r.description, is_system: yes, created_at: now, updated_at: now })))
      .execute();
    await db.kysely
      .insertInto("access_policy")
      .values(
        BUILT_IN_POLICIES.map((p) => ({
          role: p.role,
          object: p.object,
          actions: JSON.stringify(p.actions),
          row_condition: p.rowCondition ? JSON.stringify(p.rowCondition) : null,
          field_rules: JSON.stringify(p.fieldRules ?? {}),
          updated_at: now,
        })),
      )
      .execute();
  },
};
