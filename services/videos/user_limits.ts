import type { Database } from "../stores/database.ts";
import { AppError } from "../errors.ts";

/**
 * Per-user limits on starting paid jobs, so one person's batch cannot starve everyone else:
 * videos in flight (counted in the database, so it holds across instances as it is) and creates
 * per minute (counted by a `CreateRate`, in memory today; a shared one replaces it when several
 * instances run).
 */
export interface UserLimits {
  /** Unfinished videos one user may have at once; 0 means no limit (USER_MAX_IN_FLIGHT). */
  maxInFlight: number;
  /** New videos one user may start in any 60 s; 0 means no limit (USER_MAX_CREATES_PER_MINUTE). */
  maxCreatesPerMinute: number;
  /**
   * Retry-After for the in-flight limit. No video of the user's can be seen to finish before the
   * poller next checks on it, one poll interval away, so asking sooner is wasted; a video takes
   * longer than that, but one of several may be nearly done, so a longer wait would be a guess.
   */
  inFlightRetryAfterSeconds: number;
  rate: CreateRate;
}

/** Where recent creates are counted. */
export interface CreateRate {
  /**
   * Counts a create by `userId` at `now` when fewer than `max` were counted in the `windowMs`
   * before it; otherwise counts nothing and says how long until the oldest leaves the window.
   * Check and count are one step, so concurrent creates cannot all slip through.
   */
  take(
    userId: number,
    now: number,
    windowMs: number,
    max: number,
  ): Promise<RateVerdict>;
}

export const RATE_WINDOW_MS = 60_000;

export type RateVerdict = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * The rule, for every store: given the times (oldest first) of the user's creates in the window,
 * whether one more may go, or how long until the oldest leaves the window.
 */
export function rateVerdict(
  times: readonly number[],
  now: number,
  windowMs: number,
  max: number,
): RateVerdict {
  if (times.length < max) return { ok: true };
  return { ok: false, retryAfterMs: times[times.length - max] + windowMs - now };
}

/** A sliding window per user: the times of their creates of the last minute. */
export class MemoryCreateRate implements CreateRate {
  readonly #times = new Map<number, number[]>();

  take(userId: number, now: number, windowMs: number, max: number) {
    const times = (this.#times.get(userId) ?? []).filter((at) => at > now - windowMs);
    const verdict = rateVerdict(times, now, windowMs, max);
    if (!verdict.ok) {
      this.#times.set(userId, times);
      return Promise.resolve(verdict);
    }
    times.push(now);
    this.#times.set(userId, times);
    this.#forgetIdle(now, windowMs);
    return Promise.resolve({ ok: true as const });
  }

  /** Users with nothing in the window are dropped, so the map holds only recent creators. */
  #forgetIdle(now: number, windowMs: number): void {
    if (this.#times.size < 1000) return;
    for (const [user, times] of this.#times) {
      if (!times.length || times[times.length - 1] <= now - windowMs) this.#times.delete(user);
    }
  }
}

export function userLimits(
  config: { USER_MAX_IN_FLIGHT: number; USER_MAX_CREATES_PER_MINUTE: number },
  pollIntervalMs: number,
  rate: CreateRate = new MemoryCreateRate(),
): UserLimits {
  return {
    maxInFlight: config.USER_MAX_IN_FLIGHT,
    maxCreatesPerMinute: config.USER_MAX_CREATES_PER_MINUTE,
    inFlightRetryAfterSeconds: Math.max(1, Math.ceil(pollIntervalMs / 1000)),
    rate,
  };
}

/**
 * Refuses a new job while the user has as many unfinished as allowed (429). Run again in the
 * insert's transaction, where concurrent creates cannot both pass it.
 */
export async function checkInFlight(
  db: Database,
  limits: UserLimits,
  userId: number,
): Promise<void> {
  if (limits.maxInFlight === 0) return;
  if (await db.inFlightCountOf(userId) < limits.maxInFlight) return;
  throw new AppError(
    429,
    "too_many_in_flight",
    `You already have ${limits.maxInFlight} videos being made, the most one person may have at ` +
      "once. Start this one when one of them has finished.",
    undefined,
    limits.inFlightRetryAfterSeconds,
  );
}

/** Counts a create against the user's rate, or refuses it (429) saying when to try again. */
export async function takeCreate(limits: UserLimits, userId: number, now: number): Promise<void> {
  const max = limits.maxCreatesPerMinute;
  if (max === 0) return;
  const taken = await limits.rate.take(userId, now, RATE_WINDOW_MS, max);
  if (taken.ok) return;
  const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  throw new AppError(
    429,
    "rate_limited",
    `You have started ${max} videos in the last minute, the most one person may. ` +
      `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
    undefined,
    seconds,
  );
}
