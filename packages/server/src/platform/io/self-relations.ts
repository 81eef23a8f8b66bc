/**
 * The second pass of an import whose rows refer to other rows of the same file
 * (account.parent_account -> account by name): once every row exists, each such relation is set
 * with an update through the records layer. A target row that was itself rejected leaves the
 * relation empty and is reported; the row that refers to it stays imported.
 */
import type { ObjectDef } from "@revline/core";
import type { Ctx } from "../context";
import { listRecords, updateRecord } from "../records";
import type { Rejection } from "./import-job.repo";
import { matchKey, textOf } from "./normalize";
import { loadRelationIndex, resolveRelation } from "./relation-index";
import type { Deferred } from "./row-builder";

export async function setDeferredRelations(ctx: Ctx, object: ObjectDef, keyField: string | undefined, deferred: Deferred[]): Promise<Rejection[]> {
  const index = await loadRelationIndex(ctx, object);
  // The rows themselves are found by the import key when there is one, else by name.
  const own = new Map<string, string>();
  if (keyField && keyField !== object.externalKeyField && keyField !== object.nameField) {
    const byKey = await loadKeyIndex(ctx, object, keyField);
    for (const [k, id] of byKey) own.set(k, id);
  }
  const problems: Rejection[] = [];
  for (const d of deferred) {
    const self = findSelf(index, own, d);
    const target = resolveRelation(index, d.text);
    if (!self) {
      problems.push({ row: d.row, column: d.column, value: d.text, reason: "the row could not be found again to set this relation (left empty)" });
      continue;
    }
    if (!target.ok) {
      problems.push({ row: d.row, column: d.column, value: d.text, reason: `${target.reason}: its row was rejected (left empty)` });
      continue;
    }
    await updateRecord(ctx, object.name, self, { [d.field]: target.id });
  }
  return problems;
}

function findSelf(index: Awaited<ReturnType<typeof loadRelationIndex>>, own: Map<string, string>, d: Deferred): string | undefined {
  if (d.key !== undefined && d.key !== null && d.key !== "") {
    const k = matchKey(textOf(d.key));
    const hit = own.get(k) ?? index.byKey.get(k);
    if (typeof hit === "string") return hit;
  }
  if (typeof d.name === "string") {
    const hit = index.byName.get(matchKey(d.name));
    if (typeof hit === "string") return hit;
  }
  return undefined;
}

async function loadKeyIndex(ctx: Ctx, object: ObjectDef, keyField: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page = await listRecords(ctx, object.name, { fields: [keyField], limit: 1000, cursor });
    for (const r of page.records) {
      const v = r[keyField];
      if (v !== null && v !== undefined && v !== "") map.set(matchKey(textOf(v)), r.id);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return map;
}
