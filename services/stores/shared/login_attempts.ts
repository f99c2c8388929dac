import type { Database } from "../database.ts";
import {
  accountKey,
  attemptWait,
  DEFAULT_LIMITS,
  type LoginAttempts,
  type ThrottleLimits,
} from "../../auth/login_throttle.ts";
import { lockKeys, occasionally } from "./locks.ts";

/**
 * The login throttle shared by every instance on one PostgreSQL database: the same rules as the
 * in-memory `LoginThrottle` (`attemptWait`), over rows of recent attempts. Each call is one
 * transaction holding advisory locks on the address and the account, so concurrent attempts on
 * any instances are judged one after another, like a burst on one process.
 *
 * Address rows count against the address until they age out; account rows are the account's
 * failures (a success deletes them), and `counted = 0` marks an attempt given back by `cancelled`
 * that still says the address tried the account, as the memory class keeps it.
 */
export class SqlLoginThrottle implements LoginAttempts {
  readonly #sweep = occasionally(60_000, (now) => this.#forget(now));

  constructor(
    readonly db: Database,
    readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    readonly now: () => number = Date.now,
  ) {}

  reserve(username: string, address: string): Promise<number> {
    const account = accountKey(username);
    const now = this.now();
    const since = now - this.limits.windowMs;
    this.#sweep(now);
    return this.#locked(account, address, async (tx) => {
      const byAddress = await tx.sql.all<{ at: number }>(
        "SELECT at FROM login_address_attempts WHERE address = ? AND at > ? ORDER BY at",
        address,
        since,
      );
      const accountRows = await tx.sql.all<{ at: number; address: string; counted: number }>(
        "SELECT at, address, counted FROM login_account_attempts WHERE account = ? AND at > ?",
        account,
        since,
      );
      const fromAddress = accountRows.filter((r) => r.address === address).map((r) => r.at);
      const wait = attemptWait(this.limits, now, {
        byAddress: byAddress.map((r) => r.at),
        accountTimes: accountRows.filter((r) => r.counted === 1).map((r) => r.at),
        lastFromAddress: fromAddress.length ? Math.max(...fromAddress) : undefined,
      });
      if (wait > 0) return wait;
      await tx.sql.run(
        "INSERT INTO login_address_attempts (id, address, at) VALUES (?, ?, ?)",
        crypto.randomUUID(),
        address,
        now,
      );
      await tx.sql.run(
        "INSERT INTO login_account_attempts (id, account, address, at) VALUES (?, ?, ?, ?)",
        crypto.randomUUID(),
        account,
        address,
        now,
      );
      return 0;
    });
  }

  async succeeded(username: string, address: string): Promise<void> {
    const account = accountKey(username);
    await this.#locked(account, address, async (tx) => {
      await tx.sql.run("DELETE FROM login_account_attempts WHERE account = ?", account);
      await this.#unreserve(tx, address);
    });
  }

  async cancelled(username: string, address: string): Promise<void> {
    const account = accountKey(username);
    await this.#locked(account, address, async (tx) => {
      await tx.sql.run(
        `UPDATE login_account_attempts SET counted = 0 WHERE id = (
           SELECT id FROM login_account_attempts WHERE account = ? AND counted = 1
           ORDER BY at DESC LIMIT 1)`,
        account,
      );
      await this.#unreserve(tx, address);
    });
  }

  #locked<T>(account: string, address: string, work: (tx: Database) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await lockKeys(tx.sql, `login-account:${account}`, `login-address:${address}`);
      return work(tx);
    });
  }

  /** Gives back the address's latest attempt. */
  async #unreserve(tx: Database, address: string): Promise<void> {
    await tx.sql.run(
      `DELETE FROM login_address_attempts WHERE id = (
         SELECT id FROM login_address_attempts WHERE address = ? ORDER BY at DESC LIMIT 1)`,
      address,
    );
  }

  /** Rows older than the window never count again. */
  async #forget(now: number): Promise<void> {
    const since = now - this.limits.windowMs;
    await this.db.sql.run("DELETE FROM login_address_attempts WHERE at <= ?", since);
    await this.db.sql.run("DELETE FROM login_account_attempts WHERE at <= ?", since);
  }
}
