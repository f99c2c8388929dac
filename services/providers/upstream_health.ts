import type { Upstream, UpstreamError, UpstreamOutage } from "./upstream.ts";

export interface UpstreamStatus {
  ok: boolean;
  /**
   * False when the cheapest authenticated call was answered with a 4xx other than 401/403: the
   * endpoint answers, but whether the key works cannot be told — never reported as "works".
   */
  verified?: boolean;
  outage?: UpstreamOutage;
  /** What the upstream said, for the operator. */
  detail?: string;
  /** What to do about it, for a person reading the banner. */
  advice?: string;
  since?: number;
  checkedAt?: number;
}

const ADVICE: Record<UpstreamOutage, string> = {
  unreachable:
    "The video service cannot be reached. Check the server's network and OPENAI_BASE_URL; new videos wait in the queue meanwhile.",
  refused:
    "The video service refused the API key. Check OPENAI_API_KEY (and that the account may use the Videos API); new videos wait in the queue meanwhile.",
  gone:
    "The video service's endpoint is gone. Check OPENAI_BASE_URL, or switch to a provider that still offers video; new videos wait in the queue meanwhile.",
};

/**
 * A provider's health as every instance sees it (a row in a shared database): written when it
 * changes, read back every second or so, so an outage one instance meets shows on all of them.
 */
export interface SharedHealth {
  load(): Promise<{ status: UpstreamStatus; at: number } | undefined>;
  save(status: UpstreamStatus, at: number): Promise<void>;
}

/** How long a shared status read stays good. */
const SHARED_READ_MS = 1_000;

/** How long a readiness answer from the upstream stays good, so probes cost little. */
const PING_CACHE_MS = 10_000;

/**
 * Whether the upstream as a whole works, learnt from every call the jobs make and from an
 * occasional cheap check. The library keeps working through an outage; this only explains it.
 */
export class UpstreamHealth {
  #status: UpstreamStatus = { ok: true };
  #recoveryListeners: (() => void)[] = [];
  #ping?: Promise<UpstreamStatus>;
  /** When the key was last checked: the jobs' calls say the upstream works, not that the key does. */
  #checkedKeyAt?: number;
  /**
   * What the last key check said when it could tell neither way (a gateway answering 400): jobs
   * that go through meanwhile do not turn that into "works"; only a check that passes does.
   */
  #unverified?: string;
  #shared?: SharedHealth;
  /** When the status last came from, or went to, the shared row. */
  #sharedAt = 0;
  #readAt = -Infinity;
  #reading?: Promise<void>;
  #saving: Promise<void> = Promise.resolve();

  constructor(private readonly now: () => number = Date.now) {}

  get status(): UpstreamStatus {
    this.#readShared();
    return this.#status;
  }

  /** From now on, changes are written to `shared`, and what other instances wrote is taken up. */
  share(shared: SharedHealth): void {
    this.#shared = shared;
    this.#readAt = -Infinity;
    this.#readShared();
  }

  /** Waits for writes under way, then reads the shared status now (tests, and after a change). */
  async sync(): Promise<UpstreamStatus> {
    await this.#saving;
    await this.#reading;
    this.#readAt = -Infinity;
    this.#readShared();
    await this.#reading;
    return this.#status;
  }

  recordSuccess(): void {
    this.#readShared();
    const wasDown = this.#set(
      this.#unverified === undefined
        ? { ok: true, verified: true, checkedAt: this.now() }
        : { ok: true, verified: false, detail: this.#unverified, checkedAt: this.now() },
    );
    if (wasDown) this.#recovered();
  }

  #recovered(): void {
    for (const listener of this.#recoveryListeners) listener();
  }

  /**
   * Sets the status and says whether it was an outage before. A change of state (not just a newer
   * check) made here is written to the shared row.
   */
  #set(next: UpstreamStatus, fromShared = false): boolean {
    const before = this.#status;
    this.#status = next;
    const changed = before.ok !== next.ok || before.outage !== next.outage ||
      before.verified !== next.verified;
    const shared = this.#shared;
    if (changed && shared && !fromShared) {
      const at = this.#sharedAt = Math.max(this.now(), this.#sharedAt + 1);
      this.#saving = this.#saving.then(() => shared.save(next, at)).catch(() => {});
    }
    return !before.ok;
  }

  /** Takes up a newer status another instance wrote, at most once a second. */
  #readShared(): void {
    const shared = this.#shared;
    if (!shared || this.#reading || this.now() - this.#readAt < SHARED_READ_MS) return;
    this.#readAt = this.now();
    this.#reading = shared.load().then((row) => {
      if (row && row.at > this.#sharedAt) {
        this.#sharedAt = row.at;
        if (this.#set(row.status, true) && row.status.ok) this.#recovered();
      }
    }).catch(() => {}).finally(() => this.#reading = undefined);
  }

  recordFailure(error: UpstreamError): void {
    if (!error.outage) return;
    this.#readShared();
    const since = this.#status.outage === error.outage ? this.#status.since : this.now();
    this.#set({
      ok: false,
      outage: error.outage,
      detail: error.message,
      advice: ADVICE[error.outage],
      since,
      checkedAt: this.now(),
    });
  }

  /** Called when an outage ends, so waiting jobs can go at once. */
  onRecovery(listener: () => void): void {
    this.#recoveryListeners.push(listener);
  }

  /** Asks the upstream now, unless it was asked in the last few seconds. */
  check(upstream: Upstream): Promise<UpstreamStatus> {
    const fresh = this.#checkedKeyAt !== undefined &&
      this.now() - this.#checkedKeyAt < PING_CACHE_MS;
    if (fresh) return Promise.resolve(this.#status);
    this.#ping ??= upstream.ping().then(
      () => {
        this.#unverified = undefined;
        this.recordSuccess();
      },
      (error: UpstreamError) => {
        if (error.outage) return this.recordFailure(error);
        const status = error.status;
        if (status && status >= 400 && status < 500) {
          this.#unverified = `the check was answered ${status}: ${error.message}`;
          this.#set({
            ok: true,
            verified: false,
            detail: this.#unverified,
            checkedAt: this.now(),
          });
        } else this.#status = { ...this.#status, checkedAt: this.now() };
      },
    ).then(() => {
      this.#checkedKeyAt = this.now();
      return this.#status;
    }).finally(() => this.#ping = undefined);
    return this.#ping;
  }
}
