/** The rejected-row report of an import as CSV (row, column, value, reason), streamed from the job. */
import type { Writable } from "node:stream";
import Papa from "papaparse";
import type { Db } from "../context";
import { readRejections } from "./import-job.repo";
import { neutralise } from "./export.service";

export async function writeReportCsv(db: Db, importId: string, out: Writable): Promise<number> {
  const write = (s: string) => new Promise<void>((resolve, reject) => (out.write(s) ? resolve() : (out.once("drain", resolve), out.once("error", reject))));
  await write("\ufeffrow,column,value,reason\r\n");
  let n = 0;
  let lines: string[][] = [];
  const flush = async () => {
    if (lines.length) await write(Papa.unparse(lines, { newline: "\r\n" }) + "\r\n");
    lines = [];
  };
  for await (const r of readRejections(db, importId)) {
    lines.push([String(r.row), neutralise(r.column ?? ""), neutralise(r.value ?? ""), neutralise(r.reason)]);
    n++;
    if (lines.length >= 1000) await flush();
  }
  await flush();
  await new Promise<void>((resolve) => out.end(resolve));
  return n;
}
