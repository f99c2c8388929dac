import { AppError } from "../errors.ts";

/** One open live stream, as the registry knows it. */
export interface StreamSlot {
  readonly id: string;
  readonly userId: number;
}

/**
 * Who has which live streams open: a per-user cap on them, and a way to tell a user's streams
 * that their sessions ended so they re-check at once. Several instances behind one balancer
 * need a shared implementation (rows in the database, renewed by `renew`, so a crashed
 * instance's slots lapse); the in-memory one below is for a single process. Streams re-check
 * their token on a timer anyway, so a missed signal only delays a close, never skips it.
 */
export interface StreamRegistry {
  /** The most streams one user may have open at once. */
  readonly limitPerUser: number;
  /** Claims a slot for a new stream; throws a 429 AppError when the user is at the cap. */
  open(userId: number): Promise<StreamSlot>;
  /** Gives the slot back; closing one twice is harmless. */
  close(slot: StreamSlot): Promise<void>;
  /**
   * Says the slot's stream is still alive (a shared store expires slots not renewed); renewing a
   * slot already closed does nothing.
   */
  renew(slot: StreamSlot): Promise<void>;
  /** The user's sessions (some or all) ended: wake their streams to re-check their token now. */
  sessionsEnded(userId: number): Promise<void>;
  /** Calls `wake` whenever `sessionsEnded(userId)` is said; returns the unsubscribe. */
  watch(userId: number, wake: () => void): () => void;
}

export const DEFAULT_STREAMS_PER_USER = 20;

/** Long enough that a client retrying at once does not hit the cap again before one closes. */
const RETRY_AFTER_SECONDS = 30;

export function tooManyStreams(limit: number): AppError {
  return new AppError(
    429,
    "too_many_streams",
    `You already have ${limit} live streams open, the most allowed. Close a tab or an ` +
      `event stream, then try again.`,
    undefined,
    RETRY_AFTER_SECONDS,
  );
}

/** The registry of one process: counts in a Map, wake-ups through local listeners. */
export class MemoryStreamRegistry implements StreamRegistry {
  readonly #open = new Map<number, Set<string>>();
  readonly #watchers = new Map<number, Set<() => void>>();

  constructor(readonly limitPerUser = DEFAULT_STREAMS_PER_USER) {}

  open(userId: number): Promise<StreamSlot> {
    const slots = this.#open.get(userId) ?? new Set<string>();
    if (slots.size >= this.limitPerUser) return Promise.reject(tooManyStreams(this.limitPerUser));
    const slot = { id: crypto.randomUUID(), userId };
    slots.add(slot.id);
    this.#open.set(userId, slots);
    return Promise.resolve(slot);
  }

  close(slot: StreamSlot): Promise<void> {
    const slots = this.#open.get(slot.userId);
    slots?.delete(slot.id);
    if (slots?.size === 0) this.#open.delete(slot.userId);
    return Promise.resolve();
  }

  renew(_slot: StreamSlot): Promise<void> {
    return Promise.resolve();
  }

  sessionsEnded(userId: number): Promise<void> {
    for (const wake of [...this.#watchers.get(userId) ?? []]) wake();
    return Promise.resolve();
  }

  watch(userId: number, wake: () => void): () => void {
    const watchers = this.#watchers.get(userId) ?? new Set();
    watchers.add(wake);
    this.#watchers.set(userId, watchers);
    return () => {
      watchers.delete(wake);
      if (watchers.size === 0 && this.#watchers.get(userId) === watchers) {
        this.#watchers.delete(userId);
      }
    };
  }

  /** How many streams the user has open (for tests and the admin status). */
  openCount(userId: number): number {
    return this.#open.get(userId)?.size ?? 0;
  }
}
