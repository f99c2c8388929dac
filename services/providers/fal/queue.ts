import type { ContentVariant } from "../../types.ts";
import type { CreateJob, ExtendJob, JobContext, Upstream, UpstreamJob } from "../upstream.ts";
import { ModelRetiredError, NOT_OFFERED, UpstreamError } from "../upstream.ts";
import type { FalModelSpec } from "./catalog.ts";
import { classifyFalError, type FalAnswer, type FalClient } from "./client.ts";
import { createSubmission, extendSubmission, type FalSubmission } from "./input.ts";
import { requestIdOf, requestUrlOf, upstreamIdFor, upstreamIdOf } from "./upstream_id.ts";

/** fal keeps media at least 7 days (the result JSON only about an hour: read it at once). */
const MEDIA_RETENTION_SECONDS = 7 * 24 * 3600;
/**
 * Statuses of a request that ended. fal documents COMPLETED only (success or not: the result
 * tells); the others are read the same way in case a queue or proxy says them.
 */
const ENDED = new Set(["COMPLETED", "FAILED", "ERROR", "CANCELLED", "CANCELED"]);
/** How many requests' URLs are kept in memory; older ones are rebuilt from their ids. */
const REMEMBERED = 2000;

export interface FalQueueOptions {
  client: FalClient;
  /** `https://queue.fal.run`, a proxy, or a stand-in. */
  queueUrl: string;
  now?: () => number;
  /** The models offered now (FAL_MODELS), by their specs. */
  specs: () => readonly FalModelSpec[];
  /** Where fal should announce finished requests (`…/webhooks/fal`), when the app is public. */
  webhookUrl?: string;
  /**
   * fal reports no progress, only its queue position and logs: progress is estimated from the
   * time a video of that length usually takes (`baseMs + perSecondMs * seconds`), below 95.
   */
  estimate?: { baseMs: number; perSecondMs: number };
}

/** The queue as the poller uses it (but `ping`, which the platform API answers). */
export interface FalQueue extends Omit<Upstream, "ping"> {
  /** The upstream ids this process gave out for a fal request id (none after a restart). */
  knownIdsFor(requestId: string): string[];
}

interface Remembered {
  statusUrl?: string;
  cancelUrl?: string;
  /** The finished video's URL, once the result was read. */
  videoUrl?: string;
}

/** What a finished request's result says. */
type Outcome =
  | { status: "completed"; videoUrl: string }
  | { status: "failed"; error: { code: string; message: string } };

/**
 * fal's queue over plain fetch: submit → status (`?logs=1`) → result → the MP4 at its URL; cancel
 * with `PUT …/cancel`. fal has no idempotency key, so a create retried after a lost answer may
 * make a second request (the provider says so with `createsMayRepeat`).
 */
export function createFalQueue(options: FalQueueOptions): FalQueue {
  const queueUrl = options.queueUrl.replace(/\/+$/, "");
  const now = options.now ?? Date.now;
  const estimate = options.estimate ?? { baseMs: 60_000, perSecondMs: 12_000 };
  const client = options.client;
  const memory = new Map<string, Remembered>();
  const byRequestId = new Map<string, string>();

  const remember = (id: string, facts: Remembered) => {
    const known = memory.get(id);
    memory.delete(id);
    memory.set(id, { ...known, ...facts });
    const requestId = requestIdOf(id);
    if (requestId) byRequestId.set(requestId, id);
    if (memory.size > REMEMBERED) {
      const oldest = memory.keys().next().value!;
      memory.delete(oldest);
      const oldRequest = requestIdOf(oldest);
      if (oldRequest) byRequestId.delete(oldRequest);
    }
  };
  const forget = (id: string) => {
    memory.delete(id);
    const requestId = requestIdOf(id);
    if (requestId) byRequestId.delete(requestId);
  };

  const requestUrl = (id: string) => {
    if (!requestIdOf(id)) {
      throw new UpstreamError(`"${id}" is not a fal.ai request.`, false, undefined, "invalid_id");
    }
    return requestUrlOf(queueUrl, id);
  };
  const statusUrl = (id: string) => memory.get(id)?.statusUrl ?? `${requestUrl(id)}/status`;
  const cancelUrl = (id: string) => memory.get(id)?.cancelUrl ?? `${requestUrl(id)}/cancel`;

  const specOf = (model: string) => {
    const spec = options.specs().find((s) => s.id === model);
    if (!spec) {
      throw new UpstreamError(`fal.ai does not offer ${model} on this server.`, false);
    }
    return spec;
  };

  async function submit(
    submission: FalSubmission,
    onMissing: (answer: FalAnswer) => UpstreamError,
  ): Promise<UpstreamJob> {
    const url = new URL(`${queueUrl}/${submission.endpoint}`);
    if (options.webhookUrl) url.searchParams.set("fal_webhook", options.webhookUrl);
    const answer = await client.json("POST", url.href, submission.input);
    if (answer.status === 404) throw onMissing(answer);
    if (answer.status < 200 || answer.status > 299) throw classifyFalError(answer);
    const body = (answer.body ?? {}) as {
      request_id?: unknown;
      response_url?: unknown;
      status_url?: unknown;
      cancel_url?: unknown;
    };
    const responseUrl = typeof body.response_url === "string" ? body.response_url : undefined;
    const requestId = typeof body.request_id === "string" ? body.request_id : undefined;
    if (!responseUrl && !requestId) {
      throw new UpstreamError("fal.ai answered the submit without a request id.", true);
    }
    const id = responseUrl
      ? upstreamIdOf(queueUrl, responseUrl)
      : upstreamIdFor(submission.endpoint, requestId!);
    remember(id, {
      statusUrl: typeof body.status_url === "string" ? body.status_url : undefined,
      cancelUrl: typeof body.cancel_url === "string" ? body.cancel_url : undefined,
    });
    return { id, status: "queued", progress: 0, error: null, expires_at: null };
  }

  /** Reads a finished request's result: the video's URL, or why there is none. */
  /**
   * `statusError` is what the status said went wrong, if it did (newer queues add `error` to a
   * COMPLETED status): it explains a result that cannot be read.
   */
  async function outcome(id: string, statusError?: string): Promise<Outcome> {
    const answer = await client.json("GET", requestUrl(id));
    if (answer.status >= 200 && answer.status <= 299) {
      const url = (answer.body as { video?: { url?: unknown } })?.video?.url;
      if (typeof url !== "string" || !url) {
        return {
          status: "failed",
          error: { code: "no_video", message: "fal.ai finished without a video." },
        };
      }
      remember(id, { videoUrl: url });
      return { status: "completed", videoUrl: url };
    }
    if (answer.status === 404 || answer.status === 410) {
      return {
        status: "failed",
        error: statusError
          ? {
            code: "generation_failed",
            message: `fal.ai could not make this video: ${statusError}`,
          }
          : {
            code: "expired_upstream",
            message: "fal.ai no longer keeps this request's result (it keeps one about an hour).",
          },
      };
    }
    const error = classifyFalError(answer, true);
    if (error.transient) throw error;
    return {
      status: "failed",
      error: { code: error.code ?? "generation_failed", message: error.message },
    };
  }

  async function videoUrlOf(id: string): Promise<string> {
    const known = memory.get(id)?.videoUrl;
    if (known) return known;
    const result = await outcome(id);
    if (result.status === "completed") return result.videoUrl;
    throw new UpstreamError(result.error.message, false, undefined, result.error.code);
  }

  function inProgress(id: string, context?: JobContext): UpstreamJob {
    const expected = estimate.baseMs + estimate.perSecondMs * Number(context?.seconds ?? 8);
    const elapsed = context ? now() - context.startedAt : 0;
    const progress = expected > 0 ? Math.floor((100 * elapsed) / expected) : 0;
    return {
      id,
      status: "in_progress",
      progress: Math.max(0, Math.min(95, progress)),
      error: null,
      expires_at: null,
    };
  }

  return {
    name: queueUrl,
    knownIdsFor: (requestId) => {
      const id = byRequestId.get(requestId);
      return id ? [id] : [];
    },
    create(job: CreateJob) {
      const spec = specOf(job.model);
      return submit(
        createSubmission(spec, job),
        () =>
          new ModelRetiredError(
            job.model,
            `fal.ai no longer offers ${spec.label} (${spec.id} answered 404).`,
          ),
      );
    },
    async extend(job: ExtendJob) {
      const spec = specOf(job.model);
      let videoUrl: string;
      try {
        videoUrl = await videoUrlOf(job.source);
      } catch (error) {
        if (error instanceof UpstreamError && error.transient) throw error;
        throw new UpstreamError(
          "fal.ai no longer has the video to extend (it keeps a finished request's result about " +
            "an hour). Make a new video instead.",
          false,
          undefined,
          "source_gone",
        );
      }
      return await submit(
        extendSubmission(spec, job.prompt, job.seconds, videoUrl),
        () =>
          new UpstreamError(
            `fal.ai does not offer extending ${spec.label} videos at this endpoint.`,
            false,
            404,
            NOT_OFFERED,
          ),
      );
    },
    remix: () =>
      Promise.reject(
        new UpstreamError(
          "fal.ai cannot remix a finished video. Make a new one with an edited prompt instead.",
          false,
        ),
      ),
    edit: () =>
      Promise.reject(
        new UpstreamError(
          "fal.ai cannot edit a finished video. Make a new one with an edited prompt instead.",
          false,
        ),
      ),
    async retrieve(id, context) {
      const url = new URL(statusUrl(id));
      url.searchParams.set("logs", "1");
      const answer = await client.json("GET", url.href);
      if (answer.status === 404) {
        throw new UpstreamError("fal.ai no longer knows this request.", false, 404, "not_found");
      }
      if (answer.status < 200 || answer.status > 299) throw classifyFalError(answer);
      const body = (answer.body ?? {}) as { status?: unknown; error?: unknown };
      const status = body.status;
      if (status === "IN_QUEUE") {
        return { id, status: "queued", progress: 0, error: null, expires_at: null };
      }
      if (status === "IN_PROGRESS") return inProgress(id, context);
      if (typeof status !== "string" || !ENDED.has(status)) {
        throw new UpstreamError(`fal.ai answered with an unknown status (${status}).`, true);
      }
      // COMPLETED says only that the request ended: its result says how.
      const result = await outcome(id, typeof body.error === "string" ? body.error : undefined);
      return result.status === "completed"
        ? {
          id,
          status: "completed",
          progress: 100,
          error: null,
          expires_at: Math.floor(now() / 1000) + MEDIA_RETENTION_SECONDS,
        }
        : { id, status: "failed", progress: 0, error: result.error, expires_at: null };
    },
    // fal has no way to delete a request or its media; they expire on their own (the result in
    // about an hour, the media after at least 7 days). Only this process's memory is cleared.
    delete(id) {
      forget(id);
      return Promise.resolve();
    },
    async download(id, variant: ContentVariant, signal) {
      if (variant !== "video") {
        throw new UpstreamError(`fal.ai makes no ${variant}, only the MP4.`, false, 404);
      }
      const url = await videoUrlOf(id);
      const response = await client.stream(url, signal);
      if (response.ok) return response;
      await response.body?.cancel();
      if (response.status === 404 || response.status === 410) {
        throw new UpstreamError("fal.ai no longer has this video.", false, 404, "expired_upstream");
      }
      throw new UpstreamError(
        `fal.ai's file storage answered ${response.status}.`,
        response.status === 429 || response.status >= 500,
        response.status,
      );
    },
    async cancel(id) {
      const answer = await client.json("PUT", cancelUrl(id));
      if (answer.status >= 200 && answer.status <= 299) return;
      // Finished or unknown requests have nothing left to stop.
      const state = (answer.body as { status?: unknown })?.status;
      if (answer.status === 404 || state === "ALREADY_COMPLETED") return;
      throw classifyFalError(answer);
    },
  };
}
