/**
 * The record API of every object, standard or custom: thin routes that parse strictly, call the
 * records layer (which checks access, validates, writes, audits and emits events) and reply.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { forbidden, invalid, isAppError, notFound, validateCondition, type Condition, type MetadataLookup, type ObjectDef } from "@revline/core";
import type { Ctx } from "../context";
import { parseAggregateQuery, parseGetQuery, parseListQuery, requestCtx } from "../http";
import { policyFor } from "../access";
import { aggregate } from "./aggregate";
import { queryableMeta, viewOf } from "./policy-view";
import { revealField } from "./reveal";
import { shapeOf } from "./shape";
import { getRecord, listRecords } from "./read";
import { bulkUpsert, createRecord, deleteRecord, restoreRecord, updateRecord } from "./write";
import type { RecordData } from "./types";

const BULK_MAX_ROWS = 1000;
/** A 1,000-row batch of wide records fits; the default limit (2 MiB) stays for everything else. */
const BULK_BODY_LIMIT = 32 * 1024 * 1024;

type ObjectParams = { object: string };
type RecordParams = { object: string; id: string };

function objectOf(ctx: Ctx, name: string): ObjectDef {
  const object = ctx.meta(name);
  if (!object) throw notFound(`There is no object named "${name}". GET /api/objects lists them.`);
  return object;
}

function plainBody(request: FastifyRequest, what = "a JSON object of field values"): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid(`The request body must be ${what}.`, [{ field: "body", reason: `must be ${what}` }]);
  }
  return body as Record<string, unknown>;
}

/**
 * The object as the actor may read it: `visible` without hidden fields (for fields and include),
 * `queryable` also without masked ones (filter, sort, groupBy, metrics), so that naming a field the
 * actor may not see or query fails exactly like naming one that does not exist. 403 without read.
 */
type ReadView = { visible: ObjectDef; queryable: ObjectDef; meta: MetadataLookup };
function readView(ctx: Ctx, object: ObjectDef): ReadView {
  const policy = policyFor(ctx, object.name, "read");
  if (!policy.allowed) throw forbidden(`You may not read ${object.labelPlural.en}.`);
  const view = viewOf(ctx, shapeOf(object), policy);
  return { visible: view.visible.object, queryable: view.queryable.object, meta: queryableMeta(ctx) };
}

/** Checks the filter against the fields the actor may query; problems are named "filter.<path>". */
function checkedFilter(view: ReadView, filter: Condition | undefined): Condition | undefined {
  if (!filter) return undefined;
  try {
    return validateCondition(filter, view.queryable, view.meta);
  } catch (e) {
    if (!isAppError(e) || e.kind !== "invalid") throw e;
    const details = e.details.map((d) => ({ ...d, field: d.field === "condition" ? "filter" : `filter.${d.field}` }));
    throw invalid(`The filter is not a valid condition: ${details.map((d) => `${d.field}: ${d.reason}`).join("; ")}.`, details);
  }
}

const etagOf = (record: RecordData) => `"${record.version}"`;

/** If-Match: "3", 3 or W/"3" -> 3; "*" or absent -> no check. */
function expectedVersion(request: FastifyRequest): number | undefined {
  const raw = request.headers["if-match"];
  if (raw === undefined || raw === "*") return undefined;
  const m = typeof raw === "string" ? /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(raw) : null;
  if (!m) throw invalid('If-Match must be the record version as its ETag gave it, e.g. "3".', [{ field: "If-Match", reason: "not a version" }]);
  return Number(m[1]);
}

function sendRecord(reply: FastifyReply, record: RecordData, status = 200): FastifyReply {
  return reply.code(status).header("etag", etagOf(record)).send(record);
}

export function registerRecordRoutes(app: FastifyInstance): void {
  app.get<{ Params: ObjectParams }>("/api/objects/:object/records", async (request) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const view = readView(ctx, object);
    const q = parseListQuery(view.visible, request.query, "query", view.queryable);
    return listRecords(ctx, object.name, { ...q, filter: checkedFilter(view, q.filter) });
  });

  app.post<{ Params: ObjectParams }>("/api/objects/:object/records/query", async (request) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const view = readView(ctx, object);
    const q = parseListQuery(view.visible, request.body ?? {}, "body", view.queryable);
    return listRecords(ctx, object.name, { ...q, filter: checkedFilter(view, q.filter) });
  });

  app.get<{ Params: RecordParams }>("/api/objects/:object/records/:id", async (request, reply) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const view = readView(ctx, object);
    const record = await getRecord(ctx, object.name, request.params.id, parseGetQuery(view.visible, request.query as Record<string, unknown>));
    if (request.headers["if-none-match"] === etagOf(record)) return reply.code(304).header("etag", etagOf(record)).send();
    return sendRecord(reply, record);
  });

  app.post<{ Params: ObjectParams }>("/api/objects/:object/records", async (request, reply) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const record = await createRecord(ctx, object.name, plainBody(request));
    void reply.header("location", `/api/objects/${object.name}/records/${record.id}`);
    return sendRecord(reply, record, 201);
  });

  app.patch<{ Params: RecordParams }>("/api/objects/:object/records/:id", async (request, reply) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const version = expectedVersion(request);
    const record = await updateRecord(ctx, object.name, request.params.id, plainBody(request), version === undefined ? {} : { expectedVersion: version });
    return sendRecord(reply, record);
  });

  app.delete<{ Params: RecordParams }>("/api/objects/:object/records/:id", async (request, reply) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    await deleteRecord(ctx, object.name, request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: RecordParams }>("/api/objects/:object/records/:id/restore", async (request, reply) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    return sendRecord(reply, await restoreRecord(ctx, object.name, request.params.id));
  });

  app.post<{ Params: RecordParams }>("/api/objects/:object/records/:id/reveal", async (request) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const body = plainBody(request, 'a JSON object {"field": "phone"}');
    const extra = Object.keys(body).filter((k) => k !== "field");
    if (extra.length) throw invalid(`Unknown parameter${extra.length > 1 ? "s" : ""} ${extra.join(", ")}: the body is {"field": "<field name>"}.`, extra.map((k) => ({ field: k, reason: "unknown parameter" })));
    if (typeof body.field !== "string" || body.field === "") throw invalid('Name the field to reveal: {"field": "phone"}.', [{ field: "field", reason: "must be a field name" }]);
    return revealField(ctx, object.name, request.params.id, body.field);
  });

  app.post<{ Params: ObjectParams }>("/api/objects/:object/records/bulk-upsert", { bodyLimit: BULK_BODY_LIMIT }, async (request) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const body = plainBody(request, 'a JSON object {"key": "external_id", "records": [...]}');
    const errors: { field: string; reason: string }[] = [];
    for (const k of Object.keys(body)) if (k !== "key" && k !== "records") errors.push({ field: k, reason: "is not a bulk-upsert parameter (key, records)" });
    const key = body.key ?? object.externalKeyField;
    if (typeof key !== "string" || key === "")
      errors.push({ field: "key", reason: `name the unique field that identifies existing ${object.name} records` });
    const rows = body.records;
    if (!Array.isArray(rows)) errors.push({ field: "records", reason: "must be an array of records" });
    else if (rows.length > BULK_MAX_ROWS) errors.push({ field: "records", reason: `at most ${BULK_MAX_ROWS} records per call; split the batch` });
    else if (rows.some((r) => typeof r !== "object" || r === null || Array.isArray(r))) errors.push({ field: "records", reason: "each record must be a JSON object" });
    if (errors.length) throw invalid(`Invalid bulk upsert: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}.`, errors);
    const result = await bulkUpsert(ctx, object.name, rows as Record<string, unknown>[], { key: key as string });
    return { inserted: result.inserted, updated: result.updated, ids: result.ids };
  });

  app.get<{ Params: ObjectParams }>("/api/objects/:object/aggregate", async (request) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const view = readView(ctx, object);
    const q = parseAggregateQuery(view.queryable, request.query, "query");
    return aggregate(ctx, object.name, { ...q, filter: checkedFilter(view, q.filter) });
  });

  app.post<{ Params: ObjectParams }>("/api/objects/:object/aggregate", async (request) => {
    const ctx = requestCtx(request);
    const object = objectOf(ctx, request.params.object);
    const view = readView(ctx, object);
    const q = parseAggregateQuery(view.queryable, request.body ?? {}, "body");
    return aggregate(ctx, object.name, { ...q, filter: checkedFilter(view, q.filter) });
  });
}
