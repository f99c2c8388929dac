import OpenAI, { toFile } from "openai";
import type { ContentVariant, VideoError } from "./types.ts";

/** What the app needs to know of an upstream job. */
export interface UpstreamJob {
  id: string;
  status: "queued" | "in_progress" | "completed" | "failed";
  progress: number;
  error: VideoError | null;
  /** Unix seconds after which the content is gone upstream. */
  expires_at: number | null;
}

export interface CreateJob {
  prompt: string;
  model: string;
  size: string;
  seconds: string;
  reference?: { bytes: Uint8Array; type: string; name: string };
}

/**
 * The seam to a video provider: the poller and the services speak only this, so a provider is one
 * implementation of it. Every method takes an idempotency key or is naturally idempotent.
 */
export interface Upstream {
  readonly name: string;
  create(job: CreateJob, idempotencyKey: string): Promise<UpstreamJob>;
  remix(upstreamId: string, prompt: string, idempotencyKey: string): Promise<UpstreamJob>;
  retrieve(upstreamId: string): Promise<UpstreamJob>;
  delete(upstreamId: string): Promise<void>;
  /** The content as a streaming response; the caller checks its length and writes it. */
  download(upstreamId: string, variant: ContentVariant, signal: AbortSignal): Promise<Response>;
  /** The cheapest authenticated call, to tell whether the key works and the endpoint answers. */
  ping(): Promise<void>;
}

/**
 * An upstream failure, classified: `transient` ones are retried later (after `retryAfterMs` when
 * the upstream said so); the others fail the job with `message`, which is meant for a person.
 */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
    readonly code?: string,
    readonly retryAfterMs?: number,
    /** Set when the upstream as a whole is unusable, not just this request. */
    readonly outage?: UpstreamOutage,
  ) {
    super(message);
  }
}

/**
 * Why the upstream as a whole cannot be used: no answer at all, the key refused, or the endpoint
 * gone. Jobs wait (queued locally) through an outage instead of failing.
 */
export type UpstreamOutage = "unreachable" | "refused" | "gone";

export interface OpenAIUpstreamOptions {
  apiKey: string;
  baseURL?: string;
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Per request; a hung upstream must not hold a job forever. */
  timeoutMs?: number;
}

export function createOpenAIUpstream(options: OpenAIUpstreamOptions): Upstream {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    fetch: options.fetch,
    // Retries are the poller's job: it owns the request budget and the backoff.
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60_000,
  });
  const call = async <T>(work: () => Promise<T>, endpointMissing404 = false): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const failure = classify(error);
      // A 404 to a create means the videos endpoint itself is not there (wrong base URL, or the
      // API was withdrawn): an outage to wait out, not a verdict on this video.
      if (endpointMissing404 && failure.status === 404) {
        throw new UpstreamError(failure.message, true, 404, failure.code, undefined, "gone");
      }
      throw failure;
    }
  };
  return {
    name: options.baseURL ?? "https://api.openai.com/v1",
    create: (job, idempotencyKey) =>
      call(async () =>
        toJob(
          await client.videos.create({
            prompt: job.prompt,
            model: job.model,
            size: job.size as OpenAI.Videos.VideoSize,
            seconds: job.seconds as OpenAI.Videos.VideoSeconds,
            input_reference: job.reference
              ? await toFile(job.reference.bytes, job.reference.name, { type: job.reference.type })
              : undefined,
          }, idempotent(idempotencyKey)),
        ), true),
    remix: (upstreamId, prompt, idempotencyKey) =>
      call(async () =>
        toJob(await client.videos.remix(upstreamId, { prompt }, idempotent(idempotencyKey)))
      ),
    retrieve: (upstreamId) => call(async () => toJob(await client.videos.retrieve(upstreamId))),
    delete: (upstreamId) => call(async () => void await client.videos.delete(upstreamId)),
    download: (upstreamId, variant, signal) =>
      call(() => client.videos.downloadContent(upstreamId, { variant }, { signal }).asResponse()),
    ping: () => call(async () => void await client.videos.list({ limit: 1 }), true),
  };
}

/**
 * The SDK's own `idempotencyKey` option is not sent for this client, so the header is set directly;
 * a create whose answer was lost can then be sent again without making a second video.
 */
function idempotent(key: string) {
  return { headers: { "Idempotency-Key": key } };
}

function toJob(video: OpenAI.Videos.Video): UpstreamJob {
  if (!video || typeof video.id !== "string" || typeof video.status !== "string") {
    throw new UpstreamError("The upstream answered with something that is not a video.", true);
  }
  return {
    id: video.id,
    status: video.status,
    progress: Math.max(0, Math.min(100, Math.round(Number(video.progress) || 0))),
    error: video.error ? { code: video.error.code, message: video.error.message } : null,
    expires_at: video.expires_at ?? null,
  };
}

/** Turns whatever the SDK threw into an UpstreamError the poller can act on. */
export function classify(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamError("The upstream did not answer in time.", true);
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new UpstreamError("The request to the upstream was cancelled.", true);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new UpstreamError(
      "The upstream could not be reached.",
      true,
      undefined,
      undefined,
      undefined,
      "unreachable",
    );
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const status = error.status;
    const body = error.error as { message?: string; code?: string } | undefined;
    const message = body?.message ?? error.message;
    const outage = status === 401 || status === 403
      ? "refused"
      : status === 410
      ? "gone"
      : undefined;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500 ||
      outage !== undefined;
    return new UpstreamError(
      message,
      transient,
      status,
      body?.code ?? error.code ?? undefined,
      retryAfterMs(error.headers),
      outage,
    );
  }
  // Malformed JSON and other surprises: treat as passing trouble, the retry budget bounds it.
  return new UpstreamError(
    `The upstream answered unexpectedly: ${(error as Error)?.message ?? error}`,
    true,
  );
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after-ms") ?? undefined;
  if (value && Number.isFinite(Number(value))) return Number(value);
  const seconds = headers?.get("retry-after");
  if (!seconds) return undefined;
  if (/^\d+(\.\d+)?$/.test(seconds.trim())) return Number(seconds) * 1000;
  const at = Date.parse(seconds);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
