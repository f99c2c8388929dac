// A job's lifecycle is a pure function of the time elapsed since it was created, so the
// simulator needs no timers: every read recomputes status and progress from the clock.

export type JobStatus = "queued" | "in_progress" | "completed" | "failed";

/** Seconds of overhead every job has on top of one second per second of video. */
export const BASE_SECONDS = 3;
/** Part of BASE_SECONDS spent `queued`; the rest of the duration is `in_progress`. */
export const QUEUED_SECONDS = 1;
/** How far through rendering (0..1) a moderation-blocked job fails. */
export const FAIL_FRACTION = 0.4;

export interface Timeline {
  queuedMs: number;
  renderMs: number;
  /** Elapsed ms at which the job fails, or null when it will complete. */
  failAtMs: number | null;
}

export interface Phase {
  status: JobStatus;
  /** Integer 0..100; stays below 100 until the job is completed. */
  progress: number;
}

/** A simulator's `timeScale` option, checked: 1 when unset, else a finite number >= 0. */
export function checkedTimeScale(timeScale = 1): number {
  if (!(timeScale >= 0 && Number.isFinite(timeScale))) {
    throw new RangeError(`timeScale must be a finite number >= 0, got ${timeScale}`);
  }
  return timeScale;
}

/**
 * total = (BASE_SECONDS + videoSeconds) * timeScale seconds, of which the first
 * QUEUED_SECONDS * timeScale are spent queued.
 */
export function planTimeline(videoSeconds: number, timeScale: number, blocked: boolean): Timeline {
  const queuedMs = QUEUED_SECONDS * 1000 * timeScale;
  const renderMs = (BASE_SECONDS - QUEUED_SECONDS + videoSeconds) * 1000 * timeScale;
  return { queuedMs, renderMs, failAtMs: blocked ? queuedMs + renderMs * FAIL_FRACTION : null };
}

export function totalMs(timeline: Timeline): number {
  return timeline.failAtMs ?? timeline.queuedMs + timeline.renderMs;
}

export function phaseAt(timeline: Timeline, elapsedMs: number): Phase {
  // A clock that steps backwards (or a job read in the ms it was created) is still queued.
  const elapsed = Math.max(0, elapsedMs);
  if (timeline.failAtMs !== null && elapsed >= timeline.failAtMs) {
    return { status: "failed", progress: renderProgress(timeline, timeline.failAtMs) };
  }
  if (elapsed < timeline.queuedMs) return { status: "queued", progress: 0 };
  if (elapsed < timeline.queuedMs + timeline.renderMs) {
    return { status: "in_progress", progress: renderProgress(timeline, elapsed) };
  }
  return { status: "completed", progress: 100 };
}

function renderProgress(timeline: Timeline, elapsed: number): number {
  if (timeline.renderMs <= 0) return 99;
  const fraction = (elapsed - timeline.queuedMs) / timeline.renderMs;
  return Math.min(99, Math.max(0, Math.floor(fraction * 100)));
}
