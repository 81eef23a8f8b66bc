/**
 * Roles and policies in memory, per database: loaded from access_role / access_policy, read
 * synchronously by policyFor on every records call. A change reloads this process's copy at once
 * and bumps access_state.version; other PostgreSQL nodes notice within a second (refreshAccess,
 * called like refreshMetadata from app.ts). Compiled policies are cached per role set, token
 * scopes, object and action, so a request costs one map lookup.
 */
import { sql } from "kysely";
import type { Condition } from "@revline/core";
import type { Actor, Ctx, Db } from "../context";
import { rootDb, toIsoTimestamp } from "../db";
import { compilePolicy, DENY, FULL, type Action, type FieldRule, type Policy, type PolicyRow } from "./compile";

export type Role = {
  name: string;
  label: { en: string; zh: string };
  description: string | null;
  isSystem: boolean;
  createdAt: string;
  updatedAt: string;
};

type Store = {
  version: number;
  roles: Map<string, Role>;
  /** role -> object -> row */
  policies: Map<string, Map<string, PolicyRow & { updatedAt: string }>>;
  compiled: Map<string, Policy>;
};

const stores = new WeakMap<Db, Store>();
const MAX_COMPILED = 20_000;

type RoleRecord = { name: string; label_en: string; label_zh: string; description: string | null; is_system: unknown; created_at: unknown; updated_at: unknown };
type PolicyRecord = { role: string; object: string; actions: string; row_condition: string | null; field_rules: string; updated_at: unknown };

export async function readAccessVersion(db: Db): Promise<number> {
  const row = (await sql<{ version: unknown }>`select version from access_state where id = 1`.execute(db.kysely)).rows[0];
  return Number(row?.version ?? 0);
}

/** (Re)loads roles and policies of this database into memory. */
export async function loadAccess(db: Db): Promise<void> {
  const version = await readAccessVersion(db);
  const roleRows = (await db.kysely.selectFrom("access_role").selectAll().orderBy("name").execute()) as RoleRecord[];
  const policyRows = (await db.kysely.selectFrom("access_policy").selectAll().orderBy("role").orderBy("object").execute()) as PolicyRecord[];
  const roles = new Map<string, Role>();
  for (const r of roleRows)
    roles.set(r.name, {
      name: r.name,
      label: { en: r.label_en, zh: r.label_zh },
      description: r.description ?? null,
      isSystem: r.is_system === true || r.is_system === 1 || r.is_system === "1",
      createdAt: toIsoTimestamp(r.created_at)!,
      updatedAt: toIsoTimestamp(r.updated_at)!,
    });
  const policies = new Map<string, Map<string, PolicyRow & { updatedAt: string }>>();
  for (const p of policyRows) {
    const byObject = policies.get(p.role) ?? new Map<string, PolicyRow & { updatedAt: string }>();
    byObject.set(p.object, {
      role: p.role,
      object: p.object,
      actions: JSON.parse(p.actions) as Action[],
      rowCondition: p.row_condition ? (JSON.parse(p.row_condition) as Condition) : null,
      fieldRules: JSON.parse(p.field_rules) as Record<string, FieldRule>,
      updatedAt: toIsoTimestamp(p.updated_at)!,
    });
    policies.set(p.role, byObject);
  }
  stores.set(rootDb(db), { version, roles, policies, compiled: new Map() });
}

/** Reloads when another node changed roles or policies since our last load; one tiny query otherwise. */
export async function refreshAccess(db: Db): Promise<boolean> {
  const store = stores.get(rootDb(db));
  const version = await readAccessVersion(db);
  if (store && store.version === version) return false;
  await loadAccess(db);
  return true;
}

/** Inside the transaction of a change: other nodes reload on their next check. */
export async function bumpAccessVersion(db: Db): Promise<void> {
  await sql`update access_state set version = version + 1 where id = 1`.execute(db.kysely);
}

export function isAccessLoaded(db: Db): boolean {
  return stores.has(rootDb(db));
}

function storeOf(db: Db): Store {
  const store = stores.get(rootDb(db));
  if (!store) throw new Error("access policies not loaded: call loadAccess(db) after migrating");
  return store;
}

export function listRoles(db: Db): Role[] {
  return [...storeOf(db).roles.values()];
}

export function getRole(db: Db, name: string): Role | undefined {
  return storeOf(db).roles.get(name);
}

export function policiesOfRole(db: Db, role: string): (PolicyRow & { updatedAt: string })[] {
  return [...(storeOf(db).policies.get(role)?.values() ?? [])];
}

export function policyRowOf(db: Db, role: string, object: string): (PolicyRow & { updatedAt: string }) | undefined {
  return storeOf(db).policies.get(role)?.get(object);
}

function isKnownActor(actor: Actor | undefined): actor is Actor {
  if (!actor || typeof actor.id !== "string" || actor.id === "") return false;
  if (actor.kind === "system") return actor.id === "system";
  return actor.kind === "user" || actor.kind === "token";
}

const roleKeys = new WeakMap<Actor, string>();
function roleKeyOf(actor: Actor): string {
  let key = roleKeys.get(actor);
  if (key === undefined) {
    const roles = Array.isArray(actor.roles) ? [...actor.roles].sort().join(",") : "";
    const scopes = actor.kind === "token" ? `|${[...(actor.scopes ?? [])].sort().join(",")}` : "";
    key = roles + scopes;
    roleKeys.set(actor, key);
  }
  return key;
}

/**
 * What the actor may do with an object: allowed, the row condition ANDed into every query, and
 * field rules. Deny by default. The system actor may do everything (background work, audited as system).
 */
export function policyFor(ctx: Pick<Ctx, "actor" | "db">, object: string, action: Action): Policy {
  const actor = ctx.actor;
  if (!isKnownActor(actor)) return DENY;
  if (actor.kind === "system") return FULL;
  const store = storeOf(ctx.db);
  const key = `${roleKeyOf(actor)}\u0000${object}\u0000${action}`;
  let policy = store.compiled.get(key);
  if (!policy) {
    const scopes = actor.kind === "token" ? (actor.scopes ?? []) : undefined;
    policy = compilePolicy(actor.roles, (role) => store.policies.get(role)?.get(object), action, scopes);
    if (store.compiled.size >= MAX_COMPILED) store.compiled.clear();
    store.compiled.set(key, policy);
  }
  return policy;
}
