/**
 * Slows password guessing without letting anyone lock an account.
 *
 * Every attempt is counted when it arrives, before its password is checked, so a burst sent at
 * once is judged like the same attempts sent one by one: the first few are checked, the rest are
 * refused (429) without any hashing. A correct password clears the account's count and takes its
 * own attempt back.
 *
 * - Per client address, a hard limit: at most `perAddress` attempts in `windowMs`, whatever the
 *   accounts tried.
 * - Per account, a progressive delay: once the account has `freePerAccount` recent failures, an
 *   address that has itself tried this account must wait `baseDelayMs`, doubling with every further
 *   failure of the account, up to `maxDelayMs`, after its own last attempt.
 *
 * Why the account delay skips addresses that never tried the account: a delay (or lock) that holds
 * for everyone is a lock anyone can trigger — five wrong guesses from anywhere would keep the owner
 * out. So the owner, logging in from an address that has not failed for the account, is checked at
 * once; an attacker's address gets one try per account before the delay applies to it, and the
 * per-address limit bounds how many accounts and addresses that buys.
 */
export interface ThrottleLimits {
  perAddress: number;
  freePerAccount: number;
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  perAddress: 20,
  freePerAccount: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  windowMs: 15 * 60_000,
};

/**
 * What login needs from a throttle. The in-memory one below serves one process; several instances
 * behind one balancer need a shared one (rows in the database) that keeps `reserve` atomic.
 */
export interface LoginAttempts {
  /**
   * Counts an attempt before its password is checked. 0 when it may go ahead; otherwise the
   * seconds to wait, and nothing was counted.
   */
  reserve(username: string, address: string): Promise<number>;
  /** The password was right: the account's failures are forgotten and this attempt uncounted. */
  succeeded(username: string, address: string): Promise<void>;
  /** The password was never checked (the server was busy): the attempt is not held against anyone. */
  cancelled(username: string, address: string): Promise<void>;
}

interface AccountFailures {
  /** When each recent attempt on the account was made (reserved attempts count as failures). */
  times: number[];
  /** The last attempt on the account from each address. */
  lastByAddress: Map<string, number>;
}

/** The throttle of one process: a restart forgives, which is fine for limits measured in minutes. */
export class LoginThrottle implements LoginAttempts {
  readonly #addresses = new Map<string, number[]>();
  readonly #accounts = new Map<string, AccountFailures>();

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    readonly now: () => number = Date.now,
  ) {}

  reserve(username: string, address: string): Promise<number> {
    const now = this.now();
    const byAddress = this.#recent(this.#addresses.get(address), now);
    const account = this.#account(username, now);
    const wait = attemptWait(this.limits, now, {
      byAddress,
      accountTimes: account.times,
      lastFromAddress: account.lastByAddress.get(address),
    });
    if (wait > 0) return Promise.resolve(wait);
    byAddress.push(now);
    this.#addresses.set(address, byAddress);
    account.times.push(now);
    account.lastByAddress.set(address, now);
    this.#accounts.set(accountKey(username), account);
    this.#sweep(now);
    return Promise.resolve(0);
  }

  succeeded(username: string, address: string): Promise<void> {
    this.#accounts.delete(accountKey(username));
    this.#unreserve(address);
    return Promise.resolve();
  }

  cancelled(username: string, address: string): Promise<void> {
    const account = this.#accounts.get(accountKey(username));
    account?.times.pop();
    this.#unreserve(address);
    return Promise.resolve();
  }

  #account(username: string, now: number): AccountFailures {
    const found = this.#accounts.get(accountKey(username));
    const since = now - this.limits.windowMs;
    const lastByAddress = new Map(
      [...found?.lastByAddress ?? []].filter(([, at]) => at > since),
    );
    return { times: this.#recent(found?.times, now), lastByAddress };
  }

  #unreserve(address: string): void {
    const times = this.#addresses.get(address);
    times?.pop();
    if (times?.length === 0) this.#addresses.delete(address);
  }

  #recent(times: number[] | undefined, now: number): number[] {
    const since = now - this.limits.windowMs;
    return (times ?? []).filter((at) => at > since);
  }

  /** Bounded memory under a spray of usernames or addresses: forget what has expired. */
  #sweep(now: number): void {
    if (this.#addresses.size + this.#accounts.size < 10_000) return;
    for (const [address, times] of [...this.#addresses]) {
      if (this.#recent(times, now).length === 0) this.#addresses.delete(address);
    }
    for (const [name, account] of [...this.#accounts]) {
      if (this.#recent(account.times, now).length === 0) this.#accounts.delete(name);
    }
  }
}

/** What the rules look at for one attempt: recent attempts only (within `windowMs` of now). */
export interface RecentAttempts {
  /** When each recent attempt from the address was made, oldest first. */
  byAddress: readonly number[];
  /** When each recent counted attempt on the account was made. */
  accountTimes: readonly number[];
  /** The address's own last recent attempt on the account, if any. */
  lastFromAddress: number | undefined;
}

/**
 * The rules, for every store: the seconds this attempt must wait (0 when it may go ahead) — the
 * per-address hard limit, and the account's progressive delay for an address that tried it.
 */
export function attemptWait(limits: ThrottleLimits, now: number, recent: RecentAttempts): number {
  const { byAddress, accountTimes, lastFromAddress } = recent;
  const addressWait = byAddress.length >= limits.perAddress
    ? byAddress[byAddress.length - limits.perAddress] + limits.windowMs - now
    : 0;
  const beyond = accountTimes.length - limits.freePerAccount;
  const accountWait = lastFromAddress === undefined || beyond < 0
    ? 0
    : lastFromAddress + Math.min(limits.baseDelayMs * 2 ** beyond, limits.maxDelayMs) - now;
  const wait = Math.max(addressWait, accountWait);
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/** Usernames are matched case-insensitively, so "Ada" and "ada" share one count. */
export function accountKey(username: string): string {
  return username.toLowerCase();
}
