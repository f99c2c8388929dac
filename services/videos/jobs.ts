import { join } from "node:path";
import type { Database, VideoRow, VideoUpdate } from "../stores/database.ts";
import type { VideoEvents } from "../live/events.ts";
import {
  CONTENT_TYPES,
  makePrivateDir,
  removeQuietly,
  writeStreamAtomically,
} from "../stores/media/files.ts";
import { mediaKey, type MediaStore } from "../stores/media/media_store.ts";
import { scratchDir } from "../stores/open_media.ts";
import { errorFields, type Logger, silentLogger } from "../app/log.ts";
import type { ProviderEntry, ProviderSet } from "../providers/registry.ts";
import type { ContentVariant, VideoAction, VideoError } from "../types.ts";
import { finishMedia, variantFile } from "../media/local_media.ts";
import { fileIsVariant } from "../media/media_check.ts";
import {
  ModelRetiredError,
  type Upstream,
  UpstreamError,
  type UpstreamJob,
} from "../providers/upstream.ts";
import { audioOf, type VideoFacts } from "./video_facts.ts";
import { toVideo } from "./video_view.ts";
import { settleSentAfterCancel } from "./cancel.ts";

export interface JobRunnerOptions {
  db: Database;
  /** Where finished media is kept (DATA_DIR or a bucket); downloads are made in DATA_DIR first. */
  media: MediaStore;
  /** This instance's name in job leases. */
  instance: string;
  /**
   * How long a claimed job is held before another instance may take it over (JOB_LEASE_MS);
   * renewed while a step runs, so only a dead instance loses its jobs.
   */
  leaseMs: number;
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
  #ticking = false;
  #tickAgain = false;
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
      this.#o.db.retryWaitingNow(this.#o.now()).then(
        () => this.kick(),
        (error) => this.#o.log.error("waking waiting jobs failed", errorFields(error)),
      );
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

  /** Makes a job due now, e.g. when a webhook (which may reach any instance) says it changed. */
  async expedite(videoId: string): Promise<void> {
    const row = await this.#o.db.videoById(videoId);
    if (row?.next_poll_at == null) return;
    await this.#o.db.reschedule(videoId, this.#o.now(), row.attempts);
    this.kick();
  }

  /** Works one job now and waits for it; what a create does so its answer carries the upstream id. */
  async runNow(videoId: string): Promise<void> {
    const active = this.#active.get(videoId);
    if (active) return await active.work;
    const row = await this.#o.db.claimOne(videoId, this.#o.instance, this.#o.now(), this.#until());
    if (row) await this.#run(row);
  }

  #until(): number {
    return this.#o.now() + this.#o.leaseMs;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /**
   * Starts every due job there is room for, room being counted per user, and plans the next
   * wake-up. One user's backlog fills only that user's share: another user's job starts at once,
   * and the request budget then serves the users in turn.
   */
  async tick(): Promise<void> {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#tickAgain = true;
      return;
    }
    this.#ticking = true;
    try {
      await this.#claimAndStart();
    } catch (error) {
      this.#o.log.error("looking for due jobs failed", errorFields(error));
      this.#wakeIn(this.#o.pollIntervalMs);
    } finally {
      this.#ticking = false;
      if (this.#tickAgain) {
        this.#tickAgain = false;
        this.kick();
      }
    }
  }

  /**
   * Claims due jobs (a lease: no other instance takes them while this one works) and starts those
   * there is room for; the rest are let go at once for any instance, this one included, to take.
   */
  async #claimAndStart(): Promise<void> {
    const { db, instance } = this.#o;
    const now = this.#o.now();
    const perOwner = this.#o.concurrency;
    const busy = new Map<number, number>();
    for (const { owner } of this.#active.values()) busy.set(owner, (busy.get(owner) ?? 0) + 1);
    const claimed = await db.claimDue(instance, now, this.#until(), perOwner, DUE_BATCH);
    for (const row of claimed) {
      if (this.#active.has(row.id)) continue; // claimed again while its step runs: still ours
      const working = busy.get(row.user_id) ?? 0;
      if (working >= perOwner || !this.#running) {
        await db.releaseLease(row.id, instance); // its owner's steps kick again when they end
        continue;
      }
      busy.set(row.user_id, working + 1);
      void this.#run(row);
    }
    const next = await db.nextPollAfter(now);
    // Another instance's jobs may come due here too (when it dies): look again within a lease.
    const wait = Math.min(next === null ? Infinity : next - now, this.#o.leaseMs);
    this.#wakeIn(wait);
  }

  #wakeIn(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.tick(), Math.max(0, ms));
  }

  #run(row: VideoRow): Promise<void> {
    const { db, instance, leaseMs } = this.#o;
    // A long step (a large download) keeps its lease; a lost one means another instance took the
    // job over after this one stalled, and says so.
    const renew = setInterval(() => {
      db.renewLease(row.id, instance, this.#until()).then(
        (held) => held || this.#o.log.warn("job lease lost", { video: row.id }),
        (error) =>
          this.#o.log.warn("job lease not renewed", { video: row.id, ...errorFields(error) }),
      );
    }, Math.max(1, Math.floor(leaseMs / 3)));
    const work = this.#step(row)
      .catch((error) =>
        this.#o.log.error("job step failed", { video: row.id, ...errorFields(error) })
      )
      .finally(async () => {
        clearInterval(renew);
        await db.releaseLease(row.id, instance).catch((error) =>
          this.#o.log.warn("job lease not released", { video: row.id, ...errorFields(error) })
        );
        this.#active.delete(row.id);
        this.kick();
      });
    this.#active.set(row.id, { work, owner: row.user_id });
    return work;
  }

  async #step(row: VideoRow): Promise<void> {
    try {
      if (this.#o.now() - row.created_at > GIVE_UP_AFTER_MS) {
        return await this.#fail(row, {
          code: "timed_out",
          message: "The upstream did not finish this video within a day.",
        });
      }
      const provider = this.#o.providers.forJob(row);
      if (!provider) throw notConfigured(row, this.#o.facts);
      const model = this.#o.facts.model(row);
      if (!row.upstream_id && model?.retired) {
        return await this.#fail(row, retiredError(row, this.#o));
      }
      if (row.status === "downloading") return await this.#download(row, provider);
      if (!row.upstream_id) return await this.#submit(row, provider);
      return await this.#check(row, provider);
    } catch (error) {
      if (this.#abort.signal.aborted) return; // shutting down: the job stays due
      await this.#retryLater(row, error, this.#o.providers.forJob(row));
    }
  }

  async #upstreamCall<T>(row: VideoRow, p: ProviderEntry, call: () => Promise<T>): Promise<T> {
    await p.budget.take(this.#abort.signal, String(row.user_id));
    await this.#o.db.countUpstreamCall(row.id);
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
    const job = await this.#upstreamCall(
      row,
      p,
      () => send(row, p.provider.upstream, this.#o.media),
    );
    // The reference image is kept: it is part of what made the video (shown, downloadable) and
    // goes with the video when it is deleted.
    const saved = await this.#save(row, { upstream_id: job.id, ...this.#progressOf(job) });
    if (saved) return;
    // Cancelled while the create was on the way: it is not revived, but the job it made upstream
    // is stopped where it can be, or its cost kept (and said) where it cannot.
    const settled = await settleSentAfterCancel(this.#o.db, p, row, job.id, this.#o.now());
    if (settled) this.#o.events.publish(settled.user_id, toVideo(settled, this.#o.facts));
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
      await this.#o.db.reschedule(row.id, changes.next_poll_at ?? null, 0);
      return;
    }
    await this.#save(row, changes);
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

  /**
   * Downloads the job's files into a working folder in DATA_DIR, checks and measures them, makes
   * what the provider did not send, and stores them (the video last: once it is stored, all are).
   */
  async #download(row: VideoRow, p: ProviderEntry): Promise<void> {
    const { providers, media } = this.#o;
    if (row.upstream_expires_at && this.#o.now() / 1000 > row.upstream_expires_at) {
      return await this.#fail(row, EXPIRED);
    }
    if (await media.stat(mediaKey(row.id, "video"))) return await this.#complete(row);
    const dir = join(scratchDir(this.#o.dataDir), row.id);
    await makePrivateDir(dir);
    try {
      // Each model says which media its videos come with (most make only the MP4).
      const variants = this.#o.facts.model(row)?.variants ?? ["video"];
      const downloaded: ContentVariant[] = [];
      for (const variant of variants) {
        try {
          if (await this.#downloadVariant(row, p, variant, dir)) downloaded.push(variant);
        } catch (error) {
          // An image the endpoint does not really have is made here instead; the video is a must.
          const missing = variant !== "video" && error instanceof UpstreamError &&
            !error.transient;
          if (!missing) throw error;
          providers.catalog.markVariantMissing(row.model, variant);
        }
      }
      if (!(await fileIsVariant(variantFile(dir, "video"), "video"))) {
        return await this.#fail(row, {
          code: "not_a_video",
          message: `${p.provider.name} sent something that is not an MP4 video.`,
        });
      }
      const made = await finishMedia(dir, downloaded, this.#o.ffmpeg);
      for (const variant of made.wrong) {
        providers.catalog.markVariantMissing(row.model, variant);
        this.#o.log.warn("a download was not what its variant must be; made here instead", {
          video: row.id,
          model: row.model,
          variant,
        });
      }
      // Deleted while downloading: what was just made belongs to nobody.
      if (!await this.#o.db.videoById(row.id)) return;
      for (const variant of ["thumbnail", "spritesheet", "video"] as const) {
        if (made.bytes[variant] === undefined) continue;
        await media.putFile(
          mediaKey(row.id, variant),
          variantFile(dir, variant),
          CONTENT_TYPES[variant],
        );
      }
      await this.#complete(row, made.probe);
    } finally {
      await removeQuietly(dir);
    }
  }

  /** Marks a job whose files are stored as completed, with their sizes as stored. */
  async #complete(row: VideoRow, probe?: { width: number; height: number; seconds: number }) {
    const { media } = this.#o;
    const sizes: Partial<Record<ContentVariant, number>> = {};
    for (const variant of ["video", "thumbnail", "spritesheet"] as const) {
      const stored = await media.stat(mediaKey(row.id, variant));
      if (stored) sizes[variant] = stored.size;
    }
    const saved = await this.#save(row, {
      status: "completed",
      progress: 100,
      completed_at: this.#o.now(),
      next_poll_at: null,
      attempts: 0,
      retry_reason: null,
      video_bytes: sizes.video ?? null,
      thumbnail_bytes: sizes.thumbnail ?? null,
      spritesheet_bytes: sizes.spritesheet ?? null,
      ...(probe
        ? { media_width: probe.width, media_height: probe.height, media_seconds: probe.seconds }
        : {}),
    });
    // Deleted while finishing: what was just stored belongs to nobody.
    if (!saved && !await this.#o.db.videoById(row.id)) {
      await media.deletePrefix(`media/${row.id}`);
    }
  }

  /** Streams one variant into the working folder; true when it was fetched. */
  async #downloadVariant(row: VideoRow, p: ProviderEntry, variant: ContentVariant, dir: string) {
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
      variantFile(dir, variant),
      response.body.pipeThrough(abortWhenIdle(stall, this.#o.idleTimeoutMs)),
      length === null ? undefined : Number(length),
    );
    return true;
  }

  async #retryLater(row: VideoRow, error: unknown, p: ProviderEntry | undefined): Promise<void> {
    // Upstream calls throw classified errors; anything else (a cut stream, a full disk) is local
    // and worth another try.
    const failure = error instanceof UpstreamError
      ? error
      : new UpstreamError((error as Error)?.message ?? String(error), true);
    if (failure instanceof ModelRetiredError) {
      this.#o.providers.catalog.markRetired(row.model, failure.message, failure.replacement);
      this.#o.log.warn("model retired upstream", { model: row.model, video: row.id });
      return await this.#fail(row, retiredError(row, this.#o));
    }
    const action = notOfferedAction(row, failure);
    if (action && p) {
      const label = this.#o.facts.model(row)?.label ?? row.model;
      const reason = `${p.provider.name} does not offer ${action} for ${label} at this endpoint.`;
      this.#o.providers.catalog.markNotOffered(row.model, action, reason);
      this.#o.log.warn("action not offered upstream", { model: row.model, action });
      return await this.#fail(row, { code: "not_offered", message: reason });
    }
    if (!failure.transient) {
      // Content the upstream no longer has cannot come back: say so in the app's words.
      const gone = row.status === "downloading" && failure.status === 404;
      return await this.#fail(
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
      return await this.#fail(row, {
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
    const saved = await this.#o.db.retryLater(
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

  async #fail(row: VideoRow, error: VideoError): Promise<void> {
    await this.#save(row, {
      status: "failed",
      next_poll_at: null,
      error_code: error.code,
      error_message: error.message,
    });
  }

  /** Writes the change only if nobody moved the job meanwhile, and tells its owner. */
  async #save(row: VideoRow, changes: VideoUpdate): Promise<VideoRow | undefined> {
    const saved = await this.#o.db.updateVideo(row.id, changes, this.#o.now(), row.status);
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
async function send(row: VideoRow, upstream: Upstream, media: MediaStore): Promise<UpstreamJob> {
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
    reference: row.reference_key ? await readReference(row, media) : undefined,
  }, key);
}

async function readReference(row: VideoRow, media: MediaStore) {
  const bytes = await media.readBytes(row.reference_key!);
  if (!bytes) throw new UpstreamError("The reference image is no longer stored.", false);
  const type = row.reference_type ?? "application/octet-stream";
  return { bytes, type, name: `reference.${type.split("/")[1] ?? "bin"}` };
}
