// Gemini Omni through the Interactions API, in plain fetch: @google/genai's interactions client
// retries creates by itself (up to four times, with no idempotency key: a video billed twice),
// and the REST calls are few and simple.
import { Buffer } from "node:buffer";
import type { ContentVariant } from "../../types.ts";
import type { CreateJob, ExtendJob, JobContext, Upstream, UpstreamJob } from "../upstream.ts";
import { UpstreamError } from "../upstream.ts";
import type { Fetch } from "../options.ts";
import { GEMINI_SIZES } from "./catalog.ts";
import { GeminiHttp } from "./http.ts";
import {
  createBody,
  type CreateInteraction,
  editBody,
  extendBody,
  type Interaction,
  outputVideo,
  videoFormatOf,
} from "./interactions.ts";
import { type Estimate, isKnownStatus, toJob } from "./job_state.ts";

export const DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
/** The API version @google/genai 3.x speaks to the Gemini API (2.x used v1beta). */
export const API_VERSION = "v1";
/** How many interactions' facts are kept for follow-ups (each is a few dozen bytes). */
const MAX_REMEMBERED = 10_000;

export interface GeminiUpstreamOptions {
  apiKey: string;
  /** The API's origin; Google's when unset. */
  baseUrl?: string;
  fetch?: Fetch;
  /** Per request, until the answer's headers (and between chunks of a JSON answer). */
  timeoutMs?: number;
  now?: () => number;
  /** The API reports no progress: it is estimated from the time a video usually takes. */
  estimate?: Estimate;
}

/** What a follow-up (edit, extension) must repeat of its source: the model, and its resolution. */
interface SourceFacts {
  model: string;
  resolution?: string;
}

export function createGeminiUpstream(options: GeminiUpstreamOptions): Upstream {
  const now = options.now ?? Date.now;
  // About 24 s for a 10 s clip, as measured; never past 95 % before it is done.
  const estimate = options.estimate ?? { baseMs: 4000, perSecondMs: 2000 };
  const http = new GeminiHttp({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    version: API_VERSION,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  /**
   * Facts of the interactions made here, so an edit need not fetch its source (whose JSON may
   * carry the whole video). After a restart it is empty and the source is read once instead.
   */
  const sources = new Map<string, SourceFacts>();
  const remember = (id: string, facts: SourceFacts) => {
    // The oldest go first: a long-running server forgets what it can read again.
    if (sources.size >= MAX_REMEMBERED) sources.delete(sources.keys().next().value!);
    sources.set(id, facts);
  };

  const get = (id: string) =>
    http.json<Interaction>("GET", `interactions/${encodeURIComponent(id)}`, { kind: "read" });

  const start = async (
    body: CreateInteraction,
    kind: "create" | "follow_up",
    context: JobContext,
  ): Promise<UpstreamJob> => {
    const interaction = await http.json<Interaction>("POST", "interactions", {
      kind,
      model: body.model,
    }, body);
    // The create was accepted once it has an id: whatever else its answer lacks, asking again
    // would make (and bill) a second video, so it is taken as in progress.
    const accepted = isKnownStatus(interaction?.status)
      ? interaction
      : { ...interaction, status: "in_progress" };
    const job = toJob(accepted, now(), estimate, context);
    const resolution = body.response_format.resolution ??
      (body.previous_interaction_id
        ? sources.get(body.previous_interaction_id)?.resolution
        : undefined);
    remember(job.id, { model: interaction.model ?? body.model, resolution });
    return job;
  };

  const sourceOf = async (id: string): Promise<SourceFacts> => {
    const known = sources.get(id);
    if (known) return known;
    const interaction = await get(id);
    if (!interaction.model) {
      throw new UpstreamError("Google did not say which model made the source video.", false);
    }
    const facts = { model: interaction.model, resolution: videoFormatOf(interaction)?.resolution };
    remember(id, facts);
    return facts;
  };

  return {
    name: options.baseUrl ?? DEFAULT_BASE_URL,

    create(job: CreateJob) {
      const shape = GEMINI_SIZES[job.size];
      if (!shape) {
        return Promise.reject(
          new UpstreamError(`Gemini Omni does not make ${job.size} videos.`, false),
        );
      }
      const image = job.reference
        ? { base64: Buffer.from(job.reference.bytes).toString("base64"), type: job.reference.type }
        : undefined;
      const body = createBody({ ...job, image }, shape);
      return start(body, "create", { startedAt: now(), seconds: job.seconds });
    },

    async edit(upstreamId, prompt) {
      const source = await sourceOf(upstreamId);
      // An edit is as long as its source, which only the app knows: its poll says so.
      return await start(editBody({ id: upstreamId, ...source }, prompt), "follow_up", {
        startedAt: now(),
        seconds: "8",
      });
    },

    async extend(job: ExtendJob) {
      const source = await sourceOf(job.source);
      return await start(
        extendBody(
          { id: job.source, model: job.model, resolution: source.resolution },
          job.prompt,
          job.seconds,
        ),
        "follow_up",
        { startedAt: now(), seconds: job.seconds },
      );
    },

    remix() {
      return Promise.reject(
        new UpstreamError(
          "Gemini Omni cannot remix a video; use Edit to change it with a prompt.",
          false,
        ),
      );
    },

    async retrieve(upstreamId, context) {
      return toJob(await get(upstreamId), now(), estimate, context);
    },

    async download(upstreamId, variant: ContentVariant, signal) {
      if (variant !== "video") {
        throw new UpstreamError(`Gemini Omni makes no ${variant}.`, false, 404);
      }
      // Read afresh each time: the video may be inline, and big bytes are not kept between calls.
      const video = outputVideo(await get(upstreamId));
      if (!video) throw new UpstreamError("The video is not ready at Google yet.", true);
      if (video.data) {
        const decoded = Buffer.from(video.data, "base64");
        const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
        return new Response(bytes, {
          headers: {
            "content-type": video.mime_type ?? "video/mp4",
            "content-length": String(bytes.byteLength),
          },
        });
      }
      return await http.send(
        fileUrl(http, video.uri!),
        { method: "GET" },
        { kind: "file" },
        signal,
      );
    },

    async delete(upstreamId) {
      try {
        await http.json("DELETE", `interactions/${encodeURIComponent(upstreamId)}`, {
          kind: "read",
        });
      } catch (error) {
        // Already gone is what a delete wants.
        if (!(error instanceof UpstreamError && error.status === 404 && !error.outage)) throw error;
      }
      sources.delete(upstreamId);
    },

    async cancel(upstreamId) {
      try {
        await http.json(
          "POST",
          `interactions/${encodeURIComponent(upstreamId)}/cancel`,
          { kind: "read" },
        );
      } catch (error) {
        // Finished or gone already: there is nothing left to stop.
        const settled = error instanceof UpstreamError && !error.outage &&
          (error.status === 404 || error.code === "failed_precondition");
        if (!settled) throw error;
      }
    },

    async ping() {
      await http.json("GET", "models?pageSize=1", { kind: "ping" });
    },
  };
}

/**
 * Where a video delivered by URI is downloaded: the URI as given, except a Files API name
 * (`files/abc`) or its metadata URL on the API's host, fetched through the `:download` method.
 */
function fileUrl(http: GeminiHttp, uri: string): string {
  if (/^files\/[\w-]+$/.test(uri)) return `${http.url(uri)}:download?alt=media`;
  const url = new URL(uri);
  const name = /\/(files\/[\w-]+)$/.exec(url.pathname)?.[1];
  return name && !url.search && http.onApiHost(uri) ? `${http.url(name)}:download?alt=media` : uri;
}
