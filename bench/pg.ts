/**
 * PostgreSQL for the benchmarks: BENCH_DATABASE_URL names a server where the bench may
 * `CREATE DATABASE` a throwaway database per target (dropped afterwards, with its connections).
 * When it is unset, the PostgreSQL rows of the report say so instead of showing a figure.
 */
import { PostgresClient } from "../services/stores/sql/postgres_client.ts";
import type { Row } from "./common.ts";

export const BENCH_DATABASE_URL = Deno.env.get("BENCH_DATABASE_URL") || undefined;

export const NOT_RUN = "not run (set BENCH_DATABASE_URL)";

/** A new, empty database on BENCH_DATABASE_URL's server; dropped when disposed. */
export async function throwawayDatabase(
  label: string,
): Promise<{ url: string; name: string } & AsyncDisposable> {
  if (!BENCH_DATABASE_URL) throw new Error("BENCH_DATABASE_URL is not set");
  const name = `sora_bench_${label}_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = new PostgresClient(BENCH_DATABASE_URL, 1);
  try {
    await admin.run(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.close();
    throw error;
  }
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    async [Symbol.asyncDispose]() {
      await admin.run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.close();
    },
  };
}

/** The rows a PostgreSQL measure would have had, each saying it was not run. */
export function notRunRows(metrics: { metric: string; target: string }[]): Row[] {
  return metrics.map(({ metric, target }) => ({ metric, value: NOT_RUN, target, ok: null }));
}

/** The server's version, for the report ("PostgreSQL 15.x"). */
export async function serverVersion(url: string): Promise<string> {
  const client = new PostgresClient(url, 1);
  try {
    const row = await client.get<{ v: string }>("SELECT current_setting('server_version') AS v");
    return `PostgreSQL ${row?.v ?? "?"}`;
  } finally {
    await client.close();
  }
}
