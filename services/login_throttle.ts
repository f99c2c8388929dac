/**
 * Slows password guessing: failed logins are counted per account and per client address over a
 * sliding window; past the limit, further attempts are refused (before any password is checked)
 * until the oldest failure leaves the window. Kept in memory: a restart forgives, which is fine
 * for a limit measured in minutes.
 */
export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  perAccount: 5,
  perAddress: 20,
  windowMs: 15 * 60_000,
};

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before trying again, or 0 when an attempt may be made now. */
  retryAfterSeconds(username: string, address: string): number {
    const waits = [
      this.#wait(`user:${username.toLowerCase()}`, this.limits.perAccount),
      this.#wait(`addr:${address}`, this.limits.perAddress),
    ];
    return Math.ceil(Math.max(...waits) / 1000);
  }

  recordFailure(username: string, address: string): void {
    for (const key of [`user:${username.toLowerCase()}`, `addr:${address}`]) {
      const times = this.#recent(key);
      times.push(this.now());
      this.#failures.set(key, times);
    }
    this.#sweep();
  }

  /** A correct password clears the account's count (not the address's: it may guess others). */
  recordSuccess(username: string): void {
    this.#failures.delete(`user:${username.toLowerCase()}`);
  }

  #recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    return (this.#failures.get(key) ?? []).filter((at) => at > since);
  }

  #wait(key: string, limit: number): number {
    const times = this.#recent(key);
    if (times.length < limit) return 0;
    return times[times.length - limit] + this.limits.windowMs - this.now();
  }

  /** Bounded memory under a spray of usernames: forget keys whose failures all expired. */
  #sweep(): void {
    if (this.#failures.size < 10_000) return;
    for (const key of [...this.#failures.keys()]) {
      if (this.#recent(key).length === 0) this.#failures.delete(key);
    }
  }
}
