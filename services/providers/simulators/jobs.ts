import type { Video } from "openai/resources/videos";
import { isBlockedPrompt, MODERATION_ERROR } from "./moderation.ts";
import { phaseAt, planTimeline, type Timeline, totalMs } from "./timeline.ts";

/** Downloadable assets stay available this long after completion, like OpenAI's. */
export const EXPIRY_SECONDS = 60 * 60;

export interface NewJob {
  prompt: string;
  model: Video["model"];
  size: Video["size"];
  /** The video's length as reported; for an extension, source and extension together. */
  seconds: Video["seconds"];
  remixedFromVideoId?: string | null;
  /**
   * Seconds of video the job actually renders, which sets how long it takes; defaults to
   * `seconds`. An extension renders only its new segment.
   */
  workSeconds?: number;
}

export interface ListQuery {
  after?: string;
  limit: number;
  order: "asc" | "desc";
}

export interface ListPage {
  data: Video[];
  has_more: boolean;
}

interface JobRecord extends Required<NewJob> {
  id: string;
  createdMs: number;
  timeline: Timeline;
  // Deleted jobs stay in the ordered log as tombstones so a list cursor pointing at
  // one still resolves.
  deleted: boolean;
}

export interface JobStoreOptions {
  now: () => number;
  timeScale: number;
}

/** In-memory jobs, in creation order; their state is derived from the clock on every read. */
export class JobStore {
  readonly #now: () => number;
  readonly #timeScale: number;
  readonly #ordered: JobRecord[] = [];
  readonly #byId = new Map<string, JobRecord>();

  constructor(options: JobStoreOptions) {
    this.#now = options.now;
    this.#timeScale = options.timeScale;
  }

  create(job: NewJob): Video {
    const workSeconds = job.workSeconds ?? Number(job.seconds);
    const record: JobRecord = {
      ...job,
      remixedFromVideoId: job.remixedFromVideoId ?? null,
      workSeconds,
      id: newVideoId(),
      createdMs: this.#now(),
      timeline: planTimeline(workSeconds, this.#timeScale, isBlockedPrompt(job.prompt)),
      deleted: false,
    };
    this.#ordered.push(record);
    this.#byId.set(record.id, record);
    return this.#snapshot(record);
  }

  get(id: string): Video | undefined {
    const record = this.#byId.get(id);
    return record && !record.deleted ? this.#snapshot(record) : undefined;
  }

  /** Milliseconds until the job completes or fails (0 if it already has); undefined if unknown. */
  settlesInMs(id: string): number | undefined {
    const record = this.#byId.get(id);
    if (!record || record.deleted) return undefined;
    return Math.max(0, record.createdMs + totalMs(record.timeline) - this.#now());
  }

  /** Whether the job's assets are past expires_at (only meaningful once completed). */
  isExpired(video: Video): boolean {
    return video.expires_at !== null && this.#now() / 1000 >= video.expires_at;
  }

  delete(id: string): boolean {
    const record = this.#byId.get(id);
    if (!record || record.deleted) return false;
    record.deleted = true;
    return true;
  }

  /** Cursor pagination like OpenAI's: `after` is the id of the last item already seen. */
  list(query: ListQuery): ListPage {
    const ordered = query.order === "asc" ? this.#ordered : [...this.#ordered].reverse();
    let start = 0;
    if (query.after !== undefined) {
      const index = ordered.findIndex((record) => record.id === query.after);
      // An unknown cursor yields an empty page rather than restarting from the top,
      // which would make a paginating client loop forever.
      start = index === -1 ? ordered.length : index + 1;
    }
    const live = ordered.slice(start).filter((record) => !record.deleted);
    return {
      data: live.slice(0, query.limit).map((record) => this.#snapshot(record)),
      has_more: live.length > query.limit,
    };
  }

  #snapshot(record: JobRecord): Video {
    const elapsed = this.#now() - record.createdMs;
    const phase = phaseAt(record.timeline, elapsed);
    const completedAt = phase.status === "completed"
      ? toUnixSeconds(record.createdMs + totalMs(record.timeline))
      : null;
    return {
      id: record.id,
      object: "video",
      created_at: toUnixSeconds(record.createdMs),
      completed_at: completedAt,
      expires_at: completedAt === null ? null : completedAt + EXPIRY_SECONDS,
      error: phase.status === "failed" ? { ...MODERATION_ERROR } : null,
      model: record.model,
      progress: phase.progress,
      prompt: record.prompt,
      remixed_from_video_id: record.remixedFromVideoId,
      seconds: record.seconds,
      size: record.size,
      status: phase.status,
    };
  }
}

function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function newVideoId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `video_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
