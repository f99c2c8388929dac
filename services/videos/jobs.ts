import { mkdir } from "node:fs/promises";
import type { Database, VideoRow, VideoUpdate } from "../stores/db.ts";
import type { VideoEvents } from "../live/events.ts";
import {
  fileSize,
  mediaPath,
  removeQuietly,
  videoDir,
  writeStreamAtomically,
} from "../stores/media/files.ts";
import { errorFields, type Logger, silentLogger } from "../app/log.ts";
import type { ProviderEntry, ProviderSet } from "../providers/registry.ts";
import type { ContentVariant, VideoAction, VideoError } from "../types.ts";
import { finishMedia } from "../media/local_media.ts";
import { fileIsVariant } from "../media/media_check.ts";
import {
  ModelRetiredError,
  type Upstream,
  UpstreamError,
  type UpstreamJob,
} from "../providers/upstream.ts";
import { audioOf, type VideoFacts } from "./video_facts.ts";
import { toVideo } from "./video_view.ts";

export interface JobRunnerOptions {
  db: Database;
  /** Every job goes to its own provider, with that provider's request budget and health. */
  providers: ProviderSet;
  events: VideoEvents;
  dataDir: string;
  pollIntervalMs: number;
  now?: () => number;
  /**
   * Jobs of one user worked on at once (a create's first step included); each waits for the
   * request budget anyway, which takes turns between users, so this bounds one user's share.
   */
  concurrency?: number;
  /** The SDK's timeout ends at the headers, so a body that stalls this long is given up. */
  idleTimeoutMs?: number;
  /** A job whose status cannot be read for this long fails (POLL_GIVE_UP_MS). */
  giveUpMs?: number;
  /** What the catalog says of each video, for the events it publishes. */
  facts: VideoFacts;
  /** ffmpeg, when it can run here: thumbnails and storyboards are made from the MP4. */
  ffmpeg?: string;
  log?: Logger;
}

const MAX_BACKOFF_MS = 5 * 60_000;
/** Due jobs read per look: a finishing step looks again, so the rest wait one step at most. */
const DUE_BATCH = 1000;
/** A job the upstream has not finished in a day is not going to finish. */
const GIVE_UP_AFTER_MS = 24 * 3600_000;

/**
 * The one background loop. Its whole state is in the `videos` table (`next_poll_at`, `attempts`),
 * so a restart, even a `kill -9`, resumes every job where it was: a job without an upstream id is
 * submitted (with its stored idempotency key), an unfinished one is checked, a finished one is
 * downloaded, skipping the files already renamed into place.
 */
export class JobRunner {
  readonly #o: Required<Omit<JobRunnerOptions, "ffmpeg">> & { ffmpeg?: string };
  /** The steps under way, by video, with their owner (whose share of the work they use). */
  readonly #active = new Map<string, { work: Promise<void>; owner: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #abort = new AbortController();

  constructor(options: JobRunnerOptions) {
    this.#o = {
      now: Date.now,
      concurrency: 4,
      idleTimeoutMs: 60_000,
      giveUpMs: 30 * 60_000,
      ...options,
      log: options.log ?? silentLogger,
    };
    // When an outage ends, the jobs that waited it out go now rather than at their next retry.
    this.#o.providers.health.onRecovery(() => {
      this.#o.db.retryWaitingNow(this.#o.now());
      this.kick();
    });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.kick();
  }

  /** Stops picking work and waits for the steps under way, which leave their jobs resumable. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort(new Error("shutting down"));
    await Promise.allSettled([...this.#active.values()].map((step) => step.work));
  }

  /** Looks for due work now rather than at the next scheduled wake-up. */
  kick(): void {
    if (!this.#running) return;
    this.#wakeIn(0);
  }

  /** Makes a job due now, e.g. when a webhook says it changed. */
  expedite(videoId: string): void {
    const row = this.#o.db.videoById(videoId);
    if (row?.next_poll_at == null) return;
    this.#o.db.reschedule(videoId, this.#o.now(), row.attempts);
    this.kick();
  }

  /** Works one job now and waits for it; what a create does so its answer carries the upstream id. */
  runNow(videoId: string): Promise<void> {
    const active = this.#active.get(videoId);
    if (active) return active.work;
    const row = this.#o.db.videoById(videoId);
    return row ? this.#run(row) : Promise.resolve();
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /**
   * Starts every due job there is room for, room being counted per user, and plans the next
   * wake-up. One user's backlog fills only that user's share: another user's job starts at once,
   * and the request budget then serves the users in turn.
   */
  tick(): void {
    if (!this.#running) return;
    const now = this.#o.now();
    const perOwner = this.#o.concurrency;
    const busy = new Map<number, number>();
    for (const { owner } of this.#active.values()) busy.set(owner, (busy.get(owner) ?? 0) + 1);
    for (const row of this.#o.db.dueVideosByOwner(now, perOwner, DUE_BATCH)) {
      const working = busy.get(row.user_id) ?? 0;
      if (this.#active.has(row.id) || working >= perOwner) continue; // its steps kick again
      busy.set(row.user_id, working + 1);
      void this.#run(row);
    }
    const next = this.#o.db.nextPollAfter(now);
    if (next !== null) this.#wakeIn(next - now);
  }

  #wakeIn(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.tick(), Math.max(0, ms));
  }

  #run(row: VideoRow): Promise<void> {
    const work = this.#step(row)
      .catch((error) =>
        this.#o.log.error("job step failed", { video: row.id, ...errorFields(error) })
      )
      .finally(() => {
        this.#active.delete(row.id);
        this.kick();
      });
    this.#active.set(row.id, { work, owner: row.user_id });
    return work;
  }

  async #step(row: VideoRow): Promise<void> {
    try {
      if (this.#o.now() - row.created_at > GIVE_UP_AFTER_MS) {
        return this.#fail(row, {
          code: "timed_out",
          message: "The upstream did not finish this video within a day.",
        });
      }
      const provider = this.#o.providers.forJob(row);
      if (!provider) throw notConfigured(row, this.#o.facts);
      const model = this.#o.facts.model(row);
      if (!row.upstream_id && model?.retired) return this.#fail(row, retiredError(row, this.#o));
      if (row.status === "downloading") return await this.#download(row, provider);
      if (!row.upstream_id) return await this.#submit(row, provider);
      return await this.#check(row, provider);
    } catch (error) {
      if (this.#abort.signal.aborted) return; // shutting down: the job stays due
      this.#retryLater(row, error, this.#o.providers.forJob(row));
    }
  }

  async #upstreamCall<T>(row: VideoRow, p: ProviderEntry, call: () => Promise<T>): Promise<T> {
    await p.budget.take(this.#abort.signal, String(row.user_id));
    this.#o.db.countUpstreamCall(row.id);
    try {
      const result = await call();
      p.health.recordSuccess();
      return result;
    } catch (error) {
      if (error instanceof UpstreamError) p.health.recordFailure(error);
      throw error;
    }
  }

  async #submit(row: VideoRow, p: ProviderEntry): Promise<void> {
    const job = await this.#upstreamCall(row, p, () => send(row, p.provider.upstream));
    const saved = this.#save(row, { upstream_id: job.id, ...this.#progressOf(job) });
    if (saved && row.reference_path) await removeQuietly(row.reference_path);
  }

  async #check(row: VideoRow, p: ProviderEntry): Promise<void> {
    // An extension's work is its new segment, whatever the length of the whole.
    const context = { startedAt: row.created_at, seconds: row.extension_seconds ?? row.seconds };
    const job = await this.#upstreamCall(
      row,
      p,
      () => p.provider.upstream.retrieve(row.upstream_id!, context),
    );
    const changes = this.#progressOf(job);
    const unchanged = changes.status === row.status && changes.progress === row.progress;
    if (unchanged && !row.retry_reason) {
      this.#o.db.reschedule(row.id, changes.next_poll_at ?? null, 0);
      return;
    }
    this.#save(row, changes);
  }

  /** What an upstream answer means for the row. */
  #progressOf(job: UpstreamJob): VideoUpdate {
    const now = this.#o.now();
    const base = {
      attempts: 0,
      upstream_expires_at: job.expires_at,
      retry_reason: null,
      unreadable_since: null,
    };
    switch (job.status) {
      case "completed":
        return { ...base, status: "downloading", progress: 100, next_poll_at: now };
      case "failed":
        return {
          ...base,
          status: "failed",
          next_poll_at: null,
          error_code: job.error?.code ?? "generation_failed",
          error_message: job.error?.message ?? "The upstream could not make this video.",
        };
      default:
        return {
          ...base,
          status: job.status,
          progress: job.progress,
          next_poll_at: now + this.#o.pollIntervalMs,
        };
    }
  }

  async #download(row: VideoRow, p: ProviderEntry): Promise<void> {
    const { dataDir, providers } = this.#o;
    if (row.upstream_expires_at && this.#o.now() / 1000 > row.upstream_expires_at) {
      return this.#fail(row, EXPIRED);
    }
    await mkdir(videoDir(dataDir, row.id), { recursive: true, mode: 0o700 });
    // Each model says which media its videos come with (most make only the MP4).
    const variants = this.#o.facts.model(row)?.variants ?? ["video"];
    const downloaded: ContentVariant[] = [];
    for (const variant of variants) {
      try {
        if (await this.#downloadVariant(row, p, variant)) downloaded.push(variant);
      } catch (error) {
        // An image the endpoint does not really have is made here instead; the video is a must.
        const missing = variant !== "video" && error instanceof UpstreamError &&
          !error.transient;
        if (!missing) throw error;
        providers.catalog.markVariantMissing(row.model, variant);
      }
    }
    if (!(await fileIsVariant(mediaPath(dataDir, row.id, "video"), "video"))) {
      await removeQuietly(mediaPath(dataDir, row.id, "video"));
      return this.#fail(row, {
        code: "not_a_video",
        message: `${p.provider.name} sent something that is not an MP4 video.`,
      });
    }
    const media = await finishMedia(dataDir, row.id, downloaded, this.#o.ffmpeg);
    for (const variant of media.wrong) {
      providers.catalog.markVariantMissing(row.model, variant);
      this.#o.log.warn("a download was not what its variant must be; made here instead", {
        video: row.id,
        model: row.model,
        variant,
      });
    }
    const saved = this.#save(row, {
      status: "completed",
      progress: 100,
      completed_at: this.#o.now(),
      next_poll_at: null,
      attempts: 0,
      retry_reason: null,
      video_bytes: media.bytes.video ?? null,
      thumbnail_bytes: media.bytes.thumbnail ?? null,
      spritesheet_bytes: media.bytes.spritesheet ?? null,
      media_width: media.probe?.width ?? null,
      media_height: media.probe?.height ?? null,
      media_seconds: media.probe?.seconds ?? null,
    });
    // Deleted while downloading: what was just written belongs to nobody.
    if (!saved) await removeQuietly(videoDir(dataDir, row.id));
  }

  /** Streams one variant into place, unless it is there already; true when it was fetched now. */
  async #downloadVariant(row: VideoRow, p: ProviderEntry, variant: ContentVariant) {
    const path = mediaPath(this.#o.dataDir, row.id, variant);
    if (await fileSize(path) !== null) return false;
    const stall = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, stall.signal]);
    const response = await this.#upstreamCall(
      row,
      p,
      () => p.provider.upstream.download(row.upstream_id!, variant, signal),
    );
    if (!response.body) throw new UpstreamError("The upstream sent no content.", true);
    const length = response.headers.get("content-length");
    await writeStreamAtomically(
      path,
      response.body.pipeThrough(abortWhenIdle(stall, this.#o.idleTimeoutMs)),
      length === null ? undefined : Number(length),
    );
    return true;
  }

  #retryLater(row: VideoRow, error: unknown, p: ProviderEntry | undefined): void {
    // Upstream calls throw classified errors; anything else (a cut stream, a full disk) is local
    // and worth another try.
    const failure = error instanceof UpstreamError
      ? error
      : new UpstreamError((error as Error)?.message ?? String(error), true);
    if (failure instanceof ModelRetiredError) {
      this.#o.providers.catalog.markRetired(row.model, failure.message, failure.replacement);
      this.#o.log.warn("model retired upstream", { model: row.model, video: row.id });
      return this.#fail(row, retiredError(row, this.#o));
    }
    const action = notOfferedAction(row, failure);
    if (action && p) {
      const label = this.#o.facts.model(row)?.label ?? row.model;
      const reason = `${p.provider.name} does not offer ${action} for ${label} at this endpoint.`;
      this.#o.providers.catalog.markNotOffered(row.model, action, reason);
      this.#o.log.warn("action not offered upstream", { model: row.model, action });
      return this.#fail(row, { code: "not_offered", message: reason });
    }
    if (!failure.transient) {
      // Content the upstream no longer has cannot come back: say so in the app's words.
      const gone = row.status === "downloading" && failure.status === 404;
      return this.#fail(
        row,
        gone ? EXPIRED : { code: failure.code ?? "upstream_error", message: failure.message },
      );
    }
    const readingStatus = !!row.upstream_id && row.status !== "downloading";
    const since = row.unreadable_since ?? this.#o.now();
    if (readingStatus && this.#o.now() - since >= this.#o.giveUpMs) {
      this.#o.log.warn("gave up on a job whose status could not be read", {
        video: row.id,
        upstream: row.upstream_id,
        since: new Date(since).toISOString(),
        error: failure.message,
      });
      return this.#fail(row, {
        code: "status_unreadable",
        message: `${p?.provider.name ?? "The provider"} could not tell this video's status for ` +
          `${spanOf(this.#o.giveUpMs)} (last answer: ${failure.message}), so it was given up. ` +
          "Try again.",
      });
    }
    if (failure.status === 429 && failure.retryAfterMs) p?.budget.pause(failure.retryAfterMs);
    const attempts = row.attempts + 1;
    const backoff = Math.min(this.#o.pollIntervalMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    const jitter = 0.8 + Math.random() * 0.4;
    const wait = failure.retryAfterMs ?? backoff * jitter;
    const reason = `${retryWhat(row)} failed (${failure.message}); trying again.`;
    const saved = this.#o.db.retryLater(
      row.id,
      this.#o.now() + wait,
      attempts,
      reason,
      this.#o.now(),
      readingStatus,
    );
    if (saved && saved.retry_reason !== row.retry_reason) {
      this.#o.events.publish(saved.user_id, toVideo(saved, this.#o.facts));
    }
  }

  #fail(row: VideoRow, error: VideoError): void {
    this.#save(row, {
      status: "failed",
      next_poll_at: null,
      error_code: error.code,
      error_message: error.message,
    });
    if (row.reference_path) void removeQuietly(row.reference_path);
  }

  /** Writes the change only if nobody moved the job meanwhile, and tells its owner. */
  #save(row: VideoRow, changes: VideoUpdate): VideoRow | undefined {
    const saved = this.#o.db.updateVideo(row.id, changes, this.#o.now(), row.status);
    if (saved) this.#o.events.publish(saved.user_id, toVideo(saved, this.#o.facts));
    if (saved && saved.status !== row.status) {
      this.#o.log.info("job", {
        video: saved.id,
        from: row.status,
        to: saved.status,
        upstream: saved.upstream_id,
        error: saved.status === "failed" ? saved.error_code : undefined,
      });
    }
    return saved;
  }
}

/**
 * Passes chunks through; when none has come for `ms`, fails the stream (so the write stops and
 * its temporary file goes) and aborts `controller` (so the upstream connection is released).
 */
function abortWhenIdle(controller: AbortController, ms: number) {
  let timer: ReturnType<typeof setTimeout>;
  let arm: () => void;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(out) {
      arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const stalled = new UpstreamError("the download stalled", true);
          out.error(stalled);
          controller.abort(stalled);
        }, ms);
      };
      arm();
    },
    transform(chunk, out) {
      arm();
      out.enqueue(chunk);
    },
    flush: () => clearTimeout(timer),
    cancel: () => clearTimeout(timer),
  });
}

const EXPIRED: VideoError = {
  code: "expired_upstream",
  message: "The video expired upstream before it could be downloaded.",
};

/** A job whose provider this server is not (or no longer) set up for: it waits, and says why. */
function notConfigured(row: VideoRow, facts: VideoFacts): UpstreamError {
  const model = facts.model(row);
  return new UpstreamError(
    `${model?.provider_name ?? "The provider of " + row.model} is not set up on this server`,
    true,
  );
}

/** Why a video of a retired model cannot be made, naming what to make it with instead. */
function retiredError(row: VideoRow, o: { facts: VideoFacts }): VideoError {
  const model = o.facts.model(row);
  const label = model?.label ?? row.model;
  const replacement = model?.replacement ? o.facts.model({ model: model.replacement }) : undefined;
  return {
    code: "model_retired",
    message: `${model?.provider_name ?? "The provider"} has retired ${label}.` +
      (replacement
        ? ` Make it again with ${replacement.label}.`
        : " Make it again with another model."),
  };
}

/**
 * The action a 404 or 405 to a derived job's request says the endpoint does not offer (a gateway
 * without `/extensions`, say); undefined for other failures.
 */
function notOfferedAction(row: VideoRow, failure: UpstreamError): VideoAction | undefined {
  if (row.upstream_id || !row.source_upstream_id) return undefined;
  if (failure.status !== 404 && failure.status !== 405) return undefined;
  return (row.derivation === "continue" ? undefined : row.derivation) ?? "remix";
}

/** A length of time for a person: "30 minutes", "1 minute", "45 seconds", "less than a second". */
function spanOf(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (ms >= 60_000) return plural(Math.round(ms / 60_000), "minute");
  if (ms >= 1000) return plural(Math.round(ms / 1000), "second");
  return "less than a second";
}

function retryWhat(row: VideoRow): string {
  if (row.status === "downloading") return "Downloading the video";
  return row.upstream_id ? "Checking on the video" : "Sending the request";
}

/** The one request that starts the job upstream: a create, or an action on its source. */
async function send(row: VideoRow, upstream: Upstream): Promise<UpstreamJob> {
  const source = row.source_upstream_id;
  const key = row.idempotency_key;
  if (source && row.derivation === "extend") {
    const seconds = row.extension_seconds ?? "";
    return await upstream.extend({ source, prompt: row.prompt, model: row.model, seconds }, key);
  }
  if (source && row.derivation === "edit") return await upstream.edit(source, row.prompt, key);
  // Rows from before derivations were recorded have only the source's id: those are remixes.
  if (source) return await upstream.remix(source, row.prompt, key);
  return await upstream.create({
    prompt: row.prompt,
    model: row.model,
    size: row.size,
    seconds: row.seconds,
    negative_prompt: row.negative_prompt ?? undefined,
    audio: audioOf(row),
    reference: row.reference_path ? await readReference(row) : undefined,
  }, key);
}

async function readReference(row: VideoRow) {
  const bytes = await Deno.readFile(row.reference_path!);
  const type = row.reference_type ?? "application/octet-stream";
  return { bytes, type, name: `reference.${type.split("/")[1] ?? "bin"}` };
}
