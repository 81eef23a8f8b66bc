/**
 * Reading a CSV or XLSX file as a stream of rows, with memory that stays flat whatever the file's
 * size: bytes -> iconv decoder -> papaparse stream (CSV), or exceljs' streaming WorkbookReader
 * (XLSX, first sheet only). Rows are pulled with `for await`, so a slow consumer (the database)
 * pauses the file instead of letting rows pile up.
 *
 * The first non-empty row is the header. Row numbers count data rows: row 1 is the first row
 * under the header; blank rows are skipped and not counted.
 */
import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import { invalid } from "@revline/core";
import type { Cell } from "./coerce";
import { decodeSample, decoder, detectEncoding, SAMPLE_BYTES } from "./encoding";
import { textOf } from "./normalize";

export type FileFormat = "csv" | "xlsx";
export type ReadOptions = { encoding?: string; format?: FileFormat; delimiter?: string };
export type DataRow = { row: number; cells: Cell[] };
export type FileInfo = { format: FileFormat; encoding?: string; encodingLabel?: string; delimiter?: string };
export type RowSource = FileInfo & {
  columns: string[];
  rows: AsyncIterable<DataRow>;
  /** Stops reading early (the file handle is released). */
  close: () => void;
};

const DELIMITERS = [",", ";", "\t", "|"];

function readSample(file: string): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

export function detectFormat(file: string, sample: Buffer, fileName = file): FileFormat {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === ".xlsx" || ext === ".xlsm") return "xlsx";
  if (ext === ".xls") throw invalid("old .xls workbooks are not supported: save the file as .xlsx or .csv", [{ field: "file", reason: "xls" }]);
  // A zip signature: an .xlsx saved under another name.
  if (sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) return "xlsx";
  return "csv";
}

function detectDelimiter(text: string): string {
  const cut = text.lastIndexOf("\n");
  const sample = cut > 0 ? text.slice(0, cut) : text;
  const meta = Papa.parse(sample, { preview: 50, delimitersToGuess: DELIMITERS }).meta;
  return DELIMITERS.includes(meta.delimiter) ? meta.delimiter : ",";
}

const isBlankRow = (cells: Cell[]) => cells.every((c) => c === null || c === undefined || (typeof c === "string" && c.trim() === ""));

/**
 * Header names, each unique so that a mapping can name every column: an empty header is
 * "Column <n>", and a header seen before gets " (2)", " (3)"... ("Phone", "Phone (2)").
 */
export function headerNames(cells: Cell[]): string[] {
  const names = cells.map((c, i) => {
    const name = c === null || c === undefined ? "" : String(c instanceof Date ? c.toISOString() : c).trim();
    return name === "" ? `Column ${i + 1}` : name;
  });
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name} (${n})`)) n++;
    const unique = `${name} (${n})`;
    taken.add(unique);
    seen.add(unique);
    return unique;
  });
}

/**
 * Turns a stream of raw row batches into header + numbered data rows. Readers hand over rows a
 * batch at a time (a parsed CSV chunk) so that only the consumer's own `for await` costs a
 * promise per row.
 */
async function withHeader(raw: AsyncIterator<Cell[][]>): Promise<{ columns: string[]; rows: AsyncIterable<DataRow> }> {
  let batch: Cell[][] = [];
  let at = 0;
  let header: Cell[] | undefined;
  while (!header) {
    if (at >= batch.length) {
      const next = await raw.next();
      if (next.done) throw invalid("the file is empty: no header row", [{ field: "file", reason: "empty" }]);
      batch = next.value;
      at = 0;
      continue;
    }
    const cells = batch[at++]!;
    if (!isBlankRow(cells)) header = cells;
  }
  const columns = headerNames(header);
  const first = batch.slice(at);
  async function* rows(): AsyncGenerator<DataRow> {
    let n = 0;
    for (let b: Cell[][] | undefined = first; b; ) {
      for (const cells of b) {
        if (isBlankRow(cells)) continue;
        yield { row: ++n, cells };
      }
      const next = await raw.next();
      b = next.done ? undefined : next.value;
    }
  }
  return { columns, rows: rows() };
}

/**
 * Rows of a decoded text stream. papaparse parses each chunk the stream gives; while two parsed
 * chunks wait unread, the file is paused (papaparse's own stream mode re-copies the rest of a
 * chunk at every pause, which turns quadratic on big chunks).
 */
function csvRows(text: NodeJS.ReadableStream, delimiter: string): AsyncGenerator<Cell[][]> {
  const queue: string[][][] = [];
  let finished = false;
  let failure: unknown;
  let parser: Papa.Parser | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  Papa.parse(text as unknown as File, {
    delimiter,
    skipEmptyLines: "greedy",
    chunk: (results: Papa.ParseResult<string[]>, p: Papa.Parser) => {
      parser = p;
      queue.push(results.data);
      if (queue.length >= 2 && !paused) {
        paused = true;
        p.pause();
      }
      notify();
    },
    complete: () => {
      finished = true;
      notify();
    },
    error: (e: Error) => {
      failure = e;
      notify();
    },
  });
  return (async function* () {
    for (;;) {
      const rows = queue.shift();
      if (rows) {
        if (paused && queue.length < 2) {
          paused = false;
          parser?.resume();
        }
        if (rows.length > 0) yield rows;
        continue;
      }
      if (failure) throw failure instanceof Error ? failure : new Error(textOf(failure));
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  })();
}

async function openCsv(file: string, sample: Buffer, opts: ReadOptions): Promise<RowSource> {
  const enc = detectEncoding(sample, opts.encoding);
  const delimiter = opts.delimiter ?? detectDelimiter(decodeSample(sample, enc.encoding));
  const input = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const text = input.pipe(decoder(enc.encoding));
  input.on("error", (e) => (text as unknown as { destroy: (e: Error) => void }).destroy(e));
  const raw = csvRows(text, delimiter);
  const { columns, rows } = await withHeader(raw);
  return {
    format: "csv",
    encoding: enc.encoding,
    encodingLabel: enc.label,
    delimiter,
    columns,
    rows,
    close: () => {
      input.destroy();
      void raw.return(undefined);
    },
  };
}

/** An exceljs cell value as a plain Cell. */
export function xlsxCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value instanceof Date) return value;
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as { text: string }[]).map((p) => p.text).join("");
    if ("result" in v) return xlsxCell(v.result);
    if ("formula" in v || "sharedFormula" in v) return null;
    if (typeof v.text === "string") return v.text;
    if (typeof v.error === "string") return v.error;
  }
  return textOf(value);
}

async function openXlsx(file: string): Promise<RowSource> {
  const input = fs.createReadStream(file);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache", // needed to tell date cells from number cells
    hyperlinks: "ignore",
    entries: "ignore",
  });
  async function* sheetRows(): AsyncGenerator<Cell[][]> {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: Cell[] = [];
        for (let i = 1; i < values.length; i++) cells.push(xlsxCell(values[i]));
        yield [cells];
      }
      return; // first sheet only
    }
  }
  const gen = sheetRows();
  const { columns, rows } = await withHeader(gen);
  return {
    format: "xlsx",
    columns,
    rows,
    close: () => {
      input.destroy();
      void gen.return(undefined);
    },
  };
}

/** Opens a file for reading rows; `fileName` (the original upload name) helps tell the format. */
export async function openRowSource(file: string, opts: ReadOptions = {}, fileName?: string): Promise<RowSource> {
  if (!fs.existsSync(file)) throw invalid(`file not found: ${fileName ?? file}`, [{ field: "file", reason: "not found" }]);
  const sample = readSample(file);
  const format = opts.format ?? detectFormat(file, sample, fileName);
  return format === "xlsx" ? openXlsx(file) : openCsv(file, sample, opts);
}

/** Counts data rows (a full pass; CSV parsing only, no coercion). */
export async function countRows(file: string, opts: ReadOptions = {}, fileName?: string): Promise<number> {
  const source = await openRowSource(file, opts, fileName);
  let n = 0;
  for await (const _ of source.rows) n++;
  return n;
}
