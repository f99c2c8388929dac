import { Buffer } from "node:buffer";
import type { ContentVariant } from "../../types.ts";
import {
  type CreateJob,
  type ExtendJob,
  type JobContext,
  ModelRetiredError,
  NOT_OFFERED,
  type Upstream,
  UpstreamError,
  type UpstreamJob,
} from "../upstream.ts";
import type { Fetch } from "../options.ts";
import { VEO_31_FAST, VERTEX_SIZES } from "./catalog.ts";
import type { ServiceAccount } from "./credentials.ts";
import { asOperation, operationJob, type ProgressEstimate, resourceOf } from "./operation.ts";
import { type OperationBody, readOperationBody } from "./operation_body.ts";
import { VertexRest } from "./rest.ts";
import { TokenSource } from "./token.ts";

export interface VertexUpstreamOptions {
  /** The key, or how to get it when the first token is needed. */
  account: ServiceAccount | (() => ServiceAccount);
  project: string;
  location: string;
  /** `https://{location}-aiplatform.googleapis.com`, or a stand-in's origin. */
  baseUrl: string;
  fetch?: Fetch;
  /** Per request, until the answer's headers; then per pause in its body. */
  timeoutMs?: number;
  now?: () => number;
  estimate?: ProgressEstimate;
  /** The model whose description the health check reads. */
  pingModel?: string;
}

/**
 * Veo on Vertex AI through its REST API, not @google/genai: the SDK hands Vertex credentials to
 * google-auth-library, which reads the key file and trades it for a token on its own HTTP client
 * (outside the `fetch` given here, so neither the simulator's transport nor these time limits
 * would cover it), and it cannot be given a ready token. Four calls in plain fetch keep all of it
 * in view: the token, predictLongRunning, fetchPredictOperation and the publisher model's GET.
 */
export function createVertexUpstream(options: VertexUpstreamOptions): Upstream {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const now = options.now ?? Date.now;
  const estimate = options.estimate ?? { baseMs: 40_000, perSecondMs: 8_000 };
  const fetch = options.fetch ?? globalThis.fetch;
  const tokens = new TokenSource(options.account, { fetch, now, timeoutMs });
  const rest = new VertexRest({ baseUrl: options.baseUrl, fetch, timeoutMs, tokens });
  const modelPath = (model: string) =>
    `projects/${options.project}/locations/${options.location}/publishers/google/models/${model}`;

  const read = (response: Response, keepVideo: boolean): Promise<OperationBody> => {
    if (!response.body) throw new UpstreamError("Vertex AI answered with no content.", true);
    return readOperationBody(response.body, { keepVideo, idleMs: timeoutMs });
  };

  /** The operation as it is now, with its inline video when `keepVideo`. */
  const fetchOperation = async (
    name: string,
    keepVideo: boolean,
    signal?: AbortSignal,
  ): Promise<OperationBody> => {
    const response = await rest.send(
      "POST",
      `${resourceOf(name)}:fetchPredictOperation`,
      { operationName: name },
      keepVideo ? "download" : "check",
      signal,
    );
    return await read(response, keepVideo);
  };

  const predict = async (
    model: string,
    body: { instances: Record<string, unknown>[]; parameters: Record<string, unknown> },
    seconds: string,
  ): Promise<UpstreamJob> => {
    const startedAt = now();
    let response: Response;
    try {
      response = await rest.send("POST", `${modelPath(model)}:predictLongRunning`, body, "create");
    } catch (error) {
      throw createFailure(error, model);
    }
    return operationJob(await read(response, false), estimate, now(), { startedAt, seconds });
  };

  return {
    name: rest.base,
    create: (job: CreateJob) => {
      const shape = VERTEX_SIZES[job.size];
      if (!shape) {
        return Promise.reject(
          new UpstreamError(`Veo on Vertex AI does not make ${job.size} videos.`, false),
        );
      }
      const instance: Record<string, unknown> = { prompt: job.prompt };
      if (job.reference) {
        instance.image = {
          bytesBase64Encoded: Buffer.from(job.reference.bytes).toString("base64"),
          mimeType: job.reference.type,
        };
      }
      const parameters: Record<string, unknown> = {
        aspectRatio: shape.aspect_ratio,
        resolution: shape.resolution,
        durationSeconds: Number(job.seconds),
        // Veo 3 models want it said either way.
        generateAudio: job.audio ?? true,
        sampleCount: 1,
      };
      if (job.negative_prompt) parameters.negativePrompt = job.negative_prompt;
      return predict(job.model, { instances: [instance], parameters }, job.seconds);
    },
    extend: async (job: ExtendJob) => {
      // Veo extends a video it made, sent back as its bytes (no Cloud Storage here): they are in
      // the source's operation.
      const source = await fetchOperation(job.source, true);
      const op = asOperation(source);
      const chunks = source.video?.chunks;
      if (!op.done || !chunks?.length) {
        throw new UpstreamError("Vertex AI no longer has the video to extend.", false, 404);
      }
      const mimeType = op.response?.videos?.[0]?.mimeType ?? "video/mp4";
      const video = { bytesBase64Encoded: Buffer.concat(chunks).toString("base64"), mimeType };
      return await predict(job.model, {
        instances: [{ prompt: job.prompt, video }],
        parameters: { sampleCount: 1, generateAudio: true },
      }, job.seconds);
    },
    remix: () => notOffered("Veo cannot remix a video; re-run it with a new prompt instead."),
    edit: () => notOffered("Veo cannot edit a video; re-run it with a new prompt instead."),
    retrieve: async (upstreamId: string, context?: JobContext) =>
      operationJob(await fetchOperation(upstreamId, false), estimate, now(), context),
    // Without a Cloud Storage bucket nothing is stored upstream that could be deleted: the
    // operation and its inline video lapse on their own.
    delete: () => Promise.resolve(),
    download: async (upstreamId: string, variant: ContentVariant, signal: AbortSignal) => {
      if (variant !== "video") {
        throw new UpstreamError(`Veo on Vertex AI makes no ${variant}.`, false, 404, NOT_OFFERED);
      }
      const body = await fetchOperation(upstreamId, true, signal);
      const job = operationJob(body, estimate, now());
      if (job.status === "failed") {
        throw new UpstreamError(job.error!.message, false, undefined, job.error!.code);
      }
      const chunks = body.video?.chunks;
      if (job.status !== "completed" || !chunks) {
        throw new UpstreamError("The video is not ready at Vertex AI yet.", true);
      }
      const op = asOperation(body);
      return videoResponse(chunks, body.video!.bytes, op.response?.videos?.[0]?.mimeType);
    },
    ping: async () => {
      const model = options.pingModel ?? VEO_31_FAST;
      const response = await rest.send(
        "GET",
        `publishers/google/models/${model}`,
        undefined,
        "ping",
      );
      await response.body?.cancel();
    },
  };
}

/**
 * A 404 to predictLongRunning that names the model means Vertex AI no longer offers it (to this
 * project); any other 404 means the endpoint itself is not there (a wrong base URL): an outage.
 */
function createFailure(error: unknown, model: string): unknown {
  if (!(error instanceof UpstreamError) || error.status !== 404) return error;
  const said = error.message;
  // Google's own NOT_FOUND error, not a front end's page that merely echoes the path.
  if (error.code === "not_found" && said.includes(model)) {
    return new ModelRetiredError(model, `Vertex AI says ${model} is not available: ${said}`);
  }
  return new UpstreamError(said, true, 404, error.code, undefined, "gone");
}

function notOffered(message: string): Promise<never> {
  return Promise.reject(new UpstreamError(message, false, undefined, NOT_OFFERED));
}

/** The decoded video as a response, letting go of each chunk once it is read. */
function videoResponse(chunks: Uint8Array[], bytes: number, mimeType?: string): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= chunks.length) return controller.close();
      controller.enqueue(chunks[next]);
      chunks[next++] = new Uint8Array(0);
    },
  });
  return new Response(body, {
    headers: { "content-type": mimeType ?? "video/mp4", "content-length": String(bytes) },
  });
}
