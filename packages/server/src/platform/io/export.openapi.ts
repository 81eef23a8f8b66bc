/** OpenAPI description of the export requests (export.routes.ts) and the guard settings (http/settings.ts). */
type Schema = Record<string, unknown>;

const problem = (description: string): Schema => ({ description, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });
const json = (description: string, schema: Schema): Schema => ({ description, content: { "application/json": { schema } } });
const body = (schema: Schema, required = true): Schema => ({ required, content: { "application/json": { schema } } });
const idParam = { name: "id", in: "path", required: true, description: "export request id", schema: { type: "string" } };

const P400 = problem("Bad input: errors name each field and why");
const P401 = problem("Not signed in");
const P403 = problem("Signed in, but not allowed (for a direct export over the threshold: code approval_required)");
const P404 = problem("No such export request (or not yours)");
const P409 = problem("The request is not in a state that allows this (already decided, used, expired)");
const P413 = problem("Request body too large");
const P429 = problem("Too many requests; Retry-After says when to try again");

const fileContent = {
  "text/csv": { schema: { type: "string" } },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: { type: "string", contentEncoding: "binary" } },
};

const person = { type: "object", properties: { id: { type: "string" }, name: { type: "string" } }, required: ["id", "name"] };

const exportRequest: Schema = {
  type: "object",
  properties: {
    id: { type: "string" },
    requester: person,
    object: { type: "string" },
    format: { type: "string", enum: ["csv", "xlsx"] },
    filter: { description: "the JSON condition asked for, or null" },
    sort: { description: "the sort asked for, or null" },
    fields: { type: ["array", "null"], items: { type: "string" } },
    clear: { type: "boolean", description: "masked fields asked for in clear" },
    rows: { type: "integer", description: "rows the requester would get when asking" },
    reason: { type: ["string", "null"] },
    status: { type: "string", enum: ["pending", "approved", "rejected", "expired", "downloaded"] },
    approver: { anyOf: [person, { type: "null" }] },
    comment: { type: ["string", "null"] },
    decidedAt: { type: ["string", "null"], format: "date-time" },
    expiresAt: { type: ["string", "null"], format: "date-time", description: "the download link's end (24 h after approval)" },
    downloadedAt: { type: ["string", "null"], format: "date-time" },
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "requester", "object", "format", "clear", "rows", "status", "createdAt"],
};

const plan: Schema = {
  type: "object",
  properties: {
    object: { type: "string" },
    rows: { type: "integer" },
    threshold: { type: "integer" },
    maskedFields: { type: "array", items: { type: "string" } },
    canReveal: { type: "boolean" },
    needsApproval: { type: "boolean" },
    reasons: { type: "array", items: { type: "string", enum: ["rows", "clear"] } },
  },
  required: ["object", "rows", "threshold", "maskedFields", "canReveal", "needsApproval", "reasons"],
};

const exportBody: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["object"],
  properties: {
    object: { type: "string" },
    format: { type: "string", enum: ["csv", "xlsx"], description: "default csv" },
    filter: { description: "a JSON condition (object or JSON text)" },
    sort: { description: '"-amount,name" or [{"field","desc"}]' },
    fields: { description: "field names, comma-separated or a list" },
    header: { type: "string", enum: ["name", "label"] },
    locale: { type: "string", enum: ["en", "zh-CN"] },
    clear: { type: "boolean", description: "masked fields in clear: always needs approval and the reveal right" },
    reason: { type: "string", maxLength: 1000, description: "shown to the approver" },
    dryRun: { type: "boolean", description: "only answer the plan: rows, threshold, whether approval is needed" },
  },
};

const decision = (verb: "approve" | "reject"): Record<string, Schema> => ({
  post: {
    tags: ["export"],
    operationId: `${verb}Export`,
    summary: `${verb === "approve" ? "Approve" : "Reject"} an export request (a second person with the approve right; not the requester)`,
    parameters: [idParam],
    requestBody: body({ type: "object", additionalProperties: false, properties: { comment: { type: "string", maxLength: 1000 } } }, false),
    responses: { 200: json("The decided request", exportRequest), 400: P400, 401: P401, 403: P403, 404: P404, 409: P409 },
  },
});

const watermark = { type: "object", properties: { enabled: { type: "boolean" }, source: { type: "string", enum: ["setting", "env", "default"] } }, required: ["enabled", "source"] };
const exportSetting = { type: "object", properties: { approvalThreshold: { type: "integer" }, source: { type: "string", enum: ["setting", "env", "default"] } }, required: ["approvalThreshold", "source"] };

export function exportOpenApiPaths(): Record<string, Record<string, Schema>> {
  return {
    "/api/exports": {
      post: {
        tags: ["export"],
        operationId: "startExport",
        summary: "Export a filtered list: the file at once when small, otherwise a request for a second person's approval",
        requestBody: body(exportBody),
        responses: {
          200: { description: "The file (or, with dryRun, {plan})", content: { ...fileContent, "application/json": { schema: { type: "object", properties: { plan }, required: ["plan"] } } } },
          202: json("Needs approval: the request made", { type: "object", properties: { request: exportRequest, plan }, required: ["request", "plan"] }),
          400: P400, 401: P401, 403: P403, 413: P413, 429: P429,
        },
      },
      get: {
        tags: ["export"],
        operationId: "listExports",
        summary: "My export requests, and every pending one for approvers",
        responses: { 200: json("Requests, newest first", { type: "object", properties: { requests: { type: "array", items: exportRequest }, canApprove: { type: "boolean" } }, required: ["requests", "canApprove"] }), 401: P401 },
      },
    },
    "/api/exports/{id}": {
      get: { tags: ["export"], operationId: "getExport", summary: "One export request", parameters: [idParam], responses: { 200: json("The request", exportRequest), 401: P401, 404: P404 } },
    },
    "/api/exports/{id}/approve": decision("approve"),
    "/api/exports/{id}/reject": decision("reject"),
    "/api/exports/{id}/link": {
      post: {
        tags: ["export"],
        operationId: "exportLink",
        summary: "A one-time download link for an approved request (requester only); a new one replaces an unused earlier one",
        parameters: [idParam],
        responses: {
          200: json("The link", { type: "object", properties: { url: { type: "string" }, expiresAt: { type: "string", format: "date-time" } }, required: ["url", "expiresAt"] }),
          401: P401, 403: P403, 404: P404, 409: P409,
        },
      },
    },
    "/api/exports/{id}/download": {
      get: {
        tags: ["export"],
        operationId: "downloadExport",
        summary: "Download an approved export once, generated now as the requester",
        parameters: [idParam, { name: "token", in: "query", required: true, description: "from POST /api/exports/{id}/link", schema: { type: "string" } }],
        responses: {
          200: { description: "The file", content: fileContent },
          400: problem("A field of the request is no longer visible to the requester (the link is not spent)"),
          401: P401,
          403: P403,
          404: P404,
          409: P409,
        },
      },
    },
    "/api/settings/watermark": {
      get: { tags: ["settings"], operationId: "getWatermark", summary: "Whether the UI and exported files carry the dynamic watermark", responses: { 200: json("The setting", watermark), 401: P401 } },
      put: {
        tags: ["settings"],
        operationId: "setWatermark",
        summary: "Turn the watermark on or off (admin)",
        requestBody: body({ type: "object", additionalProperties: false, required: ["enabled"], properties: { enabled: { type: "boolean" } } }),
        responses: { 200: json("The setting", watermark), 400: P400, 401: P401, 403: P403 },
      },
    },
    "/api/settings/export": {
      get: { tags: ["settings"], operationId: "getExportSettings", summary: "The export approval threshold (rows)", responses: { 200: json("The setting", exportSetting), 401: P401 } },
      put: {
        tags: ["settings"],
        operationId: "setExportSettings",
        summary: "Change the export approval threshold (admin)",
        requestBody: body({ type: "object", additionalProperties: false, required: ["approvalThreshold"], properties: { approvalThreshold: { type: "integer", minimum: 0 } } }),
        responses: { 200: json("The setting", exportSetting), 400: P400, 401: P401, 403: P403 },
      },
    },
  };
}
