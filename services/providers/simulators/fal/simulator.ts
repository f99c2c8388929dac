// A stand-in for fal.ai's queue and platform API with fal's wire format, so demo mode and tests
// run the app's real fal client against it: submit → IN_QUEUE with absolute status, result and
// cancel URLs under the app id (on the origin the request came to) → IN_PROGRESS → COMPLETED,
// the result `{video: {url, content_type, file_name, file_size}, seed}` with the MP4 served here,
// cancel, validation by each curated endpoint's documented schema (422 `detail[]`),
// content_policy_violation for refused prompts, prices and models on `/v1`, a JWKS and signed
// webhook deliveries, and the same fault rules as the other simulators.
import { endpointsOf, FAL_SPECS, type FalModelSpec } from "../../fal/catalog.ts";
import type { SimulatorHandle } from "../../options.ts";
import { imageSize } from "../../../media/media_check.ts";
import type { FaultRule } from "../faults.ts";
import { type FaultyFetch, faultyFetch } from "../faulty_fetch.ts";
import { type Fixture, fixtureForAspect } from "../media.ts";
import { isBlockedPrompt } from "../moderation.ts";
import { jsonResponse as json } from "../responses.ts";
import { checkedTimeScale, phaseAt, planTimeline, type Timeline, totalMs } from "../timeline.ts";
import { ENDPOINT_SCHEMAS, secondsOf, validateInput, type ValidationDetail } from "./schemas.ts";
import { createFalSigner } from "./signer.ts";

export interface FalSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  /** When set, `Authorization: Key <apiKey>` must carry it; otherwise any key is accepted. */
  apiKey?: string;
  now?: () => number;
  random?: () => number;
  /** When set, a signed delivery is POSTed to each request's `fal_webhook` as it ends. */
  webhooks?: { deliver(request: Request): Promise<unknown> };
  /** Prices `/v1/models/pricing` answers, by endpoint id, instead of the catalog's list prices. */
  prices?: Record<string, { unit_price: number; unit: string; currency?: string }>;
  /** How long a finished request's result stays readable (fal: about an hour). */
  resultRetentionMs?: number;
}

/** What a submit asked for, as received (for tests to check what the app sent). */
export interface FalSubmissionRecord {
  requestId: string;
  endpoint: string;
  input: Record<string, unknown>;
  webhook?: string;
}

/** A request's state, as a test sees it. */
export interface FalRequestState {
  requestId: string;
  endpoint: string;
  status: "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED";
  /** How it ended, once COMPLETED. */
  outcome?: "ok" | "refused" | "cancelled";
  /** Length of the video it makes (an extension: the source's and the new segment's). */
  seconds: number;
  /** Its shape ("16:9", "9:16"…): as asked, the source's for an extension, else the image's. */
  aspectRatio: string;
}

export interface FalSimulator extends SimulatorHandle, FaultyFetch {
  readonly submissions: readonly FalSubmissionRecord[];
  getRequest(requestId: string): FalRequestState | undefined;
}

interface QueuedRequest {
  id: string;
  endpoint: string;
  app: string;
  createdMs: number;
  timeline: Timeline;
  /** Length of the video it makes. */
  seconds: number;
  aspectRatio: string;
  cancelledMs?: number;
  seed: number;
  webhook?: string;
}

/** Results of longer videos than this cannot be extended (Veo 3.1 on fal extends up to 8 s). */
const MAX_EXTEND_SOURCE_SECONDS = 8;
const EXTENSION_SECONDS = 7;
const DEFAULT_RESULT_RETENTION_MS = 3600_000;

export function createFalSimulator(options: FalSimulatorOptions = {}): FalSimulator {
  const timeScale = checkedTimeScale(options.timeScale);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const resultRetentionMs = options.resultRetentionMs ?? DEFAULT_RESULT_RETENTION_MS;
  const signer = createFalSigner();
  const submissions: FalSubmissionRecord[] = [];
  const queue = new Map<string, QueuedRequest>();
  const pendingWebhooks = new Set<ReturnType<typeof setTimeout>>();

  function state(request: QueuedRequest): FalRequestState["status"] {
    if (request.cancelledMs !== undefined) return "COMPLETED";
    const { status } = phaseAt(request.timeline, now() - request.createdMs);
    return status === "queued"
      ? "IN_QUEUE"
      : status === "in_progress"
      ? "IN_PROGRESS"
      : "COMPLETED";
  }

  function outcome(request: QueuedRequest): FalRequestState["outcome"] {
    if (request.cancelledMs !== undefined) return "cancelled";
    const { status } = phaseAt(request.timeline, now() - request.createdMs);
    return status === "completed" ? "ok" : status === "failed" ? "refused" : undefined;
  }

  /** When it ended, for how long its result stays. */
  function endedMs(request: QueuedRequest): number {
    return request.cancelledMs ?? request.createdMs + totalMs(request.timeline);
  }

  function urls(origin: string, request: QueuedRequest) {
    const base = `${origin}/${request.app}/requests/${request.id}`;
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
  }

  function mediaUrl(origin: string, request: QueuedRequest): string {
    return `${origin}/files/${request.id}/output.mp4`;
  }

  /** What the result endpoint answers for a finished request (also a webhook's payload). */
  function result(origin: string, request: QueuedRequest): Response {
    const how = outcome(request);
    if (how === "cancelled") {
      return falError(499, { detail: "Request was cancelled", error_type: "client_cancelled" });
    }
    if (how === "refused") {
      return falError(422, { detail: [refusal()] }, { "x-fal-retryable": "false" });
    }
    const { video } = videoFixture(request);
    return json({
      video: {
        url: mediaUrl(origin, request),
        content_type: video.contentType,
        file_name: "output.mp4",
        file_size: video.bytes.byteLength,
      },
      seed: request.seed,
    });
  }

  async function submit(req: Request, url: URL, endpoint: string): Promise<Response> {
    const schema = ENDPOINT_SCHEMAS[endpoint];
    if (!schema) return falError(404, { detail: `Application '${endpoint}' not found` });
    let input: unknown;
    try {
      input = JSON.parse(await req.text());
    } catch {
      return falError(422, {
        detail: [{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }],
      });
    }
    const problems = validateInput(schema, input);
    const fields = input as Record<string, unknown>;
    let seconds = secondsOf(schema, fields);
    let workSeconds = seconds;
    let aspectRatio = aspectRatioOf(fields);
    if (problems.length === 0 && /\/extend-video$/.test(endpoint)) {
      const source = extensionSource(String(fields.video_url), problems);
      if (source) {
        seconds = source.seconds + EXTENSION_SECONDS;
        workSeconds = EXTENSION_SECONDS;
        aspectRatio = source.aspectRatio;
      }
    }
    if (problems.length > 0) return falError(422, { detail: problems });
    const prompt = typeof fields.prompt === "string" ? fields.prompt : "";
    const negative = typeof fields.negative_prompt === "string" ? fields.negative_prompt : "";
    const blocked = isBlockedPrompt(prompt) || (negative !== "" && isBlockedPrompt(negative));
    const request: QueuedRequest = {
      id: crypto.randomUUID(),
      endpoint,
      app: endpoint.split("/").slice(0, 2).join("/"),
      createdMs: now(),
      timeline: planTimeline(workSeconds, timeScale, blocked),
      seconds,
      aspectRatio,
      seed: Math.floor(random() * 2 ** 31),
      webhook: url.searchParams.get("fal_webhook") ?? undefined,
    };
    queue.set(request.id, request);
    submissions.push({ requestId: request.id, endpoint, input: fields, webhook: request.webhook });
    if (request.webhook && options.webhooks) announceWhenSettled(request, url.origin);
    return json({
      status: "IN_QUEUE",
      request_id: request.id,
      ...urls(url.origin, request),
      queue_position: queuePosition(request),
    });
  }

  /** The finished video an extension continues: one this simulator made, at most 8 s long. */
  function extensionSource(videoUrl: string, problems: ValidationDetail[]) {
    const id = /\/files\/([^/]+)\/output\.mp4$/.exec(videoUrl)?.[1];
    const source = id ? queue.get(id) : undefined;
    const loc = ["body", "video_url"];
    if (!source || outcome(source) !== "ok") {
      problems.push({ loc, msg: "Failed to download the file.", type: "file_download_error" });
      return undefined;
    }
    if (source.seconds > MAX_EXTEND_SOURCE_SECONDS) {
      problems.push({
        loc,
        msg: `The video must be at most ${MAX_EXTEND_SOURCE_SECONDS} seconds long.`,
        type: "video_duration_too_long",
      });
      return undefined;
    }
    return source;
  }

  function queuePosition(request: QueuedRequest): number {
    return [...queue.values()].filter((r) =>
      r !== request && r.createdMs <= request.createdMs && state(r) === "IN_QUEUE"
    ).length;
  }

  function findRequest(app: string, id: string): QueuedRequest | undefined {
    const request = queue.get(id);
    // Status, result and cancel live under the app id, never under the endpoint's subpath.
    return request && request.app === app ? request : undefined;
  }

  function status(url: URL, request: QueuedRequest): Response {
    const current = state(request);
    const withLogs = url.searchParams.get("logs") === "1";
    const body: Record<string, unknown> = {
      status: current,
      request_id: request.id,
      ...urls(url.origin, request),
    };
    if (current === "IN_QUEUE") body.queue_position = queuePosition(request);
    if (withLogs) body.logs = current === "IN_QUEUE" ? [] : logsOf(request);
    if (current === "COMPLETED") {
      body.metrics = { inference_time: (endedMs(request) - request.createdMs) / 1000 };
      const how = outcome(request);
      if (how === "refused") body.error = "Invalid status code: 422";
      if (how === "cancelled") body.error_type = "client_cancelled";
    }
    return json(body, current === "COMPLETED" ? 200 : 202);
  }

  function logsOf(request: QueuedRequest) {
    const at = (ms: number) => new Date(request.createdMs + ms).toISOString();
    const logs = [
      { message: "Generating video...", level: "INFO", source: "USER", timestamp: at(0) },
    ];
    if (state(request) === "COMPLETED") {
      logs.push({
        message: "Video ready.",
        level: "INFO",
        source: "USER",
        timestamp: at(endedMs(request) - request.createdMs),
      });
    }
    return logs;
  }

  function resultOf(url: URL, request: QueuedRequest): Response {
    if (state(request) !== "COMPLETED") {
      return falError(400, { detail: "Request is still in progress" });
    }
    if (now() - endedMs(request) > resultRetentionMs) {
      return falError(404, { detail: "Request not found" });
    }
    return result(url.origin, request);
  }

  function cancel(request: QueuedRequest): Response {
    if (state(request) === "COMPLETED") return json({ status: "ALREADY_COMPLETED" }, 400);
    request.cancelledMs = now();
    return json({ status: "CANCELLATION_REQUESTED" }, 202);
  }

  function media(id: string): Response {
    const request = queue.get(id);
    if (!request || outcome(request) !== "ok") return falError(404, { detail: "File not found" });
    const { video } = videoFixture(request);
    return new Response(video.bytes.slice(), {
      headers: {
        "content-type": video.contentType,
        "content-length": String(video.bytes.byteLength),
      },
    });
  }

  function pricing(url: URL): Response {
    const ids = url.searchParams.getAll("endpoint_id").flatMap((v) => v.split(","))
      .map((id) => id.trim()).filter(Boolean);
    if (ids.length === 0 || ids.length > 50) {
      return falError(422, {
        detail: [{
          loc: ["query", "endpoint_id"],
          msg: "Provide between 1 and 50 endpoint ids",
          type: "value_error",
        }],
      });
    }
    const prices = ids.flatMap((id) => {
      const price = options.prices?.[id] ?? listPrice(id);
      return price ? [{ endpoint_id: id, currency: "USD", ...price }] : [];
    });
    return json({ prices, next_cursor: null, has_more: false });
  }

  function models(url: URL): Response {
    const wanted = url.searchParams.getAll("endpoint_id").flatMap((v) => v.split(","));
    const category = url.searchParams.get("category");
    const all = FAL_SPECS.flatMap((spec) =>
      endpointsOf(spec).map((endpoint) => ({
        endpoint_id: endpoint,
        metadata: {
          display_name: spec.label,
          category: endpoint === spec.id
            ? "text-to-video"
            : endpoint === spec.imageToVideo.endpoint
            ? "image-to-video"
            : "video-to-video",
          status: "active",
        },
      }))
    );
    const chosen = all.filter((m) =>
      (wanted.length === 0 || wanted.includes(m.endpoint_id)) &&
      (!category || m.metadata.category === category)
    );
    return json({ models: chosen, next_cursor: null, has_more: false });
  }

  async function handle(req: Request, url: URL): Promise<Response> {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    // Public: fal's signing keys and its media URLs need no key.
    if (req.method === "GET" && path === "/.well-known/jwks.json") return json(await signer.jwks());
    if (req.method === "GET" && (m = /^\/files\/([^/]+)\/output\.mp4$/.exec(path))) {
      return media(m[1]);
    }
    const unauthorized = checkKey(req, options.apiKey);
    if (unauthorized) return unauthorized;
    if (req.method === "GET" && path === "/v1/models/pricing") return pricing(url);
    if (req.method === "GET" && path === "/v1/models") return models(url);
    if ((m = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path))) {
      const [, app, id, action] = m;
      const request = findRequest(app, id);
      const wrongMethod = action === "/cancel" ? req.method !== "PUT" : req.method !== "GET";
      if (wrongMethod) return falError(405, { detail: "Method Not Allowed" });
      if (!request) return falError(404, { detail: "Request not found" });
      if (action === "/status") return status(url, request);
      if (action === "/cancel") return cancel(request);
      return resultOf(url, request);
    }
    if (req.method === "POST" && path.length > 1) return await submit(req, url, path.slice(1));
    return falError(404, { detail: "Not Found" });
  }

  /** Delivers the signed webhook when the request ends (fal POSTs it to `fal_webhook`). */
  function announceWhenSettled(request: QueuedRequest, origin: string): void {
    const announceIn = (delay: number) => {
      const timer = setTimeout(async () => {
        pendingWebhooks.delete(timer);
        if (state(request) !== "COMPLETED") {
          // A timer can fire a fraction of a millisecond early: wait out the rest, never drop it.
          announceIn(Math.max(1, endedMs(request) - now()));
          return;
        }
        await deliver(request, origin).catch(() => {});
      }, delay);
      pendingWebhooks.add(timer);
    };
    announceIn(Math.max(0, endedMs(request) - now()));
  }

  async function deliver(request: QueuedRequest, origin: string): Promise<void> {
    const answer = result(origin, request);
    const payload = await answer.json();
    const body = JSON.stringify({
      request_id: request.id,
      gateway_request_id: request.id,
      status: answer.ok ? "OK" : "ERROR",
      ...(answer.ok ? {} : { error: `Invalid status code: ${answer.status}` }),
      payload,
    });
    const headers = await signer.sign(request.id, body, Math.floor(now() / 1000));
    await options.webhooks!.deliver(
      new Request(request.webhook!, { method: "POST", headers, body }),
    );
  }

  const front = faultyFetch({ now, random, handle, statusError });

  return {
    timeScale,
    ...front,
    get submissions() {
      return submissions;
    },
    getRequest(requestId) {
      const request = queue.get(requestId);
      if (!request) return undefined;
      return {
        requestId: request.id,
        endpoint: request.endpoint,
        status: state(request),
        outcome: outcome(request),
        seconds: request.seconds,
        aspectRatio: request.aspectRatio,
      };
    },
    close() {
      for (const timer of pendingWebhooks) clearTimeout(timer);
      pendingWebhooks.clear();
    },
  };
}

/** The one place that picks what a finished request serves: the fixture of its shape and length. */
export function videoFixture(request: { aspectRatio: string; seconds: number }): Fixture {
  return fixtureForAspect(request.aspectRatio, request.seconds);
}

/**
 * The shape a request asks for: its `aspect_ratio`; where the image decides ("auto", or an
 * endpoint that takes none), the image's when sent inline, else fal's default 16:9.
 */
function aspectRatioOf(input: Record<string, unknown>): string {
  const asked = input.aspect_ratio;
  if (typeof asked === "string" && asked !== "auto") return asked;
  for (const field of ["image_url", "start_image_url"]) {
    const size = inlineImageSize(input[field]);
    if (size) return `${size.width}:${size.height}`;
  }
  return "16:9";
}

function inlineImageSize(value: unknown): { width: number; height: number } | undefined {
  const base64 = typeof value === "string"
    ? /^data:image\/[\w.+-]+;base64,(.*)$/s.exec(value)
    : null;
  if (!base64) return undefined;
  try {
    return imageSize(Uint8Array.from(atob(base64[1]), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The catalog's list price of an endpoint, as fal's pricing API would give it. */
function listPrice(endpoint: string): { unit_price: number; unit: string } | undefined {
  const spec = FAL_SPECS.find((s: FalModelSpec) => endpointsOf(s).includes(endpoint));
  if (!spec) return undefined;
  return "perSecond" in spec.prices
    ? { unit_price: spec.prices.perSecond[spec.default_size], unit: "video_second" }
    : { unit_price: spec.prices.perVideo[spec.default_seconds], unit: "video" };
}

/** fal's content checker's answer to a refused prompt (one `detail` entry). */
function refusal(): ValidationDetail & { url: string } {
  return {
    loc: ["body", "prompt"],
    msg: "The content could not be processed because it was flagged by a content checker " +
      "(simulated).",
    type: "content_policy_violation",
    url: "https://docs.fal.ai/errors#content_policy_violation",
  };
}

function checkKey(req: Request, apiKey: string | undefined): Response | undefined {
  const key = /^Key\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim();
  if (!key) {
    return falError(401, {
      detail: "Missing authorization header. Pass your key as 'Authorization: Key <FAL_KEY>'.",
    });
  }
  if (apiKey !== undefined && key !== apiKey) {
    return falError(401, { detail: "No user found for Key ID and Secret" });
  }
  return undefined;
}

/** A fault's status answer, in fal's shapes: 429 with Retry-After, 5xx with its error type. */
function statusError(rule: Readonly<FaultRule>): Response {
  const status = rule.status ?? 500;
  const headers: Record<string, string> = {};
  if (rule.retryAfter !== undefined) headers["retry-after"] = String(rule.retryAfter);
  if (status === 429) {
    return falError(429, { detail: "Rate limit exceeded. Please retry later." }, headers);
  }
  if (status >= 500) {
    const errorType = status === 504
      ? "request_timeout"
      : status === 503
      ? "runner_scheduling_failure"
      : "internal_error";
    headers["x-fal-error-type"] = errorType;
    return falError(status, { detail: "Simulated server error", error_type: errorType }, headers);
  }
  return falError(status, { detail: `Simulated error with status ${status}.` }, headers);
}

function falError(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return json(body, status, headers);
}
