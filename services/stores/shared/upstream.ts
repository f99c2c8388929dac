import type { Database } from "../database.ts";
import { RECORD_MS, type SharedSends } from "../../providers/request_budget.ts";
import type { SharedHealth, UpstreamStatus } from "../../providers/upstream_health.ts";
import { lockKeys } from "./locks.ts";

/**
 * One provider's upstream sends of the last minute (and a second), and its pause, shared by every
 * instance: a send is recorded only while fewer than `perMinute` are, under an advisory lock on
 * the provider, so instances together never go over UPSTREAM_MAX_RPM in any 60 s.
 */
export class SqlSends implements SharedSends {
  constructor(readonly db: Database, readonly provider: string) {}

  take(now: number, perMinute: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await lockKeys(tx.sql, `upstream-sends:${this.provider}`);
      const pause = await tx.sql.get<{ until_at: number }>(
        "SELECT until_at FROM upstream_pauses WHERE provider = ?",
        this.provider,
      );
      if (pause && pause.until_at > now) return pause.until_at - now;
      await tx.sql.run(
        "DELETE FROM upstream_sends WHERE provider = ? AND at <= ?",
        this.provider,
        now - RECORD_MS,
      );
      // The perMinute-th newest send: while it is in the record, the record is full.
      const full = await tx.sql.get<{ at: number }>(
        "SELECT at FROM upstream_sends WHERE provider = ? ORDER BY at DESC LIMIT 1 OFFSET ?",
        this.provider,
        perMinute - 1,
      );
      if (full) return Math.max(1, full.at + RECORD_MS - now);
      await tx.sql.run(
        "INSERT INTO upstream_sends (provider, at) VALUES (?, ?)",
        this.provider,
        now,
      );
      return 0;
    });
  }

  async pause(until: number): Promise<void> {
    await this.db.sql.run(
      `INSERT INTO upstream_pauses (provider, until_at) VALUES (?, ?)
       ON CONFLICT (provider) DO UPDATE
       SET until_at = greatest(upstream_pauses.until_at, excluded.until_at)`,
      this.provider,
      until,
    );
  }
}

/** One provider's health, one row per provider, the newest write winning. */
export class SqlHealth implements SharedHealth {
  constructor(readonly db: Database, readonly provider: string) {}

  async load(): Promise<{ status: UpstreamStatus; at: number } | undefined> {
    const row = await this.db.sql.get<{ state: string; at: number }>(
      "SELECT state, at FROM upstream_health WHERE provider = ?",
      this.provider,
    );
    return row && { status: JSON.parse(row.state), at: Number(row.at) };
  }

  async save(status: UpstreamStatus, at: number): Promise<void> {
    await this.db.sql.run(
      `INSERT INTO upstream_health (provider, state, at) VALUES (?, ?, ?)
       ON CONFLICT (provider) DO UPDATE SET state = excluded.state, at = excluded.at
       WHERE upstream_health.at < excluded.at`,
      this.provider,
      JSON.stringify(status),
      at,
    );
  }
}
