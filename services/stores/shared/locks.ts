import type { SqlQueries } from "../sql/sql_client.ts";

/**
 * Inside a PostgreSQL transaction: holds advisory locks named by `keys` until it ends, so work on
 * the same keys from any instance goes one at a time. Taken in sorted order, so two transactions
 * wanting the same keys can never each hold one and wait for the other.
 */
export async function lockKeys(tx: SqlQueries, ...keys: string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort()) {
    await tx.run("SELECT pg_advisory_xact_lock(hashtext(?))", key);
  }
}

/** Runs `sweep` at most once per `everyMs` (per process): old rows go without a timer. */
export function occasionally(everyMs: number, sweep: (now: number) => Promise<unknown>) {
  let last = -Infinity;
  return (now: number): void => {
    if (now - last < everyMs) return;
    last = now;
    sweep(now).catch(() => {}); // a missed sweep is redone next time
  };
}
