/**
 * The floor: a bare Fastify server that runs given SQL directly through better-sqlite3 prepared
 * statements on the same database file, and replies with the rows as JSON. No auth, no metadata,
 * no decoding: what any HTTP service must do at least to answer the same question.
 */
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import Fastify from "fastify";
import type { CapturedQuery } from "./sql-capture";

export type FloorServer = { baseUrl: string; close: () => Promise<void> };

/** GET /q/:n runs the n-th query list (one request's worth of SQL) and returns the last result set. */
export async function startFloorServer(dbFile: string, requests: CapturedQuery[][]): Promise<FloorServer> {
  const db = new Database(dbFile, { readonly: true });
  db.pragma("busy_timeout = 5000");
  const prepared = requests.map((queries) => queries.map((q) => ({ stmt: db.prepare(q.sql), params: q.params })));
  const app = Fastify({ logger: false });
  app.get<{ Params: { n: string } }>("/q/:n", (request, reply) => {
    const list = prepared[Number(request.params.n)];
    if (!list) return reply.code(404).send({ error: "no such query" });
    let rows: unknown[] = [];
    for (const { stmt, params } of list) rows = stmt.reader ? stmt.all(params) : [stmt.run(params)];
    return reply.send({ records: rows });
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      db.close();
    },
  };
}
