/**
 * The upstream request budget: a token bucket refilled at `perMinute / 60` tokens per second, so
 * requests are spread out, plus a record of the last minute's sends, so that no 60 s window ever
 * holds more than `perMinute` (the bucket's burst alone would allow a tenth more), plus a pause
 * the upstream can order with Retry-After. Callers wait for their turn; nobody is refused.
 *
 * Turns go round the owners of the waiting requests (their users), one each in turn, oldest first
 * within an owner: one user's forty queued jobs delay another's single job by one turn, not forty.
 */
const WINDOW_MS = 60_000;
/**
 * Requests do not reach the upstream exactly when they are sent (connection set-up, a slow
 * network): the record spans a minute and a second, so two sends a minute apart can never land
 * in the same minute upstream.
 */
const ARRIVAL_SLACK_MS = 1_000;
export const RECORD_MS = WINDOW_MS + ARRIVAL_SLACK_MS;

/**
 * The sends of one provider's budget as every instance sees them (rows in a shared database), so
 * several instances together stay within `perMinute`. Each instance keeps its own bucket and its
 * own fair turns between users; a turn is granted only when the shared record has room too.
 */
export interface SharedSends {
  /**
   * Records a send at `now` when the shared record of the last minute (and a second) holds fewer
   * than `perMinute` and no pause is on; otherwise records nothing and gives the ms to wait.
   */
  take(now: number, perMinute: number): Promise<number>;
  /** Every instance stops sending until `until` (a Retry-After); a later pause wins. */
  pause(until: number): Promise<void>;
}

/** How long to wait before asking a shared record that could not be reached again. */
const SHARED_RETRY_MS = 1_000;

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
  /**
   * Waiting requests per owner, each owner's oldest first. The map's order is the round: an owner
   * just served goes to its end, so when tokens run out mid-round the next token goes to the
   * owners that were skipped, not again to the first.
   */
  readonly #waiting = new Map<string, Waiter[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #shared?: SharedSends;
  /** A send the shared record granted that no waiter has used yet. */
  #sharedGranted = 0;
  /** Until when the shared record said to wait (or could not be asked). */
  #sharedWaitUntil = 0;
  #asking = false;

  constructor(perMinute: number, now: () => number = Date.now) {
    // A small burst is allowed, but never more than a tenth of a minute's worth.
    this.#capacity = Math.max(1, Math.floor(perMinute / 10));
    this.#msPerToken = 60_000 / perMinute;
    this.#perMinute = perMinute;
    this.#now = now;
    this.#tokens = this.#capacity;
    this.#updatedAt = now();
  }

  /** From now on, a turn also needs room in `shared` (instances on one database). */
  share(shared: SharedSends): void {
    this.#shared = shared;
  }

  /** Milliseconds until a request may be sent (0 when one may go now). */
  waitMs(): number {
    this.#refill();
    const pause = Math.max(0, this.#pausedUntil - this.#now(), this.#sharedWaitUntil - this.#now());
    const forToken = this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * this.#msPerToken);
    return Math.max(pause, forToken, this.#windowWaitMs());
  }

  /** Stops all requests until `ms` from now (Retry-After); a later pause wins. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
    this.#shared?.pause(this.#pausedUntil).catch(() => {}); // this instance pauses anyway
  }

  /**
   * Waits for a token and spends it; `owner` (a user) takes turns with the other owners waiting.
   * Rejects if `signal` aborts first.
   */
  take(signal?: AbortSignal, owner = ""): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: () => {} };
      waiter.onAbort = () => {
        this.#leave(owner, waiter);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      const queue = this.#waiting.get(owner);
      if (queue) queue.push(waiter);
      else this.#waiting.set(owner, [waiter]);
      this.#serve();
    });
  }

  /** How many requests wait for a token. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.#waiting.values()) count += queue.length;
    return count;
  }

  /** Hands out every token there is now, an owner at a time, and sets a timer for the next. */
  #serve(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#waiting.size > 0) {
      const wait = this.waitMs();
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#serve(), wait);
        return;
      }
      if (this.#shared) {
        if (this.#sharedGranted === 0) return this.#askShared(this.#shared);
        this.#sharedGranted -= 1;
      }
      const [owner, queue] = this.#waiting.entries().next().value!;
      const waiter = queue.shift()!;
      this.#waiting.delete(owner);
      if (queue.length) this.#waiting.set(owner, queue); // to the end of the round
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      this.#tokens -= 1;
      this.#sent.push(this.#now());
      waiter.resolve();
    }
  }

  /** Asks the shared record for a send (one question at a time), then serves again. */
  #askShared(shared: SharedSends): void {
    if (this.#asking) return;
    this.#asking = true;
    shared.take(this.#now(), this.#perMinute).then(
      (wait) => {
        if (wait > 0) this.#sharedWaitUntil = this.#now() + wait;
        else this.#sharedGranted += 1;
      },
      () => this.#sharedWaitUntil = this.#now() + SHARED_RETRY_MS,
    ).finally(() => {
      this.#asking = false;
      if (this.#waiting.size) this.#serve();
    });
  }

  #leave(owner: string, waiter: Waiter): void {
    const queue = this.#waiting.get(owner);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (!queue.length) this.#waiting.delete(owner);
    // Nobody left to wake: no timer may keep the process (or a test) waiting.
    if (!this.#waiting.size) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
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

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort: () => void;
}
