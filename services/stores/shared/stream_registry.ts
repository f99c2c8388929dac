import type { Database } from "../database.ts";
import {
  DEFAULT_STREAMS_PER_USER,
  MemoryStreamRegistry,
  type StreamRegistry,
  type StreamSlot,
  tooManyStreams,
} from "../../live/stream_registry.ts";
import { lockKeys } from "./locks.ts";

/** How often a live stream renews its slot (its session re-check, routes/live.ts). */
export const STREAM_RENEW_MS = 2_000;

/**
 * Open live streams counted in the database, so the per-user cap holds across instances. Each
 * stream renews its slot on every passing session check; a slot not renewed for `staleMs` (three
 * renewals missed: its instance died) no longer counts, and is deleted by the next open of that
 * user. Wake-ups stay in this process (a local registry's watchers): `sessionsEnded` wakes this
 * instance's streams at once; other instances' streams notice on their own next check.
 */
export class SqlStreamRegistry implements StreamRegistry {
  readonly #local: MemoryStreamRegistry;

  constructor(
    readonly db: Database,
    readonly instance: string,
    readonly limitPerUser = DEFAULT_STREAMS_PER_USER,
    readonly now: () => number = Date.now,
    readonly staleMs = 3 * STREAM_RENEW_MS,
  ) {
    this.#local = new MemoryStreamRegistry(limitPerUser);
  }

  open(userId: number): Promise<StreamSlot> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      await lockKeys(tx.sql, `streams:${userId}`);
      await tx.sql.run(
        "DELETE FROM stream_slots WHERE user_id = ? AND renewed_at <= ?",
        userId,
        now - this.staleMs,
      );
      const row = await tx.sql.get<{ n: number }>(
        "SELECT count(*) AS n FROM stream_slots WHERE user_id = ?",
        userId,
      );
      if (Number(row!.n) >= this.limitPerUser) throw tooManyStreams(this.limitPerUser);
      const slot = { id: crypto.randomUUID(), userId };
      await tx.sql.run(
        "INSERT INTO stream_slots (id, user_id, instance, renewed_at) VALUES (?, ?, ?, ?)",
        slot.id,
        userId,
        this.instance,
        now,
      );
      return slot;
    });
  }

  async close(slot: StreamSlot): Promise<void> {
    await this.db.sql.run("DELETE FROM stream_slots WHERE id = ?", slot.id);
  }

  async renew(slot: StreamSlot): Promise<void> {
    await this.db.sql.run(
      "UPDATE stream_slots SET renewed_at = ? WHERE id = ?",
      this.now(),
      slot.id,
    );
  }

  sessionsEnded(userId: number): Promise<void> {
    return this.#local.sessionsEnded(userId);
  }

  watch(userId: number, wake: () => void): () => void {
    return this.#local.watch(userId, wake);
  }

  /** How many streams the user has open on every instance (slots renewed lately). */
  async openCount(userId: number): Promise<number> {
    const row = await this.db.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM stream_slots WHERE user_id = ? AND renewed_at > ?",
      userId,
      this.now() - this.staleMs,
    );
    return Number(row!.n);
  }

  /** At shutdown: this instance's slots go at once rather than when they lapse. */
  async closeAll(): Promise<void> {
    await this.db.sql.run("DELETE FROM stream_slots WHERE instance = ?", this.instance);
  }
}
