// @ts-types="npm:@types/pg@8.23.1"
import pg from "pg";
import type { SqlClient, SqlQueries, SqlRunResult, SqlValue } from "./sql_client.ts";

const INT8 = 20;
const NUMERIC = 1700;

/**
 * Millisecond times and counts are BIGINT, sums of them NUMERIC; the driver hands both over as
 * strings unless told otherwise. Every value the app keeps there fits a double exactly.
 */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    // deno-lint-ignore no-explicit-any
    return pg.types.getTypeParser(oid, format as any);
  },
};

/** `?` placeholders (outside quoted strings) become PostgreSQL's `$1`, `$2`, … */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = "";
  for (const char of sql) {
    if (char === "'") quoted = !quoted;
    out += char === "?" && !quoted ? `$${++n}` : char;
  }
  return out;
}

const converted = new Map<string, string>();
function toPostgres(sql: string): string {
  let text = converted.get(sql);
  if (text === undefined) converted.set(sql, text = numberPlaceholders(sql));
  return text;
}

type Queryable = Pick<pg.Pool, "query">;

function queriesOver(target: Queryable): SqlQueries {
  const query = (sql: string, params: SqlValue[]) =>
    target.query({ text: toPostgres(sql), values: params as unknown[] });
  return {
    dialect: "postgres",
    async all<T>(sql: string, ...params: SqlValue[]) {
      return (await query(sql, params)).rows as T[];
    },
    async get<T>(sql: string, ...params: SqlValue[]) {
      return (await query(sql, params)).rows[0] as T | undefined;
    },
    async run(sql: string, ...params: SqlValue[]): Promise<SqlRunResult> {
      return { changes: (await query(sql, params)).rowCount ?? 0 };
    },
  };
}

/** PostgreSQL through a small connection pool (node-postgres). */
export class PostgresClient implements SqlClient {
  readonly dialect = "postgres" as const;
  readonly pool: pg.Pool;
  readonly #queries: SqlQueries;

  constructor(readonly url: string, maxConnections = 10) {
    this.pool = new pg.Pool({ connectionString: url, max: maxConnections, types });
    // An idle connection the server dropped must not take the process down with it.
    this.pool.on("error", () => {});
    this.#queries = queriesOver(this.pool);
  }

  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.#queries.all<T>(sql, ...params);
  }

  get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return this.#queries.get<T>(sql, ...params);
  }

  run(sql: string, ...params: SqlValue[]): Promise<SqlRunResult> {
    return this.#queries.run(sql, ...params);
  }

  async transaction<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(queriesOver(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** A connection of its own that stays open (for LISTEN), with the same type handling. */
  async dedicated(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, types });
    await client.connect();
    return client;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
