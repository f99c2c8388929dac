import type { ContentVariant, ModelInfo, VideoError } from "../types.ts";

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
  /** What the video should not show; only for models whose `inputs.negative_prompt` is true. */
  negative_prompt?: string;
  /** Sound on or off, for models whose `inputs.audio` is true; the model's default when unset. */
  audio?: boolean;
  reference?: { bytes: Uint8Array; type: string; name: string };
}

/** A finished upstream video to make longer: a new segment of `seconds` is appended. */
export interface ExtendJob {
  /** The upstream id of the finished video. */
  source: string;
  prompt: string;
  model: string;
  /** Length of the new segment (the result is as long as both). */
  seconds: string;
}

/** What the app knows of a job it asks about, for providers that report no progress of their own. */
export interface JobContext {
  /** When the job was made (ms since the epoch). */
  startedAt: number;
  seconds: string;
}

/**
 * The seam to a video provider: the poller and the services speak only this, so a provider is one
 * implementation of it. Every method takes an idempotency key or is naturally idempotent.
 */
export interface Upstream {
  readonly name: string;
  create(job: CreateJob, idempotencyKey: string): Promise<UpstreamJob>;
  remix(upstreamId: string, prompt: string, idempotencyKey: string): Promise<UpstreamJob>;
  extend(job: ExtendJob, idempotencyKey: string): Promise<UpstreamJob>;
  edit(upstreamId: string, prompt: string, idempotencyKey: string): Promise<UpstreamJob>;
  retrieve(upstreamId: string, context?: JobContext): Promise<UpstreamJob>;
  delete(upstreamId: string): Promise<void>;
  /** The content as a streaming response; the caller checks its length and writes it. */
  download(upstreamId: string, variant: ContentVariant, signal: AbortSignal): Promise<Response>;
  /**
   * The cheapest authenticated call the endpoint really supports, to tell whether the key works.
   * Throws an UpstreamError; a 4xx other than 401/403 means "cannot be verified", never "works".
   */
  ping(): Promise<void>;
  /** Stops an unfinished job upstream, where the provider can (fal's queue, Interactions). */
  cancel?(upstreamId: string): Promise<void>;
}

/**
 * A configured provider: everything provider-specific the rest of the app may know. Its models
 * (sizes, lengths, prices, actions, inputs) drive validation, the cost estimate, the create form
 * and `GET /api/models`; its upstream makes the videos; its advice explains its outages.
 */
export interface Provider {
  /** `openai` or `google`, as in `ModelInfo.provider`. */
  readonly id: string;
  /** For people: "OpenAI Sora", "Google Veo". */
  readonly name: string;
  readonly models: readonly ModelInfo[];
  readonly upstream: Upstream;
  /** True when a built-in simulator stands in for it (demo mode). */
  readonly simulated: boolean;
  /** What an operator should do about each kind of outage, naming this provider's variables. */
  readonly advice: Readonly<Record<UpstreamOutage, string>>;
  /** The variable that turns this provider on, for "not configured" answers. */
  readonly keyVariable: string;
  /**
   * Re-reads what the provider publishes about its models (prices, retirements), where it has an
   * API for that; called at start and daily. Never throws: on failure the catalog stays as it was.
   */
  refresh?(): Promise<void>;
  /** Whether the provider never deduplicates a retried create (no idempotency key upstream). */
  readonly createsMayRepeat?: boolean;
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

/**
 * Runs one call to a provider, turning what it throws into an UpstreamError with the provider's
 * `classify`. A 404 to a call that makes a video means the endpoint itself is not there (a wrong
 * base URL, or the API withdrawn): an outage to wait out, not a verdict on this video.
 */
export async function classifiedCall<T>(
  work: () => Promise<T>,
  classify: (error: unknown) => UpstreamError,
  endpointMissing404: boolean,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const failure = classify(error);
    if (endpointMissing404 && failure.status === 404) {
      throw new UpstreamError(failure.message, true, 404, failure.code, undefined, "gone");
    }
    throw failure;
  }
}

/** Milliseconds to wait from a Retry-After (or retry-after-ms) header, when there is one. */
export function retryAfterMs(
  headers: Headers | undefined,
  /** The clock an HTTP-date is measured against (the app's, in tests a moved one). */
  now: () => number = Date.now,
): number | undefined {
  const value = headers?.get("retry-after-ms") ?? undefined;
  if (value && Number.isFinite(Number(value))) return Number(value);
  const seconds = headers?.get("retry-after");
  if (!seconds) return undefined;
  if (/^\d+(\.\d+)?$/.test(seconds.trim())) return Number(seconds) * 1000;
  const at = Date.parse(seconds);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

/**
 * The provider said the model is gone (a 404 naming it, "no longer available", or its catalog
 * marks it retired). The model leaves the form; jobs for it fail naming the replacement, if any.
 */
export class ModelRetiredError extends UpstreamError {
  constructor(
    readonly model: string,
    message: string,
    /** The successor the provider (or the catalog) names. */
    readonly replacement?: string,
  ) {
    super(message, false, 404, "model_retired");
  }
}

/**
 * The endpoint answered 404 or 405 to an action (remix, extend, edit) or a variant: it does not
 * offer it. The action is marked unavailable for that model until restart.
 */
export const NOT_OFFERED = "not_offered";
