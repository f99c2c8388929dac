import { errorFields, type Logger, silentLogger } from "../app/log.ts";
import type { Video } from "../types.ts";

export type VideoListener = (video: Video) => void;

/**
 * In-process publish/subscribe of video changes, keyed by owner, so a change is delivered only to
 * that user's open streams and costs one lookup however many users are connected.
 */
export class VideoEvents {
  readonly #listeners = new Map<number, Set<VideoListener>>();

  constructor(private readonly log: Logger = silentLogger) {}

  subscribe(userId: number, listener: VideoListener): () => void {
    let set = this.#listeners.get(userId);
    if (!set) {
      set = new Set();
      this.#listeners.set(userId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(userId);
    };
  }

  publish(userId: number, video: Video): void {
    for (const listener of this.#listeners.get(userId) ?? []) {
      try {
        listener(video);
      } catch (error) {
        this.log.error("live update listener failed", { user: userId, ...errorFields(error) });
      }
    }
  }

  /** How many streams of this user are open here (0: a change of theirs needs no work here). */
  subscribersOf(userId: number): number {
    return this.#listeners.get(userId)?.size ?? 0;
  }

  subscriberCount(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }
}
