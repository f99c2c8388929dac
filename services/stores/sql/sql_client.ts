/**
 * The one seam between the stores and a SQL engine. Statements use `?` placeholders whatever the
 * engine; each client turns them into its own. Every method is async, so SQLite in this process
 * and PostgreSQL over the network are used the same way.
 */
export type SqlValue = string | number | bigint | null | Uint8Array;

export type Dialect = "sqlite" | "postgres";

export interface SqlRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

export interface SqlQueries {
  readonly dialect: Dialect;
  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined>;
  run(sql: string, ...params: SqlValue[]): Promise<SqlRunResult>;
}

export interface SqlClient extends SqlQueries {
  /** Runs `work` in one write transaction: all of it lands, or none. */
  transaction<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
