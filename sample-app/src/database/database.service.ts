import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import initSqlJs, { type BindParams, type Database, type SqlValue } from 'sql.js';

/** A row as sql.js returns it: column name to value. */
export type Row = Record<string, SqlValue>;

/**
 * An embedded SQLite database (sql.js: SQLite compiled to WebAssembly, so no server and no native build)
 * kept in memory and persisted to one file.
 *
 * sql.js works on an in-memory copy, so every change goes through {@link change}: the change runs in a
 * transaction, then the whole database is written to the file before the caller continues. The write is
 * atomic (temporary file, fsync, rename over the old file): a crash leaves either the old or the new
 * file, never a torn one. Writes are serialized, and changes made while a write is queued share the next
 * write. Good for a sample and for small data sets; a large or busy database wants a real SQLite binding.
 *
 * Created by {@link DatabaseService.open} from an async provider (see `DatabaseModule`), so it is ready
 * before anything that injects it is constructed.
 */
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  /** The last write queued (resolved when everything queued so far is on disk). */
  private writing: Promise<void> = Promise.resolve();
  /** A write queued but not started yet: later changes join it instead of queueing another. */
  private queued?: Promise<void>;
  private closed = false;

  private constructor(
    private readonly db: Database,
    /** Absolute path of the database file. */
    readonly path: string,
  ) {}

  /**
   * Opens the database file at `path`, creating its directory and the file on first start, and applies
   * `schema` (idempotent statements such as `CREATE TABLE IF NOT EXISTS`).
   */
  static async open(path: string, schema: readonly string[]): Promise<DatabaseService> {
    const SQL = await initSqlJs();
    await mkdir(dirname(path), { recursive: true });
    const existing = await readIfExists(path);
    const db = new SQL.Database(existing);
    const service = new DatabaseService(db, path);
    try {
      for (const statement of schema) db.run(statement);
    } catch (error) {
      db.close();
      // sql.js only notices a file that is not SQLite at the first statement: say which file it was.
      throw new Error(`Cannot open the database ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (!existing) await service.persist(); // the file exists from the first start on
    service.logger.log(`${existing ? 'Opened' : 'Created'} database ${path}`);
    return service;
  }

  /** Runs a read-only query and returns every row. */
  all(sql: string, params: BindParams = []): Row[] {
    this.assertOpen();
    const statement = this.db.prepare(sql, params);
    try {
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as Row);
      return rows;
    } finally {
      statement.free(); // statements hold WebAssembly memory until freed
    }
  }

  /** Runs a read-only query and returns its first row, or undefined. */
  get(sql: string, params: BindParams = []): Row | undefined {
    return this.all(sql, params)[0];
  }

  /**
   * Applies a change: `work` runs synchronously inside a transaction (rolled back if it throws), then the
   * database is written to its file; resolves with `work`'s result once it is on disk. Use
   * {@link all} inside `work` for statements with `RETURNING`.
   */
  async change<T>(work: () => T): Promise<T> {
    this.assertOpen();
    this.db.run('BEGIN');
    let result: T;
    try {
      result = work();
      this.db.run('COMMIT');
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
    await this.persist();
    return result;
  }

  /** Waits for pending writes, then frees the database (Nest calls this on `app.close()`). */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    await this.writing.catch(() => undefined); // a failed write was already reported to its caller
    this.closed = true;
    this.db.close();
  }

  /** Queues a write of the current state (or joins the queued one) and resolves when it is on disk. */
  private persist(): Promise<void> {
    if (this.queued) return this.queued;
    const write = this.writing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined; // from now on, a change needs a write of its own
        return this.writeSnapshot();
      });
    this.queued = write;
    this.writing = write;
    return write;
  }

  private async writeSnapshot(): Promise<void> {
    const bytes = this.db.export(); // taken when the write starts: includes every change so far
    const temporary = `${this.path}.${process.pid}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync(); // on disk before the rename makes it the database
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The database is closed.');
  }
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
