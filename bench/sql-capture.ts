/**
 * Records the SQL the product runs on an object table, with its parameters, by wrapping better-sqlite3's
 * Statement methods in this process. The floors then run exactly that SQL, so a figure's ratio measures
 * the product's own overhead, not a different query plan. Wrapping is switched on only while capturing
 * and removed before anything is timed.
 */
import Database from "better-sqlite3";

export type CapturedQuery = { sql: string; params: unknown[] };

type Method = "all" | "get" | "iterate" | "run";
const METHODS: Method[] = ["all", "get", "iterate", "run"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- patching a native prototype
type AnyFn = (...args: any[]) => any;

function statementPrototype(): Record<Method, AnyFn> {
  const db = new Database(":memory:");
  const proto = Object.getPrototypeOf(db.prepare("select 1")) as Record<Method, AnyFn>;
  db.close();
  return proto;
}

/** Captures every statement whose SQL matches `pattern` until stop() is called. */
export function captureSql(pattern: RegExp) {
  const proto = statementPrototype();
  const originals = new Map<Method, AnyFn>();
  const captured: CapturedQuery[] = [];
  for (const method of METHODS) {
    const original = proto[method];
    originals.set(method, original);
    proto[method] = function (this: Database.Statement, ...args: unknown[]) {
      if (pattern.test(this.source)) {
        // Kysely passes one array of parameters; better-sqlite3 also accepts them spread.
        const params = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
        captured.push({ sql: this.source, params: [...params] });
      }
      return original.apply(this, args) as unknown;
    };
  }
  return {
    /** Takes what was captured since the last take (one request's queries). */
    take(): CapturedQuery[] {
      return captured.splice(0, captured.length);
    },
    stop(): void {
      for (const [method, original] of originals) proto[method] = original;
    },
  };
}
