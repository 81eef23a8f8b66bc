/** Objects and fields over HTTP: anyone signed in reads them; only an admin changes them. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { SYSTEM_FIELDS, invalid, notFound, type FieldDef, type ObjectDef } from "@revline/core";
import type { Ctx } from "../context";
import { requestCtx, requireAdmin } from "../http";
import { addField, createObject, deleteField, updateField, type NewObjectInput } from "./admin";
import { listObjects } from "./store";

/** The API form of an object: system fields first, then its own. */
export function objectWithSystemFields(object: ObjectDef): ObjectDef {
  return { ...object, fields: [...SYSTEM_FIELDS, ...object.fields] };
}

function jsonObjectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("The request body must be a JSON object.", [{ field: "body", reason: "must be a JSON object" }]);
  return body as Record<string, unknown>;
}

/**
 * How an object is shown to the actor (app.ts passes records' presentObject): undefined when they may
 * not read it (it is then left out of the list and 404 alone), else without hidden fields and with
 * masked/read-only fields and the actor's permissions marked. Default: as stored.
 */
export type PresentObject = (ctx: Ctx, object: ObjectDef) => ObjectDef | undefined;

export function registerMetadataRoutes(app: FastifyInstance, present: PresentObject = (_ctx, o) => o): void {
  app.get("/api/objects", (request) => {
    const ctx = requestCtx(request);
    const objects: ObjectDef[] = [];
    for (const o of listObjects(ctx)) {
      const shown = present(ctx, o);
      if (shown) objects.push(objectWithSystemFields(shown));
    }
    return { objects };
  });

  app.get<{ Params: { object: string } }>("/api/objects/:object", (request) => {
    const ctx = requestCtx(request);
    const object = ctx.meta(request.params.object);
    const shown = object ? present(ctx, object) : undefined;
    if (!shown) throw notFound(`There is no object named "${request.params.object}".`);
    return objectWithSystemFields(shown);
  });

  app.post("/api/objects", async (request, reply) => {
    const ctx = requireAdmin(request);
    const object = await createObject(ctx, jsonObjectBody(request) as NewObjectInput);
    void reply.header("location", `/api/objects/${object.name}`);
    return reply.code(201).send(objectWithSystemFields(object));
  });

  app.post<{ Params: { object: string } }>("/api/objects/:object/fields", async (request, reply) => {
    const ctx = requireAdmin(request);
    const field = await addField(ctx, request.params.object, jsonObjectBody(request) as unknown as FieldDef);
    return reply.code(201).send(field);
  });

  app.patch<{ Params: { object: string; field: string } }>("/api/objects/:object/fields/:field", async (request) => {
    const ctx = requireAdmin(request);
    return updateField(ctx, request.params.object, request.params.field, jsonObjectBody(request));
  });

  app.delete<{ Params: { object: string; field: string } }>("/api/objects/:object/fields/:field", async (request, reply) => {
    const ctx = requireAdmin(request);
    await deleteField(ctx, request.params.object, request.params.field);
    return reply.code(204).send();
  });
}
