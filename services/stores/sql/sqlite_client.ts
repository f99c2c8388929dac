import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { SqlClient, SqlQueries, SqlRunResult, SqlValue } from "./sql_client.ts";

/**
 * SQLite in this process through `node:sqlite`. Statements run synchronously and are prepared once;
 * the async surface is the seam's. One connection serves the whole app, so while a transaction's
 * work awaits something, every other statement waits for it to end instead of slipping into it.
 */
export class SqliteClient implements SqlClient {
  readonly dialect = "sqlite" as const;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #transaction: Promise<unknown> | null = null;
  readonly #direct: SqlQueries;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    this.#direct = {
      dialect: "sqlite",
      all: <T>(sql: string, ...params: SqlValue[]) => Promise.resolve(this.#all<T>(sql, params)),
      get: <T>(sql: string, ...params: SqlValue[]) => Promise.resolve(this.#get<T>(sql, params)),
      run: (sql: string, ...params: SqlValue[]) => Promise.resolve(this.#run(sql, params)),
    };
  }

  // Each statement runs in the same turn as the check that no transaction is open: an `await`
  // between them would let a transaction begin and take the statement in.
  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    while (this.#transaction) await this.#transaction.catch(() => {});
    return this.#all<T>(sql, params);
  }

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    while (this.#transaction) await this.#transaction.catch(() => {});
    return this.#get<T>(sql, params);
  }

  async run(sql: string, ...params: SqlValue[]): Promise<SqlRunResult> {
    while (this.#transaction) await this.#transaction.catch(() => {});
    return this.#run(sql, params);
  }

  /** Runs statements with no parameters at once (migrations), outside the statement cache. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  async transaction<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T> {
    // Checked and claimed in one turn (no `await` in between), so two callers cannot both begin.
    while (this.#transaction) await this.#transaction.catch(() => {});
    const running = (async () => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(this.#direct);
        this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        this.#db.exec("ROLLBACK");
        throw error;
      }
    })();
    this.#transaction = running;
    try {
      return await running;
    } finally {
      if (this.#transaction === running) this.#transaction = null;
    }
  }

  /** Synchronous work in one transaction, for callers that cannot await (migrations at start). */
  transactionSync<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** A consistent copy of the whole database in one file, safe while the app runs. */
  async backupTo(path: string): Promise<void> {
    await this.run("VACUUM INTO ?", path);
  }

  pragma<T>(sql: string): T {
    return this.#db.prepare(sql).get() as T;
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all<T>(sql: string, params: SqlValue[]): T[] {
    return this.#statement(sql).all(...params as SQLInputValue[]) as T[];
  }

  #get<T>(sql: string, params: SqlValue[]): T | undefined {
    return this.#statement(sql).get(...params as SQLInputValue[]) as T | undefined;
  }

  #run(sql: string, params: SqlValue[]): SqlRunResult {
    return { changes: Number(this.#statement(sql).run(...params as SQLInputValue[]).changes) };
  }
}
