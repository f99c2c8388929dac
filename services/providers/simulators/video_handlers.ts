import type { Video } from "openai/resources/videos";
import {
  parseCreateParams,
  parseEditParams,
  parseExtendParams,
  parsePrompt,
} from "./create_params.ts";
import type { JobStore } from "./jobs.ts";
import { CONTENT_VARIANTS, type ContentVariant, type Fixture, fixtureFor } from "./media.ts";
import { readBodyFields } from "./request_body.ts";
import { errorResponse, invalidRequest, jsonResponse, notFound } from "./responses.ts";

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;

export interface HandlerContext {
  store: JobStore;
  /** "<METHOD> <path> <Idempotency-Key>" → id of the video that request created. */
  idempotency: Map<string, string>;
}

export async function createVideo(req: Request, ctx: HandlerContext): Promise<Response> {
  const fields = await readBodyFields(req);
  if (fields instanceof Response) return fields;
  const params = parseCreateParams(fields);
  if (params instanceof Response) return params;
  return idempotent(req, ctx, () => ctx.store.create(params));
}

export async function remixVideo(req: Request, id: string, ctx: HandlerContext): Promise<Response> {
  const source = ctx.store.get(id);
  if (!source) return videoNotFound(id);
  const fields = await readBodyFields(req);
  if (fields instanceof Response) return fields;
  const prompt = parsePrompt(fields);
  if (prompt instanceof Response) return prompt;
  if (source.status !== "completed") {
    return invalidRequest(
      `Video '${id}' is ${source.status}; only completed videos can be remixed.`,
      null,
      "invalid_video_status",
    );
  }
  return idempotent(req, ctx, () =>
    ctx.store.create({
      prompt,
      model: source.model,
      size: source.size,
      seconds: source.seconds,
      remixedFromVideoId: source.id,
    }));
}

/**
 * `POST /videos/extensions`: a new job continuing a completed video. Its `seconds` is the
 * length of the whole result (source + extension), while it takes only as long as the new
 * segment does to render.
 */
export async function extendVideo(req: Request, ctx: HandlerContext): Promise<Response> {
  const fields = await readBodyFields(req);
  if (fields instanceof Response) return fields;
  const params = parseExtendParams(fields);
  if (params instanceof Response) return params;
  const source = completedSource(params.videoId, "extended", ctx);
  if (source instanceof Response) return source;
  const added = Number(params.seconds);
  return idempotent(req, ctx, () =>
    ctx.store.create({
      prompt: params.prompt,
      model: source.model,
      size: source.size,
      seconds: String(Number(source.seconds) + added),
      workSeconds: added,
    }));
}

/** `POST /videos/edits`: a new job re-rendering a completed video, as long as it. */
export async function editVideo(req: Request, ctx: HandlerContext): Promise<Response> {
  const fields = await readBodyFields(req);
  if (fields instanceof Response) return fields;
  const params = parseEditParams(fields);
  if (params instanceof Response) return params;
  const source = completedSource(params.videoId, "edited", ctx);
  if (source instanceof Response) return source;
  return idempotent(req, ctx, () =>
    ctx.store.create({
      prompt: params.prompt,
      model: source.model,
      size: source.size,
      seconds: source.seconds,
    }));
}

/** The video a derived job starts from: it must exist and be completed, as for a remix. */
function completedSource(
  id: string,
  participle: "extended" | "edited",
  ctx: HandlerContext,
): Video | Response {
  const source = ctx.store.get(id);
  if (!source) return videoNotFound(id);
  if (source.status !== "completed") {
    return invalidRequest(
      `Video '${id}' is ${source.status}; only completed videos can be ${participle}.`,
      null,
      "invalid_video_status",
    );
  }
  return source;
}

export function retrieveVideo(id: string, ctx: HandlerContext): Response {
  const video = ctx.store.get(id);
  return video ? jsonResponse(video) : videoNotFound(id);
}

export function listVideos(url: URL, ctx: HandlerContext): Response {
  const order = url.searchParams.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") {
    return invalidRequest(
      `Invalid value: '${order}'. Supported values are: 'asc', 'desc'.`,
      "order",
      "invalid_value",
    );
  }
  const rawLimit = url.searchParams.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIST_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    return invalidRequest(
      `Invalid 'limit': expected an integer between 1 and ${MAX_LIST_LIMIT}, got '${rawLimit}'.`,
      "limit",
      "invalid_value",
    );
  }
  const page = ctx.store.list({ after: url.searchParams.get("after") ?? undefined, limit, order });
  return jsonResponse({
    object: "list",
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.has_more,
  });
}

export function deleteVideo(id: string, ctx: HandlerContext): Response {
  const video = ctx.store.get(id);
  if (!video) return videoNotFound(id);
  // The API documents deletion for completed or failed videos only; refusing the rest
  // keeps the app from relying on "delete" as a cancel button.
  if (video.status === "queued" || video.status === "in_progress") {
    return invalidRequest(
      `Video '${id}' is ${video.status}; only completed or failed videos can be deleted.`,
      null,
      "invalid_video_status",
    );
  }
  ctx.store.delete(id);
  return jsonResponse({ id, object: "video.deleted", deleted: true });
}

export function downloadContent(id: string, url: URL, ctx: HandlerContext): Response {
  const variant = url.searchParams.get("variant") ?? "video";
  if (!isVariant(variant)) {
    return invalidRequest(
      `Invalid value: '${variant}'. Supported values are: ${
        CONTENT_VARIANTS.map((v) => `'${v}'`).join(", ")
      }.`,
      "variant",
      "invalid_value",
    );
  }
  const video = ctx.store.get(id);
  if (!video) return videoNotFound(id);
  // The live API answers 404 (not 409) while a video is not ready. That matters: the SDK
  // retries 409s, so a 409 would turn one premature download into three requests.
  if (video.status !== "completed") {
    return errorResponse(404, {
      message: video.status === "failed"
        ? `Video '${id}' failed and has no content.`
        : "Video is not ready yet, use GET /v1/videos/{video_id} to check status.",
      code: video.status === "failed" ? "video_failed" : "video_not_ready",
    });
  }
  if (ctx.store.isExpired(video)) {
    return errorResponse(404, {
      message: `Content for video '${id}' has expired.`,
      code: "video_expired",
    });
  }
  const asset = videoFixture(video)[variant];
  return new Response(asset.bytes.slice(), {
    headers: {
      "content-type": asset.contentType,
      "content-length": String(asset.bytes.byteLength),
    },
  });
}

/**
 * The one place that picks what a finished video serves (its MP4, thumbnail and spritesheet): the
 * demo fixture of its size's orientation and about its length (for an extension, the whole
 * result's; for an edit or a remix, its source's).
 */
export function videoFixture(video: Pick<Video, "size" | "seconds">): Fixture {
  return fixtureFor(video.size, Number(video.seconds));
}

export function videoNotFound(id: string): Response {
  return notFound(`Video with id '${id}' not found.`, "video_not_found");
}

/**
 * Replays the first result for a repeated Idempotency-Key, so a create retried after a
 * lost response does not start a second (billable) job.
 */
function idempotent(req: Request, ctx: HandlerContext, create: () => Video): Response {
  const key = req.headers.get("idempotency-key");
  if (!key) return jsonResponse(create());
  const slot = `${req.method} ${new URL(req.url).pathname} ${key}`;
  const existingId = ctx.idempotency.get(slot);
  const existing = existingId === undefined ? undefined : ctx.store.get(existingId);
  if (existing) return jsonResponse(existing);
  const video = create();
  ctx.idempotency.set(slot, video.id);
  return jsonResponse(video);
}

function isVariant(value: string): value is ContentVariant {
  return (CONTENT_VARIANTS as readonly string[]).includes(value);
}
