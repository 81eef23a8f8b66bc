/**
 * platform/io: getting data in and out. Import (CSV with any common delimiter and encoding, XLSX;
 * lenient coercion; relations by name or key; batches through records.bulkUpsert with a resumable
 * job and a rejected-row report), export (CSV/XLSX of a filtered list), their CLI commands and HTTP
 * routes, and the demo data set loaded through the same import path.
 *
 * Wiring: the CLI calls registerImportCommand(program, open?) and registerExportCommand(program, open?);
 * app.ts calls `await registerIoRoutes(app, { dataDir })`; first start calls `await loadDemo(ctx)`.
 */
export { runImport, BATCH_SIZE } from "./import.service";
export type { ImportRequest, ImportSummary, ImportProgress } from "./import.service";
export { exportRecords, neutralise, neutraliseCell } from "./export.service";
export type { ExportRequest, ExportFormat, ExportMarking } from "./export.service";
export { planExport, canApproveExports, LINK_TTL_MS } from "./export-approval";
export { exportOpenApiPaths } from "./export.openapi";
export type { ExportAsk, ExportPlan, ExportRequestView, ExportStatus } from "./export-approval";
export { registerImportCommand, registerExportCommand, importCommand, exportCommand } from "./commands";
export { registerIoRoutes } from "./io.routes";
export type { IoDeps } from "./io.routes";
export { loadDemo, DEMO_DIR } from "./demo";
export type { DemoManifest, DemoStep } from "./demo";
export { openContext } from "./cli-context";
export type { CliContext, OpenCliContext, ContextConfig } from "./cli-context";
export { openRowSource, countRows } from "./file-reader";
export { planImport, checkMappingFile } from "./mapping";
export type { MappingFile, ColumnSpec } from "./mapping";
export { writeReportCsv } from "./report";
export { findJob as findImportJob, readRejections } from "./import-job.repo";
export type { ImportJob, Rejection } from "./import-job.repo";
