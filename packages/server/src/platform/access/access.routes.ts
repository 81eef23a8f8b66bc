/**
 * The access admin API (admins only; a token needs the scope "all" or "admin"):
 *
 *   GET    /api/access/roles                            roles with their policies
 *   POST   /api/access/roles                            a custom role
 *   GET    /api/access/roles/{role}                     one role with its policies
 *   PATCH  /api/access/roles/{role}                     labels and description
 *   DELETE /api/access/roles/{role}                     a custom role nobody holds
 *   PUT    /api/access/roles/{role}/policies/{object}   what the role may do with one object
 *   DELETE /api/access/roles/{role}/policies/{object}   takes every right on the object away
 *   GET    /api/users/{id}/roles, PUT /api/users/{id}/roles
 *   GET    /api/access/effective?user=ID                the compiled policy per object for a user
 *   POST   /api/access/preview                          a list as a user would see it
 *
 * Every change is validated against the live metadata (object, fields, row condition with $actor
 * variables, mask kinds), written with its audit entry (before and after) in one transaction, and
 * reloaded here at once; other nodes reload within a second (access_state.version).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { conflict, forbidden, invalid, notFound, validateCondition, type Condition, type ErrorDetail, type MaskKind } from "@revline/core";
import type { Actor, Ctx } from "../context";
import { listObjects } from "../metadata";
import { appendAudit, withTransaction } from "../db";
import { requireAdmin } from "../http";
import { ACTIONS, ADMIN_ROLE, FIELD_RULES, compilePolicy, scopesAllow, type Action, type FieldRule, type Policy } from "./compile";
import { bumpAccessVersion, getRole, listRoles, loadAccess, policiesOfRole, policyRowOf, type Role } from "./store";

/** A page of the list as the user sees it, with the total number of rows they would see. */
export type PreviewFn = (asUser: Ctx, object: string, query: { filter?: unknown; sort?: unknown; fields?: unknown; include?: unknown; limit?: unknown; cursor?: unknown }) => Promise<unknown>;

export type AccessRouteDeps = {
  /** The actor a user acts as (roles and $actor attributes), or undefined when no such user. */
  actorOf: (adminCtx: Ctx, userId: string) => Promise<Actor | undefined>;
  /** The roles a user holds, and setting them (identity's auth_user_role). */
  getRoles: (ctx: Ctx, userId: string) => Promise<string[]>;
  setRoles: (ctx: Ctx, userId: string, roles: string[]) => Promise<void>;
  /** Lists records as the given ctx (records' listRecords with the list query parser). */
  preview: PreviewFn;
  /** Called after any change that alters who may do what (e.g. to clear the auth cache). */
  onChange?: () => void;
};

const MASKS: readonly MaskKind[] = ["person_name", "phone", "email", "amount_range", "text"];
const ROLE_NAME = /^[a-z][a-z0-9_]{1,39}$/;

type Label = { en: string; zh: string };

function roleJson(ctx: Ctx, role: Role) {
  return {
    ...role,
    policies: policiesOfRole(ctx.db, role.name).map((p) => ({ object: p.object, actions: p.actions, rowCondition: p.rowCondition, fieldRules: p.fieldRules, updatedAt: p.updatedAt })),
  };
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  if (b === null || typeof b !== "object" || Array.isArray(b)) throw invalid("Send a JSON object.", [{ field: "body", reason: "must be a JSON object" }]);
  // NUL characters break PostgreSQL text and would make a stored condition fail later: refused up front, on both databases.
  if (JSON.stringify(b).includes("\\u0000")) throw invalid("Text may not contain NUL characters.", [{ field: "body", reason: "contains a NUL character (U+0000)" }]);
  return b as Record<string, unknown>;
}

function refuseUnknown(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw invalid(`Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`, unknown.map((field) => ({ field, reason: "unknown field" })));
}

function parseLabel(raw: unknown, errors: ErrorDetail[], field = "label"): Label | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    errors.push({ field, reason: 'must be {"en": "...", "zh": "..."}' });
    return undefined;
  }
  const l = raw as Record<string, unknown>;
  for (const k of Object.keys(l)) if (k !== "en" && k !== "zh") errors.push({ field: `${field}.${k}`, reason: "unknown field" });
  for (const k of ["en", "zh"] as const)
    if (typeof l[k] !== "string" || (l[k]).trim() === "" || (l[k]).length > 80) errors.push({ field: `${field}.${k}`, reason: "must be a text of 1 to 80 characters" });
  return errors.length ? undefined : { en: (l.en as string).trim(), zh: (l.zh as string).trim() };
}

function parseDescription(raw: unknown, errors: ErrorDetail[]): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  if (typeof raw !== "string" || raw.length > 500) {
    errors.push({ field: "description", reason: "must be a text of at most 500 characters, or null" });
    return undefined;
  }
  return raw.trim() || null;
}

function systemNote(role: Role | undefined, name: string): Role {
  if (!role) throw notFound(`No role named "${name}".`);
  return role;
}

function refuseAdminRole(name: string): void {
  if (name === ADMIN_ROLE) throw forbidden("The admin role allows everything, always; it has no policies to change.");
}

/** Validates a policy body against the object's live metadata; throws one 400 naming every problem. */
export function parsePolicy(ctx: Ctx, objectName: string, body: Record<string, unknown>): { actions: Action[]; rowCondition: Condition | null; fieldRules: Record<string, FieldRule> } {
  refuseUnknown(body, ["actions", "rowCondition", "fieldRules"]);
  const object = ctx.meta(objectName);
  if (!object) throw notFound(`No object named "${objectName}".`);
  const errors: ErrorDetail[] = [];
  const actions: Action[] = [];
  if (!Array.isArray(body.actions)) errors.push({ field: "actions", reason: `must be a list of ${ACTIONS.join(", ")}` });
  else
    body.actions.forEach((a, i) => {
      if (typeof a !== "string" || !(ACTIONS as readonly string[]).includes(a)) errors.push({ field: `actions[${i}]`, reason: `must be one of ${ACTIONS.join(", ")}` });
      else if (!actions.includes(a as Action)) actions.push(a as Action);
    });
  let rowCondition: Condition | null = null;
  if (body.rowCondition !== undefined && body.rowCondition !== null) {
    try {
      rowCondition = validateCondition(body.rowCondition, object, ctx.meta);
    } catch (e) {
      const details = (e as { details?: ErrorDetail[] }).details;
      if (details?.length) errors.push(...details.map((d) => ({ field: `rowCondition${d.field && d.field !== "filter" ? `.${d.field}` : ""}`, reason: d.reason })));
      else errors.push({ field: "rowCondition", reason: e instanceof Error ? e.message : "is not a valid condition" });
    }
  }
  const fieldRules: Record<string, FieldRule> = {};
  const rawRules = body.fieldRules ?? {};
  if (!rawRules || typeof rawRules !== "object" || Array.isArray(rawRules)) errors.push({ field: "fieldRules", reason: 'must be {"field": {"rule": "hidden" | "read_only" | "masked", "mask"?: ...}}' });
  else
    for (const [name, raw] of Object.entries(rawRules as Record<string, unknown>)) {
      const at = `fieldRules.${name}`;
      const field = object.fields.find((f) => f.name === name);
      if (!field) {
        errors.push({ field: at, reason: `${object.name} has no field "${name}"` });
        continue;
      }
      const r = typeof raw === "string" ? { rule: raw } : (raw as Record<string, unknown> | null);
      if (!r || typeof r !== "object" || Array.isArray(r)) {
        errors.push({ field: at, reason: 'must be {"rule": "hidden" | "read_only" | "masked"}' });
        continue;
      }
      for (const k of Object.keys(r)) if (k !== "rule" && k !== "mask") errors.push({ field: `${at}.${k}`, reason: "unknown field" });
      if (typeof r.rule !== "string" || !(FIELD_RULES as readonly string[]).includes(r.rule)) {
        errors.push({ field: `${at}.rule`, reason: `must be one of ${FIELD_RULES.join(", ")}` });
        continue;
      }
      if (r.mask !== undefined && (r.rule !== "masked" || typeof r.mask !== "string" || !(MASKS as readonly string[]).includes(r.mask))) {
        errors.push({ field: `${at}.mask`, reason: r.rule !== "masked" ? "only a masked rule has a mask" : `must be one of ${MASKS.join(", ")}` });
        continue;
      }
      fieldRules[name] = r.mask ? { rule: r.rule as FieldRule["rule"], mask: r.mask as MaskKind } : { rule: r.rule as FieldRule["rule"] };
    }
  if (errors.length) throw invalid("The policy is not valid.", errors);
  return { actions, rowCondition, fieldRules };
}

function policyJson(policy: Policy) {
  return { allowed: policy.allowed, rowCondition: policy.rowCondition ?? null, fieldRules: policy.fieldRules };
}

export function registerAccessRoutes(app: FastifyInstance, deps: AccessRouteDeps): void {
  const changed = async (ctx: Ctx) => {
    await loadAccess(ctx.db);
    deps.onChange?.();
  };

  app.get("/api/access/roles", (request, reply) => {
    const ctx = requireAdmin(request);
    return reply.send({ roles: listRoles(ctx.db).map((r) => roleJson(ctx, r)), actions: ACTIONS, fieldRules: FIELD_RULES, masks: MASKS });
  });

  app.get<{ Params: { role: string } }>("/api/access/roles/:role", (request, reply) => {
    const ctx = requireAdmin(request);
    return reply.send(roleJson(ctx, systemNote(getRole(ctx.db, request.params.role), request.params.role)));
  });

  app.post("/api/access/roles", async (request, reply) => {
    const ctx = requireAdmin(request);
    const body = bodyOf(request);
    refuseUnknown(body, ["name", "label", "description"]);
    const errors: ErrorDetail[] = [];
    const name = typeof body.name === "string" ? body.name : "";
    if (!ROLE_NAME.test(name)) errors.push({ field: "name", reason: "must be 2 to 40 lower-case letters, digits or _ starting with a letter" });
    const label = parseLabel(body.label, errors);
    if (!label && body.label === undefined) errors.push({ field: "label", reason: "is required" });
    const description = parseDescription(body.description, errors);
    if (errors.length) throw invalid("The role is not valid.", errors);
    if (getRole(ctx.db, name)) throw conflict(`A role named "${name}" exists already.`, [{ field: "name", reason: "already taken" }]);
    const now = new Date().toISOString();
    await withTransaction(ctx.db, async (db) => {
      const tctx = { ...ctx, db };
      await db.kysely
        .insertInto("access_role")
        .values({ name, label_en: label!.en, label_zh: label!.zh, description: description ?? null, is_system: db.dialect === "postgres" ? false : 0, created_at: now, updated_at: now })
        .execute();
      await bumpAccessVersion(db);
      await appendAudit(tctx, [{ action: "access.role_changed", object: "access_role", recordId: name, changes: { label: { after: label }, description: { after: description ?? null } } }]);
    });
    await changed(ctx);
    reply.code(201);
    return roleJson(ctx, getRole(ctx.db, name)!);
  });

  app.patch<{ Params: { role: string } }>("/api/access/roles/:role", async (request) => {
    const ctx = requireAdmin(request);
    const role = systemNote(getRole(ctx.db, request.params.role), request.params.role);
    const body = bodyOf(request);
    refuseUnknown(body, ["label", "description"]);
    const errors: ErrorDetail[] = [];
    const label = parseLabel(body.label, errors);
    const description = parseDescription(body.description, errors);
    if (errors.length) throw invalid("The role is not valid.", errors);
    const now = new Date().toISOString();
    await withTransaction(ctx.db, async (db) => {
      const set: Record<string, unknown> = { updated_at: now };
      const changes: Record<string, { before?: unknown; after?: unknown }> = {};
      if (label) {
        set.label_en = label.en;
        set.label_zh = label.zh;
        changes.label = { before: role.label, after: label };
      }
      if (description !== undefined) {
        set.description = description;
        changes.description = { before: role.description, after: description };
      }
      await db.kysely.updateTable("access_role").set(set).where("name", "=", role.name).execute();
      await bumpAccessVersion(db);
      await appendAudit({ ...ctx, db }, [{ action: "access.role_changed", object: "access_role", recordId: role.name, changes }]);
    });
    await changed(ctx);
    return roleJson(ctx, getRole(ctx.db, role.name)!);
  });

  app.delete<{ Params: { role: string } }>("/api/access/roles/:role", async (request, reply) => {
    const ctx = requireAdmin(request);
    const role = systemNote(getRole(ctx.db, request.params.role), request.params.role);
    if (role.isSystem) throw forbidden(`"${role.name}" is a built-in role; it can be changed but not deleted.`);
    const holders = await ctx.db.kysely.selectFrom("auth_user_role").select("user_id").where("role", "=", role.name).limit(1).execute();
    if (holders.length) throw conflict(`Users still hold the role "${role.name}": take it from them first.`, [{ field: "role", reason: "still assigned" }]);
    await withTransaction(ctx.db, async (db) => {
      await db.kysely.deleteFrom("access_policy").where("role", "=", role.name).execute();
      await db.kysely.deleteFrom("access_role").where("name", "=", role.name).execute();
      await bumpAccessVersion(db);
      await appendAudit({ ...ctx, db }, [{ action: "access.role_changed", object: "access_role", recordId: role.name, changes: { deleted: { before: false, after: true } } }]);
    });
    await changed(ctx);
    reply.code(204);
  });

  app.put<{ Params: { role: string; object: string } }>("/api/access/roles/:role/policies/:object", async (request) => {
    const ctx = requireAdmin(request);
    refuseAdminRole(request.params.role);
    const role = systemNote(getRole(ctx.db, request.params.role), request.params.role);
    const parsed = parsePolicy(ctx, request.params.object, bodyOf(request));
    const before = policyRowOf(ctx.db, role.name, request.params.object);
    const now = new Date().toISOString();
    await withTransaction(ctx.db, async (db) => {
      const values = { actions: JSON.stringify(parsed.actions), row_condition: parsed.rowCondition ? JSON.stringify(parsed.rowCondition) : null, field_rules: JSON.stringify(parsed.fieldRules), updated_at: now };
      if (before) await db.kysely.updateTable("access_policy").set(values).where("role", "=", role.name).where("object", "=", request.params.object).execute();
      else await db.kysely.insertInto("access_policy").values({ role: role.name, object: request.params.object, ...values }).execute();
      await bumpAccessVersion(db);
      await appendAudit({ ...ctx, db }, [
        {
          action: "access.policy_changed",
          object: "access_policy",
          recordId: `${role.name}/${request.params.object}`,
          changes: {
            actions: { before: before?.actions ?? [], after: parsed.actions },
            rowCondition: { before: before?.rowCondition ?? null, after: parsed.rowCondition },
            fieldRules: { before: before?.fieldRules ?? {}, after: parsed.fieldRules },
          },
        },
      ]);
    });
    await changed(ctx);
    return roleJson(ctx, getRole(ctx.db, role.name)!).policies.find((p) => p.object === request.params.object);
  });

  app.delete<{ Params: { role: string; object: string } }>("/api/access/roles/:role/policies/:object", async (request, reply) => {
    const ctx = requireAdmin(request);
    refuseAdminRole(request.params.role);
    const role = systemNote(getRole(ctx.db, request.params.role), request.params.role);
    const before = policyRowOf(ctx.db, role.name, request.params.object);
    if (!before) throw notFound(`The role "${role.name}" has no policy for "${request.params.object}".`);
    await withTransaction(ctx.db, async (db) => {
      await db.kysely.deleteFrom("access_policy").where("role", "=", role.name).where("object", "=", request.params.object).execute();
      await bumpAccessVersion(db);
      await appendAudit({ ...ctx, db }, [
        {
          action: "access.policy_changed",
          object: "access_policy",
          recordId: `${role.name}/${request.params.object}`,
          changes: { actions: { before: before.actions, after: [] }, rowCondition: { before: before.rowCondition, after: null }, fieldRules: { before: before.fieldRules, after: {} } },
        },
      ]);
    });
    await changed(ctx);
    reply.code(204);
  });

  app.get<{ Params: { id: string } }>("/api/users/:id/roles", async (request) => {
    const ctx = requireAdmin(request);
    if (!(await deps.actorOf(ctx, request.params.id))) throw notFound("No such user.");
    return { roles: await deps.getRoles(ctx, request.params.id) };
  });

  app.put<{ Params: { id: string } }>("/api/users/:id/roles", async (request) => {
    const ctx = requireAdmin(request);
    const body = bodyOf(request);
    refuseUnknown(body, ["roles"]);
    if (!Array.isArray(body.roles) || body.roles.some((r) => typeof r !== "string"))
      throw invalid('Send {"roles": ["sales_rep", ...]}.', [{ field: "roles", reason: "must be a list of role names" }]);
    const roles = [...new Set(body.roles as string[])].sort();
    const unknown = roles.filter((r) => !getRole(ctx.db, r));
    if (unknown.length) throw invalid(`No such role: ${unknown.join(", ")}.`, unknown.map((r) => ({ field: "roles", reason: `no role named "${r}"` })));
    const userId = request.params.id;
    if (!(await deps.actorOf(ctx, userId))) throw notFound("No such user.");
    if (userId === ctx.actor.id && !roles.includes(ADMIN_ROLE))
      throw forbidden("You cannot take the admin role from yourself: another administrator has to, so that an organisation is never left without one.");
    const before = (await deps.getRoles(ctx, userId)).sort();
    await withTransaction(ctx.db, async (db) => {
      const tctx = { ...ctx, db };
      await deps.setRoles(tctx, userId, roles);
      await appendAudit(tctx, [{ action: "access.user_roles_changed", object: "user", recordId: userId, changes: { roles: { before, after: roles } } }]);
    });
    deps.onChange?.();
    return { roles };
  });

  app.get<{ Querystring: { user?: string } }>("/api/access/effective", async (request) => {
    const ctx = requireAdmin(request);
    const userId = request.query.user;
    if (typeof userId !== "string" || userId === "") throw invalid("Name the user: ?user=ID.", [{ field: "user", reason: "is required" }]);
    const actor = await deps.actorOf(ctx, userId);
    if (!actor) throw notFound("No such user.");
    const objects: Record<string, Record<string, ReturnType<typeof policyJson>>> = {};
    for (const object of listObjects(ctx).map((o) => o.name)) {
      const byAction: Record<string, ReturnType<typeof policyJson>> = {};
      for (const action of ACTIONS) byAction[action] = policyJson(compilePolicy(actor.roles, (role) => policyRowOf(ctx.db, role, object), action));
      objects[object] = byAction;
    }
    return { user: userId, roles: actor.roles, attributes: actor.attrs, objects };
  });

  app.post("/api/access/preview", async (request) => {
    const ctx = requireAdmin(request);
    const body = bodyOf(request);
    refuseUnknown(body, ["user", "object", "filter", "sort", "fields", "include", "limit", "cursor"]);
    const errors: ErrorDetail[] = [];
    if (typeof body.user !== "string" || body.user === "") errors.push({ field: "user", reason: "must be a user id" });
    if (typeof body.object !== "string" || body.object === "") errors.push({ field: "object", reason: "must be an object name" });
    if (errors.length) throw invalid("Name the user and the object to preview.", errors);
    // Reading records through the preview is reading records: a token needs a scope that reads them.
    if (ctx.actor.kind === "token" && !scopesAllow(ctx.actor.scopes ?? [], "read"))
      throw forbidden('This token may not read records; the preview needs a token with the scope "all" (or "read" and "admin").');
    const actor = await deps.actorOf(ctx, body.user as string);
    if (!actor) throw notFound("No such user.");
    // The preview acts as the user in every respect: their roles, their $actor attributes, no admin
    // bypass, and never more than the caller's own token allows.
    const asUser: Ctx = { ...ctx, actor: { ...actor, isAdmin: false, ...(ctx.actor.kind === "token" ? { kind: "token" as const, scopes: ctx.actor.scopes ?? [] } : {}) } };
    const { user: _u, object, ...query } = body;
    const page = await deps.preview(asUser, object as string, query);
    // Looking through someone's eyes is audited like a reveal: who looked, as whom, at which object.
    await appendAudit(ctx, [{ action: "access.previewed", object: object as string, recordId: null, changes: { asUser: { after: body.user } } }]);
    return page;
  });
}
