// Fault injection: rules that make the simulator misbehave the ways a real network and
// API do, so the app's retry, timeout and integrity handling can be tested.

export type FaultKind = "status" | "hang" | "truncate" | "slow" | "malformed_json";

export interface FaultRule {
  kind: FaultKind;
  /** HTTP method to match (case-insensitive); any method when omitted. */
  method?: string;
  /** Tested against the URL's pathname plus search, e.g. "/v1/videos/video_1/content?variant=video". */
  path?: RegExp;
  /** How many matching requests the rule affects before it is spent; unlimited when omitted. */
  times?: number;
  /** Chance (0..1) that a matching request is affected, drawn from the simulator's `random`. */
  probability?: number;
  /** "status": the HTTP status to answer (default 500). */
  status?: number;
  /** "status": seconds to put in Retry-After (fractions allowed; the SDK honours them). */
  retryAfter?: number;
  /** "slow": pause before each body chunk (default 100 ms). */
  delayMs?: number;
  /**
   * "truncate": bytes delivered before the body breaks off (default half the body).
   * "slow": chunk size (default 16 KiB).
   */
  bytes?: number;
  /**
   * "status", "hang" and "malformed_json" answer "before" the simulator processes the
   * request (default), or "after" it has: the job was created but the client never hears
   * so, which is what makes idempotency keys matter. "truncate" and "slow" always act
   * on the real response.
   */
  when?: "before" | "after";
}

export interface FaultHandle {
  readonly rule: Readonly<FaultRule>;
  /** How many requests this rule has affected so far. */
  readonly hits: number;
  remove(): void;
}

export interface Faults {
  add(rule: FaultRule): FaultHandle;
  clear(): void;
  /** The rules still active, in the order they are tried. */
  readonly active: readonly FaultHandle[];
}

interface Entry {
  rule: Readonly<FaultRule>;
  hits: number;
}

/** The first live rule that matches and wins its probability draw applies; later ones don't. */
export class FaultRegistry implements Faults {
  readonly #random: () => number;
  #entries: Entry[] = [];

  constructor(random: () => number) {
    this.#random = random;
  }

  add(rule: FaultRule): FaultHandle {
    if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
      throw new RangeError(`fault probability must be within 0..1, got ${rule.probability}`);
    }
    const entry: Entry = { rule: { ...rule }, hits: 0 };
    this.#entries.push(entry);
    return this.#handle(entry);
  }

  clear(): void {
    this.#entries = [];
  }

  get active(): readonly FaultHandle[] {
    return this.#entries.filter((e) => !isSpent(e)).map((e) => this.#handle(e));
  }

  /** Picks the rule affecting this request, if any, and counts the hit. */
  pick(method: string, pathAndQuery: string): Readonly<FaultRule> | undefined {
    for (const entry of this.#entries) {
      const { rule } = entry;
      if (isSpent(entry)) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path) {
        // A global or sticky RegExp carries lastIndex between tests; reset it so matching
        // does not depend on previous requests.
        rule.path.lastIndex = 0;
        if (!rule.path.test(pathAndQuery)) continue;
      }
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      entry.hits++;
      return rule;
    }
    return undefined;
  }

  #handle(entry: Entry): FaultHandle {
    return {
      rule: entry.rule,
      get hits() {
        return entry.hits;
      },
      remove: () => {
        this.#entries = this.#entries.filter((e) => e !== entry);
      },
    };
  }
}

function isSpent(entry: Entry): boolean {
  return entry.rule.times !== undefined && entry.hits >= entry.rule.times;
}

/**
 * mulberry32: a tiny seeded PRNG, enough to make probabilistic faults reproducible.
 * Pass it as the simulator's `random` option.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
