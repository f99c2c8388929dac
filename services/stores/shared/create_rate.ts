import type { Database } from "../database.ts";
import { type CreateRate, type RateVerdict, rateVerdict } from "../../videos/user_limits.ts";
import { lockKeys, occasionally } from "./locks.ts";

/**
 * Creates per minute counted in the database, so the limit holds for a user whatever instances
 * their requests reach. Check and count are one transaction under an advisory lock on the user.
 */
export class SqlCreateRate implements CreateRate {
  #windowMs = 60_000;
  readonly #sweep = occasionally(
    60_000,
    (now) => this.db.sql.run("DELETE FROM create_events WHERE at <= ?", now - this.#windowMs),
  );

  constructor(readonly db: Database) {}

  take(userId: number, now: number, windowMs: number, max: number): Promise<RateVerdict> {
    this.#windowMs = windowMs;
    this.#sweep(now);
    return this.db.transaction(async (tx) => {
      await lockKeys(tx.sql, `create-rate:${userId}`);
      const rows = await tx.sql.all<{ at: number }>(
        "SELECT at FROM create_events WHERE user_id = ? AND at > ? ORDER BY at",
        userId,
        now - windowMs,
      );
      const verdict = rateVerdict(rows.map((r) => r.at), now, windowMs, max);
      if (verdict.ok) {
        await tx.sql.run(
          "INSERT INTO create_events (id, user_id, at) VALUES (?, ?, ?)",
          crypto.randomUUID(),
          userId,
          now,
        );
      }
      return verdict;
    });
  }
}
