/**
 * The upstream request budget: a token bucket refilled at `perMinute / 60` tokens per second, so
 * requests are spread out, plus a record of the last minute's sends, so that no 60 s window ever
 * holds more than `perMinute` (the bucket's burst alone would allow a tenth more), plus a pause
 * the upstream can order with Retry-After. Callers wait for their turn; nobody is refused.
 */
const WINDOW_MS = 60_000;
/**
 * Requests do not reach the upstream exactly when they are sent (connection set-up, a slow
 * network): the record spans a minute and a second, so two sends a minute apart can never land
 * in the same minute upstream.
 */
const ARRIVAL_SLACK_MS = 1_000;
const RECORD_MS = WINDOW_MS + ARRIVAL_SLACK_MS;

export class RequestBudget {
  readonly #capacity: number;
  readonly #msPerToken: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;
  readonly #perMinute: number;
  /** When each request of the last minute was sent, oldest first. */
  readonly #sent: number[] = [];
  /** Waiters are served in order so a burst cannot starve an older request. */
  #queue: Promise<void> = Promise.resolve();

  constructor(perMinute: number, now: () => number = Date.now) {
    // A small burst is allowed, but never more than a tenth of a minute's worth.
    this.#capacity = Math.max(1, Math.floor(perMinute / 10));
    this.#msPerToken = 60_000 / perMinute;
    this.#perMinute = perMinute;
    this.#now = now;
    this.#tokens = this.#capacity;
    this.#updatedAt = now();
  }

  /** Milliseconds until a request may be sent (0 when one may go now). */
  waitMs(): number {
    this.#refill();
    const pause = Math.max(0, this.#pausedUntil - this.#now());
    const forToken = this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * this.#msPerToken);
    return Math.max(pause, forToken, this.#windowWaitMs());
  }

  /** Stops all requests until `ms` from now (Retry-After); a later pause wins. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
  }

  /** Waits for a token and spends it. Rejects if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#waitAndSpend(signal));
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #waitAndSpend(signal?: AbortSignal): Promise<void> {
    for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) {
      await delay(wait, signal);
    }
    this.#tokens -= 1;
    this.#sent.push(this.#now());
  }

  /** Until the oldest send of a full last minute (and a second) leaves the record. */
  #windowWaitMs(): number {
    const now = this.#now();
    while (this.#sent.length && this.#sent[0] <= now - RECORD_MS) this.#sent.shift();
    if (this.#sent.length < this.#perMinute) return 0;
    return this.#sent[this.#sent.length - this.#perMinute] + RECORD_MS - now;
  }

  #refill(): void {
    const now = this.#now();
    const earned = (now - this.#updatedAt) / this.#msPerToken;
    this.#tokens = Math.min(this.#capacity, this.#tokens + earned);
    this.#updatedAt = now;
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
