// A stand-in for Google's Gemini API as far as Veo goes, so demo mode and tests run the real
// @google/genai SDK against it: a long-running operation per video that progresses with the
// clock, completes with the real MP4 fixture, is filtered on refused prompts, extends (Veo 3.1) a
// 720p video it made by 7 seconds, and misbehaves on request through the same fault rules as the
// Sora simulator.
import { degradedResponse, replacementResponse, wrapsResponse } from "../fault_responses.ts";
import { type FaultKind, FaultRegistry, type FaultRule, type Faults } from "../faults.ts";
import { MEDIA } from "../media.ts";
import { isBlockedPrompt } from "../moderation.ts";
import { phaseAt, planTimeline, type Timeline, totalMs } from "../timeline.ts";

export interface VeoSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  /** When set, the `x-goog-api-key` must equal it; otherwise any key is accepted. */
  apiKey?: string;
  /** Clock in ms since the epoch. */
  now?: () => number;
  /** Source of randomness for fault `probability`. */
  random?: () => number;
}

export interface VeoRequestLogEntry {
  method: string;
  /** URL pathname, without the query. */
  path: string;
  /** The simulator clock (ms) when the request arrived. */
  at: number;
  fault?: FaultKind;
}

/** What a create asked for, as the API received it (for tests to check what the app sent). */
export interface VeoCreateRecord {
  operation: string;
  model: string;
  prompt: string;
  parameters: Record<string, unknown>;
  image?: { mimeType: string; bytes: number };
  /** The video an extension continues: the id of a file this simulator generated. */
  video?: { fileId: string };
}

export interface VeoOperationState {
  name: string;
  done: boolean;
  filtered: boolean;
  fileId: string;
  fileDeleted: boolean;
  /** "16:9" or "9:16". */
  aspectRatio: string;
  /** "720p", "1080p" or "4k". */
  resolution: string;
  /** Length of the video it makes; for an extension, the source's plus EXTENSION_SECONDS. */
  seconds: number;
}

export interface VeoSimulator {
  /** The `timeScale` it runs at, so a client can tell how long its jobs take. */
  readonly timeScale: number;
  /** Answers one API request; use it as the SDK's `fetch` or as a Deno.serve handler. */
  fetch(req: Request): Promise<Response>;
  readonly faults: Faults;
  readonly requests: readonly VeoRequestLogEntry[];
  readonly creates: readonly VeoCreateRecord[];
  /** An operation's state by its name (`models/…/operations/…`), or undefined if unknown. */
  getOperation(name: string): VeoOperationState | undefined;
  close(): void;
}

interface OperationRecord {
  name: string;
  model: string;
  prompt: string;
  createdMs: number;
  timeline: Timeline;
  fileId: string;
  fileDeleted: boolean;
  aspectRatio: string;
  resolution: string;
  seconds: number;
}

/** What a valid create asks for, once its instance and parameters are checked. */
interface VideoPlan {
  aspectRatio: string;
  resolution: string;
  /** Length of the resulting video. */
  seconds: number;
  /** Seconds of new footage, which set how long the operation takes. */
  workSeconds: number;
  /** The source file of an extension. */
  sourceFileId?: string;
}

/** Generated files are kept this long after the video is made, as the Gemini API does. */
export const FILE_RETENTION_SECONDS = 2 * 24 * 3600;

const ASPECT_RATIOS = ["16:9", "9:16"];
const RESOLUTIONS = ["720p", "1080p", "4k"];
const DURATIONS = [4, 6, 8];

/** Veo 3.1 extends a video it made by this many seconds per call. */
export const EXTENSION_SECONDS = 7;
/** The longest video Veo 3.1 will extend. */
export const MAX_EXTENSION_SOURCE_SECONDS = 141;

export function createVeoSimulator(options: VeoSimulatorOptions = {}): VeoSimulator {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale >= 0 && Number.isFinite(timeScale))) {
    throw new RangeError(`timeScale must be a finite number >= 0, got ${timeScale}`);
  }
  const now = options.now ?? Date.now;
  const faults = new FaultRegistry(options.random ?? Math.random);
  const requests: VeoRequestLogEntry[] = [];
  const creates: VeoCreateRecord[] = [];
  const operations = new Map<string, OperationRecord>();
  const files = new Map<string, OperationRecord>();

  function phase(op: OperationRecord) {
    return phaseAt(op.timeline, now() - op.createdMs);
  }

  function isExpired(op: OperationRecord): boolean {
    const doneMs = op.createdMs + totalMs(op.timeline);
    return now() > doneMs + FILE_RETENTION_SECONDS * 1000;
  }

  function planCreate(parameters: Record<string, unknown>): VideoPlan | Response {
    const aspectRatio = String(parameters.aspectRatio ?? "16:9");
    const resolution = String(parameters.resolution ?? "720p");
    const duration = Number(parameters.durationSeconds ?? 8);
    if (!ASPECT_RATIOS.includes(aspectRatio)) {
      return googleError(400, "INVALID_ARGUMENT", `Unsupported aspect ratio: ${aspectRatio}.`);
    }
    if (!RESOLUTIONS.includes(resolution)) {
      return googleError(400, "INVALID_ARGUMENT", `Unsupported resolution: ${resolution}.`);
    }
    if (!DURATIONS.includes(duration)) {
      return googleError(400, "INVALID_ARGUMENT", `Unsupported duration: ${duration} seconds.`);
    }
    if (resolution !== "720p" && duration !== 8) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        `${resolution} videos must be 8 seconds long.`,
      );
    }
    return { aspectRatio, resolution, seconds: duration, workSeconds: duration };
  }

  /**
   * An extension continues a completed video this simulator made, named by its file URI
   * (`…/files/<id>:download?alt=media`, as getOperation answers). Every problem with the
   * source, an unknown or deleted file included, is a 400 INVALID_ARGUMENT rather than a
   * 404: the request names an existing method, only its argument is wrong (and the app
   * reads a 404 from predictLongRunning as the endpoint being gone).
   */
  function planExtension(
    model: string,
    instance: Record<string, unknown>,
    parameters: Record<string, unknown>,
  ): VideoPlan | Response {
    const invalid = (message: string) => googleError(400, "INVALID_ARGUMENT", message);
    if (!model.startsWith("veo-3.1")) {
      return invalid(`models/${model} does not support video extension; use a Veo 3.1 model.`);
    }
    if (instance.image !== undefined) {
      return invalid("An instance can have an image or a video to extend, not both.");
    }
    const video = instance.video;
    if (typeof video !== "object" || video === null || Array.isArray(video)) {
      return invalid("video must be an object with the uri of a video Veo generated.");
    }
    const { uri, encodedVideo } = video as { uri?: unknown; encodedVideo?: unknown };
    if (encodedVideo !== undefined) {
      return invalid(
        "Only videos Veo generated can be extended, referenced by their uri; video bytes are " +
          "not supported.",
      );
    }
    const fileId = typeof uri === "string" ? /(?:^|\/)files\/(\w+)/.exec(uri)?.[1] : undefined;
    if (!fileId) {
      return invalid("video.uri must name a file Veo generated (…/files/<id>:download).");
    }
    const source = files.get(fileId);
    if (!source || source.fileDeleted) return invalid(`File files/${fileId} not found.`);
    if (phase(source).status !== "completed") {
      return invalid(`File files/${fileId} is not a finished video.`);
    }
    if (isExpired(source)) return invalid(`File files/${fileId} has expired.`);
    if (parameters.resolution !== undefined && parameters.resolution !== "720p") {
      return invalid(`Unsupported resolution for video extension: ${parameters.resolution}.`);
    }
    if (source.resolution !== "720p") return invalid("Only 720p videos can be extended.");
    if (parameters.aspectRatio !== undefined && parameters.aspectRatio !== source.aspectRatio) {
      return invalid(
        `An extension keeps the video's aspect ratio (${source.aspectRatio}), not ` +
          `${parameters.aspectRatio}.`,
      );
    }
    if (source.seconds > MAX_EXTENSION_SOURCE_SECONDS) {
      return invalid(
        `Videos longer than ${MAX_EXTENSION_SOURCE_SECONDS} seconds cannot be extended; this ` +
          `one is ${source.seconds} seconds.`,
      );
    }
    // durationSeconds is ignored: every extension adds EXTENSION_SECONDS.
    return {
      aspectRatio: source.aspectRatio,
      resolution: "720p",
      seconds: source.seconds + EXTENSION_SECONDS,
      workSeconds: EXTENSION_SECONDS,
      sourceFileId: fileId,
    };
  }

  async function create(req: Request, model: string): Promise<Response> {
    let body: { instances?: Record<string, unknown>[]; parameters?: Record<string, unknown> };
    try {
      body = await req.json();
    } catch {
      return googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    const instance = body?.instances?.[0] ?? {};
    const parameters = body?.parameters ?? {};
    const prompt = typeof instance.prompt === "string" ? instance.prompt : "";
    const image = instance.image as
      | { bytesBase64Encoded?: unknown; mimeType?: unknown }
      | undefined;
    const extending = instance.video !== undefined && instance.video !== null;
    if (!prompt.trim() && !image && !extending) {
      return googleError(400, "INVALID_ARGUMENT", "A prompt or an image is required.");
    }
    if (
      image && (typeof image.bytesBase64Encoded !== "string" || typeof image.mimeType !== "string")
    ) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        "An image needs bytesBase64Encoded and mimeType.",
      );
    }
    const plan = extending ? planExtension(model, instance, parameters) : planCreate(parameters);
    if (plan instanceof Response) return plan;
    const id = randomId(12);
    const name = `models/${model}/operations/${id}`;
    const blocked = isBlockedPrompt(prompt) ||
      (typeof parameters.negativePrompt === "string" && isBlockedPrompt(parameters.negativePrompt));
    const record: OperationRecord = {
      name,
      model,
      prompt,
      createdMs: now(),
      timeline: planTimeline(plan.workSeconds, timeScale, blocked),
      fileId: randomId(16),
      fileDeleted: false,
      aspectRatio: plan.aspectRatio,
      resolution: plan.resolution,
      seconds: plan.seconds,
    };
    operations.set(name, record);
    files.set(record.fileId, record);
    creates.push({
      operation: name,
      model,
      prompt,
      parameters,
      image: image
        ? {
          mimeType: String(image.mimeType),
          bytes: atob(String(image.bytesBase64Encoded)).length,
        }
        : undefined,
      video: plan.sourceFileId ? { fileId: plan.sourceFileId } : undefined,
    });
    return json({ name });
  }

  function getOperation(name: string, url: URL): Response {
    const op = operations.get(name);
    if (!op) return googleError(404, "NOT_FOUND", `Operation ${name} not found.`);
    const { status } = phase(op);
    if (status === "queued" || status === "in_progress") return json({ name });
    const type =
      "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse";
    if (status === "failed") {
      return json({
        name,
        done: true,
        response: {
          "@type": type,
          generateVideoResponse: {
            raiMediaFilteredCount: 1,
            raiMediaFilteredReasons: [
              "The video could not be made because the prompt goes against the usage policy " +
              "(simulated safety filter).",
            ],
          },
        },
      });
    }
    const uri = `${url.origin}/v1beta/files/${op.fileId}:download?alt=media`;
    return json({
      name,
      done: true,
      response: {
        "@type": type,
        generateVideoResponse: { generatedSamples: [{ video: { uri } }] },
      },
    });
  }

  function download(fileId: string): Response {
    const op = files.get(fileId);
    if (!op || op.fileDeleted || phase(op).status !== "completed") {
      return googleError(404, "NOT_FOUND", `File files/${fileId} not found.`);
    }
    if (isExpired(op)) {
      return googleError(404, "NOT_FOUND", `File files/${fileId} has expired.`);
    }
    const bytes = MEDIA.video.bytes;
    return new Response(bytes.slice(), {
      headers: { "content-type": "video/mp4", "content-length": String(bytes.byteLength) },
    });
  }

  function deleteFile(fileId: string): Response {
    const op = files.get(fileId);
    if (!op || op.fileDeleted) {
      return googleError(404, "NOT_FOUND", `File files/${fileId} not found.`);
    }
    op.fileDeleted = true;
    return json({});
  }

  async function handle(req: Request, url: URL): Promise<Response> {
    const unauthorized = checkKey(req, url, options.apiKey);
    if (unauthorized) return unauthorized;
    const path = url.pathname.replace(/^\/v1beta\//, "/");
    let m: RegExpExecArray | null;
    if (req.method === "POST" && (m = /^\/models\/([\w.-]+):predictLongRunning$/.exec(path))) {
      if (!m[1].startsWith("veo-")) {
        return googleError(404, "NOT_FOUND", `models/${m[1]} is not found for predictLongRunning.`);
      }
      return await create(req, m[1]);
    }
    if (req.method === "GET" && (m = /^\/(models\/[\w.-]+\/operations\/\w+)$/.exec(path))) {
      return getOperation(m[1], url);
    }
    if (req.method === "GET" && path === "/models") {
      return json({ models: [{ name: "models/veo-3.1-generate-preview" }] });
    }
    if (req.method === "GET" && (m = /^\/models\/([\w.-]+)$/.exec(path))) {
      if (!m[1].startsWith("veo-")) {
        return googleError(404, "NOT_FOUND", `models/${m[1]} is not found.`);
      }
      return json({
        name: `models/${m[1]}`,
        displayName: m[1],
        supportedGenerationMethods: ["predictLongRunning"],
      });
    }
    if (req.method === "GET" && (m = /^\/files\/(\w+):download$/.exec(path))) return download(m[1]);
    if (req.method === "DELETE" && (m = /^\/files\/(\w+)$/.exec(path))) return deleteFile(m[1]);
    return googleError(404, "NOT_FOUND", `No such method: ${req.method} ${url.pathname}`);
  }

  async function fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const entry: VeoRequestLogEntry = { method: req.method, path: url.pathname, at: now() };
    requests.push(entry);
    const fault = faults.pick(req.method, url.pathname + url.search);
    if (!fault) return await handle(req, url);
    entry.fault = fault.kind;
    if (wrapsResponse(fault)) return degradedResponse(fault, await handle(req, url), req);
    if (fault.when === "after") {
      const processed = await handle(req, url);
      await processed.body?.cancel();
    }
    if (fault.kind === "status") return statusError(fault);
    return await replacementResponse(fault, req);
  }

  return {
    timeScale,
    fetch,
    faults,
    get requests() {
      return requests;
    },
    get creates() {
      return creates;
    },
    getOperation(name) {
      const op = operations.get(name);
      if (!op) return undefined;
      const { status } = phase(op);
      return {
        name: op.name,
        done: status === "completed" || status === "failed",
        filtered: status === "failed",
        fileId: op.fileId,
        fileDeleted: op.fileDeleted,
        aspectRatio: op.aspectRatio,
        resolution: op.resolution,
        seconds: op.seconds,
      };
    },
    close() {},
  };
}

const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** An error the way Google's APIs answer one: `{"error": {"code", "message", "status"}}`. */
export function googleError(
  code: number,
  status: string,
  message: string,
  extra: { details?: unknown[]; headers?: HeadersInit } = {},
): Response {
  const error: Record<string, unknown> = { code, message, status };
  if (extra.details) error.details = extra.details;
  return json({ error }, code, extra.headers);
}

function statusError(rule: Readonly<FaultRule>): Response {
  const code = rule.status ?? 500;
  const headers = new Headers();
  if (rule.retryAfter !== undefined) headers.set("retry-after", String(rule.retryAfter));
  const message = code === 429
    ? "Resource has been exhausted (e.g. check quota)."
    : code >= 500
    ? "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
    : `Simulated error with status ${code}.`;
  // Google says when to come back in the body (RetryInfo), not in a Retry-After header.
  const details = rule.retryAfter === undefined
    ? undefined
    : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${rule.retryAfter}s` }];
  return googleError(code, GOOGLE_STATUS[code] ?? "UNKNOWN", message, { headers, details });
}

function checkKey(req: Request, url: URL, apiKey: string | undefined): Response | undefined {
  const key = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
  if (!key) {
    return googleError(
      403,
      "PERMISSION_DENIED",
      "Method doesn't allow unregistered callers (callers without established identity). " +
        "Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  if (apiKey !== undefined && key !== apiKey) {
    return googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", {
      details: [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
      }],
    });
  }
  return undefined;
}

function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=UTF-8");
  h.set("content-length", String(bytes.byteLength));
  return new Response(bytes, { status, headers: h });
}

function randomId(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
