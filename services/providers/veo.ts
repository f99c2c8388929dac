import { Buffer } from "node:buffer";
import type { GenerateVideosOperation } from "@google/genai";
import type { Config } from "../config.ts";
import type { VeoSimulator } from "../simulator/veo/simulator.ts";
import type { ContentVariant } from "../types.ts";
import type {
  CreateJob,
  JobContext,
  Provider,
  Upstream,
  UpstreamJob,
  UpstreamOutage,
} from "../upstream.ts";
import { classifiedCall, UpstreamError } from "../upstream.ts";
import { VEO_MODELS, VEO_SIZES } from "./veo_models.ts";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
const SIMULATOR_BASE_URL = "https://veo-simulator.local";
/** The Gemini API keeps a generated video for two days. */
const RETENTION_SECONDS = 2 * 24 * 3600;

const ADVICE: Record<UpstreamOutage, string> = {
  unreachable:
    "Google's Gemini API cannot be reached. Check the server's network and GEMINI_BASE_URL; new Veo videos wait in the queue meanwhile.",
  refused:
    "Google refused the Gemini API key. Check GEMINI_API_KEY (and that its project may use Veo); new Veo videos wait in the queue meanwhile.",
  gone:
    "The Gemini API's Veo endpoint is gone. Check GEMINI_BASE_URL and that the model is still offered; new Veo videos wait in the queue meanwhile.",
};

/**
 * Veo through Google's Gemini API when GEMINI_API_KEY is set, or the built-in Veo simulator in demo
 * mode, reached through the same SDK client with a base URL and an in-process transport.
 */
export function veoProvider(
  config: Config,
  options: { simulator?: VeoSimulator; fetch?: Fetch },
): Provider | undefined {
  const simulator = config.simulate ? options.simulator : undefined;
  if (!simulator && !config.GEMINI_API_KEY) return undefined;
  const upstream = createVeoUpstream({
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ...(simulator
      ? {
        apiKey: "demo-mode",
        baseUrl: SIMULATOR_BASE_URL,
        fetch: options.fetch ?? ((input, init) => simulator.fetch(new Request(input, init))),
        // The simulator's jobs take (3 + length) seconds, scaled: progress follows that.
        estimate: { baseMs: 3000 * simulator.timeScale, perSecondMs: 1000 * simulator.timeScale },
      }
      : { apiKey: config.GEMINI_API_KEY!, baseUrl: config.GEMINI_BASE_URL, fetch: options.fetch }),
  });
  return {
    id: "google",
    name: "Google Veo",
    models: VEO_MODELS,
    upstream,
    simulated: !!simulator,
    advice: ADVICE,
    keyVariable: "GEMINI_API_KEY",
  };
}

export interface VeoUpstreamOptions {
  apiKey: string;
  /** The Gemini API's origin (the SDK adds `/v1beta`); the SDK's default when unset. */
  baseUrl?: string;
  fetch?: Fetch;
  /** Per request, until the answer's headers; a hung upstream must not hold a job forever. */
  timeoutMs?: number;
  now?: () => number;
  /**
   * Veo reports no progress, only "done": progress is estimated from the time a video of that
   * length usually takes (`baseMs + perSecondMs * seconds`), and never passes 95 before it is done.
   */
  estimate?: { baseMs: number; perSecondMs: number };
}

type ClientModule = typeof import("./veo_client.ts");
type VeoClient = InstanceType<ClientModule["VeoClient"]>;
let clientModule: Promise<ClientModule> | undefined;

export function createVeoUpstream(options: VeoUpstreamOptions): Upstream {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const now = options.now ?? Date.now;
  const estimate = options.estimate ?? { baseMs: 30_000, perSecondMs: 10_000 };
  let client: VeoClient | undefined;
  /** Operation name → generated file id, learnt when an operation is seen done. */
  const files = new Map<string, string>();

  const call = async <T>(
    work: (client: VeoClient) => Promise<T>,
    endpointMissing404 = false,
  ): Promise<T> => {
    // The SDK is loaded on the first call: an idle server, or one without Veo, never needs it.
    const sdk = await (clientModule ??= import("./veo_client.ts"));
    client ??= new sdk.VeoClient({
      apiKey: options.apiKey,
      vertexai: false,
      httpOptions: {
        baseUrl: options.baseUrl,
        fetch: options.fetch,
        timeout: timeoutMs,
        // Retries are the poller's job: it owns the request budget and the backoff.
        retryOptions: { attempts: 1 },
      },
    });
    const ready = client;
    return await classifiedCall(
      () => work(ready),
      (error) => classifyVeoError(error, sdk.ApiError),
      endpointMissing404,
    );
  };

  const toJob = (op: GenerateVideosOperation, context?: JobContext): UpstreamJob => {
    if (!op || typeof op.name !== "string" || !op.name) {
      throw new UpstreamError(
        "The Gemini API answered with something that is not an operation.",
        true,
      );
    }
    const base = { id: op.name, error: null, expires_at: null };
    if (op.error) {
      const error = op.error as { code?: unknown; message?: unknown; status?: unknown };
      return {
        ...base,
        status: "failed",
        progress: 0,
        error: {
          code: typeof error.status === "string" ? error.status.toLowerCase() : "generation_failed",
          message: typeof error.message === "string"
            ? error.message
            : "Veo could not make this video.",
        },
      };
    }
    if (op.done) {
      const uri = op.response?.generatedVideos?.[0]?.video?.uri;
      const fileId = uri ? /\/files\/([a-z0-9]+)/i.exec(uri)?.[1] : undefined;
      if (fileId) {
        files.set(op.name, fileId);
        return {
          ...base,
          status: "completed",
          progress: 100,
          expires_at: Math.floor(now() / 1000) + RETENTION_SECONDS,
        };
      }
      const filtered = op.response?.raiMediaFilteredCount ?? 0;
      return {
        ...base,
        status: "failed",
        progress: 0,
        error: filtered > 0
          ? {
            code: "moderation_blocked",
            message: op.response?.raiMediaFilteredReasons?.[0] ??
              "Google's safety filters blocked this video.",
          }
          : { code: "generation_failed", message: "Veo finished without a video." },
      };
    }
    const expected = estimate.baseMs + estimate.perSecondMs * Number(context?.seconds ?? 8);
    const elapsed = context ? now() - context.startedAt : 0;
    const progress = expected > 0 ? Math.floor((100 * elapsed) / expected) : 0;
    return { ...base, status: "in_progress", progress: Math.max(0, Math.min(95, progress)) };
  };

  const fileOf = async (c: VeoClient, upstreamId: string): Promise<string | undefined> => {
    if (!files.has(upstreamId)) toJob(await c.operation(upstreamId));
    return files.get(upstreamId);
  };

  return {
    name: options.baseUrl ?? DEFAULT_BASE_URL,
    create: (job: CreateJob) =>
      call(async (client) => {
        const shape = VEO_SIZES[job.size];
        if (!shape) throw new UpstreamError(`Veo does not make ${job.size} videos.`, false);
        const startedAt = now();
        const op = await client.models.generateVideos({
          model: job.model,
          source: {
            prompt: job.prompt,
            image: job.reference
              ? {
                imageBytes: Buffer.from(job.reference.bytes).toString("base64"),
                mimeType: job.reference.type,
              }
              : undefined,
          },
          config: {
            numberOfVideos: 1,
            aspectRatio: shape.aspectRatio,
            resolution: shape.resolution,
            durationSeconds: Number(job.seconds),
            negativePrompt: job.negative_prompt || undefined,
          },
        });
        return toJob(op, { startedAt, seconds: job.seconds });
      }, true),
    extend: async (job) => {
      // Veo extends the video it made, named by its file's URI, which the source operation holds.
      const source = await call((client) => client.operation(job.source));
      const video = source.response?.generatedVideos?.[0]?.video;
      if (!source.done || !video?.uri) {
        throw new UpstreamError("Google no longer has the video to extend.", false, 404);
      }
      return await call(async (client) => {
        const startedAt = now();
        const op = await client.models.generateVideos({
          model: job.model,
          source: { prompt: job.prompt, video: { uri: video.uri } },
          config: { numberOfVideos: 1, resolution: "720p" },
        });
        return toJob(op, { startedAt, seconds: job.seconds });
      }, true);
    },
    remix: () => unsupported("Veo cannot remix a video; re-run it with a new prompt instead."),
    edit: () => unsupported("Veo cannot edit a video; re-run it with a new prompt instead."),
    retrieve: (upstreamId, context) =>
      call(async (client) => toJob(await client.operation(upstreamId), context)),
    delete: (upstreamId) =>
      call(async (client) => {
        // The operation itself cannot be deleted; the generated file can.
        const fileId = await fileOf(client, upstreamId);
        if (fileId) await client.files.delete({ name: `files/${fileId}` });
        files.delete(upstreamId);
      }),
    download: (upstreamId, variant: ContentVariant, signal) =>
      call(async (client) => {
        if (variant !== "video") {
          throw new UpstreamError(`Veo makes no ${variant}.`, false, 404);
        }
        const fileId = await fileOf(client, upstreamId);
        if (!fileId) throw new UpstreamError("The video is not ready upstream.", true);
        // The SDK's timeout would cover the whole body; this one ends with the headers.
        const headers = new AbortController();
        const timer = setTimeout(
          () => headers.abort(new UpstreamError("The upstream did not answer in time.", true)),
          timeoutMs,
        );
        try {
          return await client.downloadFile(fileId, AbortSignal.any([signal, headers.signal]));
        } catch (error) {
          if (headers.signal.aborted && !signal.aborted) throw headers.signal.reason;
          throw error;
        } finally {
          clearTimeout(timer);
        }
      }),
    ping: () =>
      call(async (client) => void await client.models.list({ config: { pageSize: 1 } }), true),
  };
}

function unsupported(message: string): Promise<never> {
  return Promise.reject(new UpstreamError(message, false));
}

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { "@type"?: string; reason?: string; retryDelay?: string }[];
  };
}

/** Turns whatever the SDK threw into an UpstreamError the poller can act on. */
export function classifyVeoError(
  error: unknown,
  apiError: ClientModule["ApiError"],
): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof apiError) {
    const status = error.status;
    let body: GoogleErrorBody = {};
    try {
      body = JSON.parse(error.message);
    } catch {
      // The SDK puts the answer's JSON in the message; anything else is kept as it is.
    }
    const message = body.error?.message ?? error.message;
    const details = body.error?.details ?? [];
    const keyInvalid = details.some((d) => d.reason === "API_KEY_INVALID") ||
      /API key not valid/i.test(message);
    const outage = status === 401 || status === 403 || keyInvalid
      ? "refused"
      : status === 410
      ? "gone"
      : undefined;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500 ||
      outage !== undefined;
    const delay = details.find((d) => d.retryDelay)?.retryDelay;
    const retryAfterMs = delay && /^\d+(\.\d+)?s$/.test(delay)
      ? Number(delay.slice(0, -1)) * 1000
      : undefined;
    return new UpstreamError(
      message,
      transient,
      status,
      body.error?.status?.toLowerCase(),
      retryAfterMs,
      outage,
    );
  }
  const name = (error as Error)?.name;
  if (name === "AbortError" || name === "TimeoutError") {
    return new UpstreamError("The upstream did not answer in time.", true);
  }
  if (error instanceof TypeError) {
    return new UpstreamError(
      "The upstream could not be reached.",
      true,
      undefined,
      undefined,
      undefined,
      "unreachable",
    );
  }
  return new UpstreamError(
    `The upstream answered unexpectedly: ${(error as Error)?.message ?? error}`,
    true,
  );
}
