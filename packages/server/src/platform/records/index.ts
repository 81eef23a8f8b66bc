/**
 * platform/records: the one door to business data. Every read applies the actor's policy (row
 * condition in the WHERE, hidden fields dropped, masked fields masked); every write runs
 * access -> validate -> write -> audit -> outbox event in one transaction, for single and bulk writes alike.
 *
 *   listRecords(ctx, object, { filter?, sort?, limit?, cursor?, fields?, include?, deleted? }) -> { records, nextCursor }
 *   getRecord(ctx, object, id, { fields?, include? }) -> record            (NotFound)
 *   createRecord(ctx, object, input) -> record                            (Invalid naming fields; Conflict on unique)
 *   updateRecord(ctx, object, id, patch, { expectedVersion? }) -> record  (Conflict when stale)
 *   deleteRecord(ctx, object, id) -> void (soft) ; restoreRecord(ctx, object, id) -> record
 *   bulkUpsert(ctx, object, rows, { key }) -> { inserted, updated, ids }  (<= 1000 rows, all-or-nothing)
 *   aggregate(ctx, object, { filter?, groupBy?, metrics, deleted? }) -> { rows: [{ group, values }] }
 */
export { listRecords, getRecord } from "./read";
export { createRecord, updateRecord, deleteRecord, restoreRecord, bulkUpsert, MAX_BULK_ROWS } from "./write";
export { aggregate } from "./aggregate";
export { registerComputedField } from "./computed";
export type { ComputeFn } from "./computed";
export { MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT } from "./read";
export type * from "./types";
export { appendAudit, appendEvents, hashEntry, GENESIS_HASH } from "./journal";
export type { AuditInput, AuditEntry, OutboxEventInput, RecordEventType } from "./journal";
export { registerRecordRoutes } from "./records.routes";
export { computedFieldsOf } from "./computed";
export { presentObject } from "./present";
export { revealMany } from "./reveal";
