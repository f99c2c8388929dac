import { AppError } from "../errors.ts";

/**
 * Runs at most `running` jobs at once and lets at most `waiting` more queue; beyond that the job
 * is refused at once (503 with Retry-After) instead of piling up. It bounds one process's own
 * memory and CPU, so it stays per process even when several instances share everything else.
 */
export class BoundedWork {
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(
    readonly running: number,
    readonly waiting: number,
    readonly what: string,
    readonly retryAfterSeconds = 1,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.running) {
      if (this.#queue.length >= this.waiting) {
        throw new AppError(
          503,
          "busy",
          `The server is busy ${this.what}. Try again in a moment.`,
          undefined,
          this.retryAfterSeconds,
        );
      }
      // The finishing job hands its place over directly, so #active never drops in between.
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await work();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }

  /** Jobs running now and waiting, for tests and status pages. */
  get load(): { active: number; queued: number } {
    return { active: this.#active, queued: this.#queue.length };
  }
}
