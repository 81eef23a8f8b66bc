import type { Db } from "../context";
import { linkRoot } from "./open";

/**
 * Runs fn inside one transaction and commits when it resolves (rolls back when it throws).
 * Inside an open transaction it simply joins it, so services can compose without caring.
 */
export async function withTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.kysely.isTransaction) return fn(db);
  return db.kysely.transaction().execute(async (kysely) => {
    const trx: Db = { kysely, dialect: db.dialect };
    linkRoot(trx, db);
    return fn(trx);
  });
}

export const isInTransaction = (db: Db): boolean => db.kysely.isTransaction;
