/**
 * The body of POST /api/imports/:id/run, checked before the job starts: an import runs in the
 * background, so anything wrong with what was asked must be a 400 now, not a failed job later, and
 * an option the server does not know (or a dryRun that is not exactly true/false) must never be
 * read as "a real import with the defaults".
 */
import { AppError, invalid, type ErrorDetail, type ObjectDef } from "@revline/core";
import { openRowSource } from "./file-reader";
import { resolveKey } from "./import.service";
import type { DateOrder } from "./lenient-date";
import { checkMappingFile, planImport, type MappingFile } from "./mapping";

export type RunBody = {
  mapping?: MappingFile;
  dryRun: boolean;
  dateOrder?: DateOrder;
  onUnresolved?: "reject" | "empty";
  key?: string | null;
  encoding?: string;
};

const RUN_KEYS = ["mapping", "dryRun", "dateOrder", "onUnresolved", "key", "encoding"];
const MAPPING_FILE_KEYS = ["columns", "set", "key", "dateOrder", "onUnresolved", "autoMap"];

function mappingOf(raw: unknown, errors: ErrorDetail[]): MappingFile | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    errors.push({ field: "mapping", reason: "must be an object of column -> field (or a mapping file)" });
    return undefined;
  }
  // Either a whole mapping file, or the wizard's plain {column: field | null}.
  const isFile = MAPPING_FILE_KEYS.some((k) => k in raw);
  try {
    return checkMappingFile(isFile ? raw : { columns: raw, autoMap: false });
  } catch (e) {
    if (e instanceof AppError) errors.push(...e.details.map((d) => ({ ...d, field: d.field === "mapping" ? "mapping" : `mapping.${d.field}` })));
    else throw e;
    return undefined;
  }
}

export function parseRunBody(raw: unknown): RunBody {
  if (raw === undefined || raw === null) return { dryRun: false };
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid("The request body must be a JSON object of run options.", [{ field: "body", reason: "must be a JSON object" }]);
  const b = raw as Record<string, unknown>;
  const errors: ErrorDetail[] = [];
  for (const k of Object.keys(b)) if (!RUN_KEYS.includes(k)) errors.push({ field: k, reason: `is not an import option (${RUN_KEYS.join(", ")})` });
  if (b.dryRun !== undefined && typeof b.dryRun !== "boolean") errors.push({ field: "dryRun", reason: "must be true or false" });
  if (b.dateOrder !== undefined && b.dateOrder !== "ymd" && b.dateOrder !== "dmy" && b.dateOrder !== "mdy") errors.push({ field: "dateOrder", reason: "must be ymd, dmy or mdy" });
  if (b.onUnresolved !== undefined && b.onUnresolved !== "reject" && b.onUnresolved !== "empty") errors.push({ field: "onUnresolved", reason: "must be reject or empty" });
  // key null asks for no key at all ("always create new records"); absent means the default.
  if (b.key !== undefined && b.key !== null && typeof b.key !== "string") errors.push({ field: "key", reason: "must be a field name or null" });
  if (b.encoding !== undefined && (typeof b.encoding !== "string" || !b.encoding.trim())) errors.push({ field: "encoding", reason: "must be an encoding name" });
  const mapping = mappingOf(b.mapping, errors);
  if (errors.length) throw invalid(`Invalid import options: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}.`, errors);
  return {
    mapping,
    dryRun: b.dryRun === true,
    dateOrder: b.dateOrder as DateOrder | undefined,
    onUnresolved: b.onUnresolved as RunBody["onUnresolved"],
    key: b.key as string | null | undefined,
    encoding: b.encoding as string | undefined,
  };
}

/** Reads the file's header with the asked encoding and plans the mapping and key: what the run would do first. */
export async function precheckRun(object: ObjectDef, file: string, fileName: string, body: RunBody): Promise<void> {
  const head = await openRowSource(file, { encoding: body.encoding }, fileName);
  head.close();
  const mappingFile = body.mapping ?? {};
  const plan = planImport(object, head.columns, mappingFile);
  resolveKey(object, plan, body.key !== undefined ? body.key : mappingFile.key);
}
