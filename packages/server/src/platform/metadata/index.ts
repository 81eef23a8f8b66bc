/**
 * platform/metadata: object and field definitions (system tables meta_object / meta_field), the
 * in-memory cache behind the synchronous MetadataLookup, schema sync (DDL from the metadata diff),
 * admin changes at runtime, and the field value codec (API form <-> storage columns).
 *
 * Start-up:  await migrate(db); await syncMetadata(db, [...identityObjects, ...salesObjects]);
 * Per request: ctx.meta = metadataLookup(db); optionally `await refreshMetadata(db)` (multi-node PG).
 */
export { loadMetadata, refreshMetadata, metadataLookup, getObject, listObjects, readMetadataVersion } from "./store";
export { syncMetadata, mergeStandardField } from "./sync-standard";
export { syncSchema, planObjectSchema, wantedIndexes, columnTypes, indexName } from "./schema-sync";
export type { SchemaChange, IndexDef } from "./schema-sync";
export { createObject, addField, updateField, deleteField } from "./admin";
export type { NewObjectInput, FieldPatch } from "./admin";
export { RESERVED_NAMES, checkFieldDef } from "./validate-def";
export { parseInput, encodeValue, decodeValue, fieldDecoder, fieldEncoder, encodeMain } from "./field-codec";
export type { ParseResult, FieldEncoder } from "./field-codec";
export { registerMetadataRoutes, objectWithSystemFields } from "./metadata.routes";
