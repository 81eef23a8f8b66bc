/**
 * Instance settings an administrator changes at runtime, stored as JSON in app_setting
 * (migration 009): the dynamic watermark and the export approval threshold. Each one falls back
 * to an environment variable, then to a built-in default; the stored value wins.
 *
 *   GET /api/settings/watermark          any signed-in user (the UI draws the overlay from it)
 *   PUT /api/settings/watermark          admin, {"enabled": true}
 *   GET /api/settings/export             any signed-in user
 *   PUT /api/settings/export             admin, {"approvalThreshold": 10000}
 *
 * Every change is audited as "settings.changed" in the transaction that stores it.
 */
import type { FastifyInstance } from "fastify";
import type { Db } from "../context";
import { appendAudit, toIsoTimestamp, withTransaction } from "../db";
import { requestCtx, requireAdmin } from "./auth";

export type Env = Record<string, string | undefined>;
export type SettingSource = "setting" | "env" | "default";

export const WATERMARK_KEY = "watermark";
export const EXPORT_KEY = "export";
export const DEFAULT_APPROVAL_THRESHOLD = 10_000;

export async function readSetting<T>(db: Db, key: string): Promise<{ value: T; updatedAt: string | null; updatedBy: string } | undefined> {
  const row: { value: string; updated_at: unknown; updated_by: string } | undefined = await db.kysely.selectFrom("app_setting").select(["value", "updated_at", "updated_by"]).where("key", "=", key).executeTakeFirst();
  if (!row) return undefined;
  return { value: JSON.parse(row.value) as T, updatedAt: toIsoTimestamp(row.updated_at), updatedBy: row.updated_by };
}

/** Inserts or replaces a setting (call inside the transaction that audits it). */
export async function writeSetting(db: Db, key: string, value: unknown, by: string, now: Date): Promise<void> {
  const row = { key, value: JSON.stringify(value), updated_at: now.toISOString(), updated_by: by };
  await db.kysely
    .insertInto("app_setting")
    .values(row)
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
}

const isOn = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export type WatermarkSetting = { enabled: boolean; source: SettingSource };

/** The watermark: the stored setting, else REVLINE_WATERMARK=1, else off. */
export async function watermarkSetting(db: Db, env: Env = process.env): Promise<WatermarkSetting> {
  const stored = await readSetting<{ enabled?: unknown }>(db, WATERMARK_KEY);
  if (stored && typeof stored.value.enabled === "boolean") return { enabled: stored.value.enabled, source: "setting" };
  if (env.REVLINE_WATERMARK !== undefined && env.REVLINE_WATERMARK !== "") return { enabled: isOn(env.REVLINE_WATERMARK), source: "env" };
  return { enabled: false, source: "default" };
}

export type ExportSetting = { approvalThreshold: number; source: SettingSource };

/**
 * How many rows an export may have before it needs a second person's approval: the stored setting,
 * else REVLINE_EXPORT_APPROVAL_ROWS, else 10,000.
 */
export async function exportSetting(db: Db, env: Env = process.env): Promise<ExportSetting> {
  const stored = await readSetting<{ approvalThreshold?: unknown }>(db, EXPORT_KEY);
  const n = stored?.value.approvalThreshold;
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) return { approvalThreshold: n, source: "setting" };
  const fromEnv = Number(env.REVLINE_EXPORT_APPROVAL_ROWS);
  if (env.REVLINE_EXPORT_APPROVAL_ROWS && Number.isSafeInteger(fromEnv) && fromEnv >= 0) return { approvalThreshold: fromEnv, source: "env" };
  return { approvalThreshold: DEFAULT_APPROVAL_THRESHOLD, source: "default" };
}

const SMALL_BODY = 4 * 1024;

export function registerSettingsRoutes(app: FastifyInstance, env: Env = process.env): void {
  app.get("/api/settings/watermark", async (request) => watermarkSetting(requestCtx(request).db, env));

  app.put<{ Body: { enabled: boolean } }>(
    "/api/settings/watermark",
    {
      bodyLimit: SMALL_BODY,
      schema: { body: { type: "object", additionalProperties: false, required: ["enabled"], properties: { enabled: { type: "boolean" } } } },
    },
    async (request) => {
      const ctx = requireAdmin(request);
      const before = await watermarkSetting(ctx.db, env);
      await withTransaction(ctx.db, async (trx) => {
        await writeSetting(trx, WATERMARK_KEY, { enabled: request.body.enabled }, ctx.actor.id, ctx.clock());
        await appendAudit({ ...ctx, db: trx }, [{ action: "settings.changed", object: "setting", recordId: WATERMARK_KEY, changes: { enabled: { before: before.enabled, after: request.body.enabled } } }]);
      });
      return watermarkSetting(ctx.db, env);
    },
  );

  app.get("/api/settings/export", async (request) => exportSetting(requestCtx(request).db, env));

  app.put<{ Body: { approvalThreshold: number } }>(
    "/api/settings/export",
    {
      bodyLimit: SMALL_BODY,
      schema: {
        body: { type: "object", additionalProperties: false, required: ["approvalThreshold"], properties: { approvalThreshold: { type: "integer", minimum: 0, maximum: 1_000_000_000 } } },
      },
    },
    async (request) => {
      const ctx = requireAdmin(request);
      const before = await exportSetting(ctx.db, env);
      await withTransaction(ctx.db, async (trx) => {
        await writeSetting(trx, EXPORT_KEY, { approvalThreshold: request.body.approvalThreshold }, ctx.actor.id, ctx.clock());
        await appendAudit({ ...ctx, db: trx }, [
          { action: "settings.changed", object: "setting", recordId: EXPORT_KEY, changes: { approvalThreshold: { before: before.approvalThreshold, after: request.body.approvalThreshold } } },
        ]);
      });
      return exportSetting(ctx.db, env);
    },
  );
}
