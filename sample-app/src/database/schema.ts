/**
 * The database schema, applied on every start. `IF NOT EXISTS` makes it idempotent: the first start creates
 * the table, later starts keep the data. (A real app with evolving tables would track `PRAGMA user_version`
 * and run numbered migrations instead.)
 */
export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS documents (
     id         INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: IDs of deleted documents are never reused
     title      TEXT    NOT NULL,
     body       TEXT    NOT NULL,
     created_at TEXT    NOT NULL                   -- ISO 8601, UTC
   )`,
];
