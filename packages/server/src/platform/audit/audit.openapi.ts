/** The OpenAPI description of the audit endpoints (app.ts hands it to the document builder). */
import { oaProblems as problems, type OaSchema as Schema } from "../http";

const qp = (name: string, description: string, schema: Schema = { type: "string" }) => ({ name, in: "query", required: false, description, schema });

const FILTER_PARAMS = [
  qp("actor", 'actor id: a user id, or "system"'),
  qp("object", "object name, e.g. opportunity"),
  qp("recordId", "record id"),
  qp("action", 'action, e.g. "update", "record.reveal", or a family such as "auth.*"'),
  qp("from", "entries at or after this date (2024-05-01) or date-time with zone", { type: "string" }),
  qp("to", "entries before this date or date-time", { type: "string" }),
];

const ENTRY: Schema = {
  type: "object",
  required: ["id", "seq", "at", "actor", "action", "object", "recordId", "changes", "ip", "userAgent", "prevHash", "hash"],
  properties: {
    id: { type: "string" },
    seq: { type: "integer" },
    at: { type: "string", format: "date-time" },
    actor: { type: "object", required: ["id", "kind", "name"], properties: { id: { type: "string" }, kind: { type: "string", enum: ["user", "token", "system"] }, name: { type: ["string", "null"] } } },
    action: { type: "string" },
    object: { type: ["string", "null"] },
    recordId: { type: ["string", "null"] },
    changes: { type: ["object", "null"], description: "{ field: { before, after } } of the changed fields", additionalProperties: { type: "object", properties: { before: {}, after: {} } } },
    ip: { type: ["string", "null"] },
    userAgent: { type: ["string", "null"] },
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
};

const BREAK: Schema = {
  type: ["object", "null"],
  required: ["kind", "seq", "where", "message"],
  properties: {
    kind: { type: "string", enum: ["edited", "removed", "reordered", "rewritten", "archive_corrupt", "anchor_mismatch", "truncated"] },
    seq: { type: "integer" },
    id: { type: "string" },
    where: { type: "string", enum: ["log", "archive"] },
    message: { type: "string" },
  },
};

const HASH_AT = { type: "object", required: ["seq", "hash"], properties: { seq: { type: "integer" }, hash: { type: "string" } } };

export function auditOpenApiPaths(): Record<string, Record<string, Schema>> {
  const tags = ["audit"];
  return {
    "/api/audit": {
      get: {
        tags, operationId: "searchAudit", summary: "Search the audit log, newest first (admin)",
        parameters: [...FILTER_PARAMS, qp("limit", "page size, 1 to 1000 (default 50)", { type: "integer", minimum: 1, maximum: 1000 }), qp("cursor", "nextCursor of the previous page")],
        responses: {
          200: { description: "A page of entries", content: { "application/json": { schema: { type: "object", required: ["entries", "nextCursor"], properties: { entries: { type: "array", items: ENTRY }, nextCursor: { type: ["string", "null"] } } } } } },
          ...problems("400", "401", "403"),
        },
      },
    },
    "/api/audit/export": {
      get: {
        tags, operationId: "exportAudit", summary: "Download matching entries (oldest first) as CSV or XLSX (admin; audited)",
        parameters: [...FILTER_PARAMS, qp("format", "csv (default) or xlsx", { type: "string", enum: ["csv", "xlsx"] })],
        responses: {
          200: {
            description: "The file: seq, id, at, actor_id, actor_name, actor_kind, action, object, record_id, changes, ip, user_agent, prev_hash, hash",
            content: { "text/csv": { schema: { type: "string" } }, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: { type: "string", contentEncoding: "binary" } } },
          },
          ...problems("400", "401", "403"),
        },
      },
    },
    "/api/audit/verify": {
      get: {
        tags, operationId: "verifyAudit", summary: "Check the hash chain, archive included, and name the first broken link (admin)",
        parameters: [qp("anchor", "<seq>:<hash> kept outside the database (from GET /api/audit/head); detects a removed or rewritten tail")],
        responses: {
          200: {
            description: "The outcome",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["intact", "entries", "archivedEntries", "segments", "through", "head", "partial", "break"],
                  properties: {
                    intact: { type: "boolean" }, entries: { type: "integer" }, archivedEntries: { type: "integer" }, segments: { type: "integer" },
                    through: HASH_AT, head: { ...HASH_AT, type: ["object", "null"] }, partial: { type: "boolean" }, break: BREAK,
                    checkedAt: { type: "string", format: "date-time" }, maxEntries: { type: "integer" },
                  },
                },
              },
            },
          },
          ...problems("400", "401", "403", "409"),
        },
      },
    },
    "/api/audit/head": {
      get: {
        tags, operationId: "auditHead", summary: "The newest entry's seq and hash, to keep outside the database (admin)",
        responses: {
          200: { description: "The head (null for an empty log)", content: { "application/json": { schema: { type: "object", required: ["head"], properties: { head: { type: ["object", "null"], properties: { seq: { type: "integer" }, hash: { type: "string" }, at: { type: "string" }, id: { type: "string" } } } } } } } },
          ...problems("401", "403"),
        },
      },
    },
  };
}
