import type OpenAI from "openai";
import type { Config } from "../../app/config.ts";
import type { SoraSimulator } from "../simulators/simulator.ts";
import {
  classifiedCall,
  type Provider,
  retryAfterMs,
  type Upstream,
  UpstreamError,
  type UpstreamJob,
  type UpstreamOutage,
} from "../upstream.ts";
import { OPENAI_MODELS } from "./models.ts";
import { declaredOpenAIModels } from "./declared.ts";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
type Sdk = typeof import("openai");

let sdkModule: Promise<Sdk> | undefined;

/**
 * The SDK, loaded on the first upstream call rather than at start: it is large, and an idle
 * server (or one whose OpenAI provider is off) never needs it.
 */
export function openAISdk(): Promise<Sdk> {
  return sdkModule ??= import("openai");
}

const SIMULATOR_BASE_URL = "http://sora-simulator.local/v1";

const ADVICE: Record<UpstreamOutage, string> = {
  unreachable:
    "OpenAI's video service cannot be reached. Check the server's network and OPENAI_BASE_URL; new videos wait in the queue meanwhile.",
  refused:
    "OpenAI refused the API key. Check OPENAI_API_KEY (and that the account may use the Videos API); new videos wait in the queue meanwhile.",
  gone:
    "OpenAI's videos endpoint is gone. Check OPENAI_BASE_URL, or make videos with another provider; new videos wait in the queue meanwhile.",
};

/**
 * OpenAI's Videos API (Sora) when OPENAI_API_KEY is set, or the built-in Sora simulator in demo
 * mode (same SDK code path; only the transport ends in this process).
 */
export function openAIProvider(
  config: Config,
  options: { simulator?: SoraSimulator; fetch?: Fetch },
): Provider | undefined {
  const simulator = config.simulate ? options.simulator : undefined;
  if (!simulator && !config.OPENAI_API_KEY) return undefined;
  const upstream = createOpenAIUpstream({
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ...(simulator
      ? {
        apiKey: "demo-mode",
        baseURL: SIMULATOR_BASE_URL,
        fetch: options.fetch ?? ((input, init) => simulator.fetch(new Request(input, init))),
      }
      : { apiKey: config.OPENAI_API_KEY!, baseURL: config.OPENAI_BASE_URL, fetch: options.fetch }),
  });
  // Behind a gateway the endpoint serves what its operator declares; else the Sora 2 catalog.
  const name = config.OPENAI_MODELS ? "OpenAI-compatible endpoint" : "OpenAI Sora";
  return {
    id: "openai",
    name,
    models: config.OPENAI_MODELS ? declaredOpenAIModels(config.OPENAI_MODELS, name) : OPENAI_MODELS,
    upstream,
    simulated: !!simulator,
    advice: ADVICE,
    keyVariable: "OPENAI_API_KEY",
    // Gateways such as LiteLLM's proxy drop the Idempotency-Key header.
    createsMayRepeat: !!config.OPENAI_BASE_URL,
  };
}

export interface OpenAIUpstreamOptions {
  apiKey: string;
  baseURL?: string;
  fetch?: Fetch;
  /** Per request; a hung upstream must not hold a job forever. */
  timeoutMs?: number;
}

export function createOpenAIUpstream(options: OpenAIUpstreamOptions): Upstream {
  let client: OpenAI | undefined;
  const call = async <T>(
    work: (client: OpenAI, sdk: Sdk) => Promise<T>,
    endpointMissing404 = false,
  ): Promise<T> => {
    const sdk = await openAISdk();
    client ??= new sdk.default({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      fetch: options.fetch,
      // Retries are the poller's job: it owns the request budget and the backoff.
      maxRetries: 0,
      timeout: options.timeoutMs ?? 60_000,
    });
    const ready = client;
    return await classifiedCall(
      () => work(ready, sdk),
      (error) => classify(error, sdk),
      endpointMissing404,
    );
  };
  return {
    name: options.baseURL ?? "https://api.openai.com/v1",
    create: (job, idempotencyKey) =>
      call(async (client, sdk) =>
        toJob(
          await client.videos.create({
            prompt: job.prompt,
            model: job.model,
            size: job.size as OpenAI.Videos.VideoSize,
            seconds: job.seconds as OpenAI.Videos.VideoSeconds,
            input_reference: job.reference
              ? await sdk.toFile(job.reference.bytes, job.reference.name, {
                type: job.reference.type,
              })
              : undefined,
          }, idempotent(idempotencyKey)),
        ), true),
    remix: (upstreamId, prompt, idempotencyKey) =>
      call(async (client) =>
        toJob(await client.videos.remix(upstreamId, { prompt }, idempotent(idempotencyKey)))
      ),
    extend: (job, idempotencyKey) =>
      call(async (client) =>
        toJob(
          await client.videos.extend({
            prompt: job.prompt,
            // The SDK's type lists 4, 8 and 12; the API takes up to 20 for an extension.
            seconds: job.seconds as OpenAI.Videos.VideoSeconds,
            video: { id: job.source },
          }, idempotent(idempotencyKey)),
        )
      ),
    edit: (upstreamId, prompt, idempotencyKey) =>
      call(async (client) =>
        toJob(
          await client.videos.edit(
            { prompt, video: { id: upstreamId } },
            idempotent(idempotencyKey),
          ),
        )
      ),
    retrieve: (upstreamId) =>
      call(async (client) => toJob(await client.videos.retrieve(upstreamId))),
    delete: (upstreamId) => call(async (client) => void await client.videos.delete(upstreamId)),
    download: (upstreamId, variant, signal) =>
      call((client) =>
        client.videos.downloadContent(upstreamId, { variant }, { signal }).asResponse()
      ),
    ping: () => call(async (client) => void await client.videos.list({ limit: 1 }), true),
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
export function classify(error: unknown, sdk: Sdk): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new UpstreamError("The upstream did not answer in time.", true);
  }
  if (error instanceof sdk.APIUserAbortError) {
    return new UpstreamError("The request to the upstream was cancelled.", true);
  }
  if (error instanceof sdk.APIConnectionError) {
    return new UpstreamError(
      "The upstream could not be reached.",
      true,
      undefined,
      undefined,
      undefined,
      "unreachable",
    );
  }
  if (error instanceof sdk.APIError && error.status !== undefined) {
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
