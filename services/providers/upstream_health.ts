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

  constructor(private readonly now: () => number = Date.now) {}

  get status(): UpstreamStatus {
    return this.#status;
  }

  recordSuccess(): void {
    const wasDown = !this.#status.ok;
    this.#status = this.#unverified === undefined
      ? { ok: true, verified: true, checkedAt: this.now() }
      : { ok: true, verified: false, detail: this.#unverified, checkedAt: this.now() };
    if (wasDown) { for (const listener of this.#recoveryListeners) listener(); }
  }

  recordFailure(error: UpstreamError): void {
    if (!error.outage) return;
    const since = this.#status.outage === error.outage ? this.#status.since : this.now();
    this.#status = {
      ok: false,
      outage: error.outage,
      detail: error.message,
      advice: ADVICE[error.outage],
      since,
      checkedAt: this.now(),
    };
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
          this.#status = {
            ok: true,
            verified: false,
            detail: this.#unverified,
            checkedAt: this.now(),
          };
        } else this.#status = { ...this.#status, checkedAt: this.now() };
      },
    ).then(() => {
      this.#checkedKeyAt = this.now();
      return this.#status;
    }).finally(() => this.#ping = undefined);
    return this.#ping;
  }
}
