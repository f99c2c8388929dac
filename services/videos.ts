import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Database, NewVideoJob, VideoRow } from "./db.ts";
import { AppError, conflict, invalid, notFound } from "./errors.ts";
import type { VideoEvents } from "./events.ts";
import { IMAGE_EXTENSIONS, MAX_REFERENCE_BYTES, sniffImageType } from "./images.ts";
import type { JobRunner } from "./jobs.ts";
import {
  CONTENT_TYPES,
  fileSize,
  mediaPath,
  removeQuietly,
  uploadsDir,
  videoDir,
  writeBytesAtomically,
} from "./media_store.ts";
import { estimateCost, extendRefusal, findModel } from "./models.ts";
import { cutFrame, FRAME_COUNT } from "./frames.ts";
import { canRunFfmpeg, lastFrameOfVideo } from "./video_frames.ts";
import { checkBudget } from "./spend.ts";
import type { ProviderSet } from "./providers/registry.ts";
import type { ContentVariant, Derivation, ModelInfo, Video, VideoAction } from "./types.ts";
import type { Upstream } from "./upstream.ts";
import {
  type CreateVideoFields,
  createVideoSchema,
  fieldErrors,
  type LibraryQueryInput,
  resolveCreate,
} from "./video_input.ts";
import { decodeCursor, encodeCursor, toVideo } from "./video_view.ts";

/** What the video functions work with; built once in main.ts. */
export interface VideoServices {
  db: Database;
  events: VideoEvents;
  jobs: JobRunner;
  /** All providers as one, for naming and readiness checks only (`ProviderSet.upstream`). */
  upstream: Upstream;
  /** The configured providers: which models are offered, and whose upstream makes a video. */
  providers: ProviderSet;
  dataDir: string;
  /** The ffmpeg program, for a video's last frame; without it, frames come from spritesheets. */
  ffmpeg?: string;
  now: () => number;
}

/** How long a create waits for its first upstream answer before answering with the queued job. */
const SUBMIT_WAIT_MS = 10_000;

export interface ReferenceImage {
  bytes: Uint8Array;
}

function newVideoId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "vid_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function ownVideo(s: VideoServices, userId: number, id: string): VideoRow {
  const row = s.db.videoOfUser(id, userId);
  if (!row) throw notFound();
  return row;
}

export function getVideo(s: VideoServices, userId: number, id: string): Video {
  return toVideo(ownVideo(s, userId, id));
}

export async function createVideo(
  s: VideoServices,
  userId: number,
  fields: CreateVideoFields,
  reference?: ReferenceImage,
  /** The video this one continues from its last frame, kept as its lineage. */
  continues: string | null = null,
): Promise<Video> {
  const resolved = resolveCreate(fields, s.providers.models, s.providers.defaultModel, !!reference);
  if ("fields" in resolved) throw invalid(resolved.fields, Object.values(resolved.fields)[0]);
  const { model, size, seconds } = resolved;
  const id = newVideoId();
  const cost = estimateCost(model.id, size, seconds);
  // Refused for the budget before the image is even stored; checked again as it is inserted.
  checkBudget(s.db, userId, cost, s.now());
  const stored = reference ? await storeReference(s, id, reference) : undefined;
  insertWithinBudget(s, {
    estimated_cost: cost,
    id,
    user_id: userId,
    prompt: fields.prompt,
    model: model.id,
    size,
    seconds,
    provider: model.provider,
    negative_prompt: resolved.negative_prompt ?? null,
    remixed_from: continues,
    derivation: continues ? "continue" : null,
    source_upstream_id: null,
    reference_path: stored?.path ?? null,
    reference_type: stored?.type ?? null,
    idempotency_key: crypto.randomUUID(),
    created_at: s.now(),
  });
  return await submitted(s, id);
}

export function remixVideo(s: VideoServices, userId: number, sourceId: string, prompt: string) {
  return deriveVideo(s, userId, sourceId, "remix", { prompt });
}

/** A longer video: the source with a new segment of `seconds` appended, as the prompt directs. */
export function extendVideo(
  s: VideoServices,
  userId: number,
  sourceId: string,
  request: { prompt: string; seconds?: string },
) {
  return deriveVideo(s, userId, sourceId, "extend", request);
}

/** The same video with the changes the prompt asks for. */
export function editVideo(s: VideoServices, userId: number, sourceId: string, prompt: string) {
  return deriveVideo(s, userId, sourceId, "edit", { prompt });
}

const DONE: Record<VideoAction, string> = {
  remix: "remixed",
  extend: "extended",
  edit: "edited",
};

/**
 * A new video made by the source's provider from the finished source (remix, extend, edit), with
 * the source as its lineage. Refused with 409 when the model cannot do it, the source is not
 * finished or its provider is not set up, and for the budget before anything is sent.
 */
async function deriveVideo(
  s: VideoServices,
  userId: number,
  sourceId: string,
  action: VideoAction,
  request: { prompt: string; seconds?: string },
): Promise<Video> {
  const source = ownVideo(s, userId, sourceId);
  const model = findModel(source.model);
  if (!model?.actions[action]) throw notSupported(action, model, source);
  if (source.status !== "completed" || !source.upstream_id) {
    throw conflict(`Only a finished video can be ${DONE[action]}.`);
  }
  if (!keptUpstream(s, source)) {
    throw new AppError(
      409,
      "source_expired",
      `${model.provider_name} no longer keeps this video, so it cannot be ${DONE[action]}. ` +
        "Continue from its last frame or re-run it instead.",
    );
  }
  const provider = s.providers.forJob(source);
  if (!provider) {
    throw new AppError(
      409,
      "provider_not_configured",
      `${model.provider_name} is not set up on this server, so this video cannot be ${
        DONE[action]
      }.`,
    );
  }
  const added = action === "extend" ? extensionSeconds(model, source, request.seconds) : null;
  const id = newVideoId();
  insertWithinBudget(s, {
    // What is made (and paid for) is the new segment of an extension, the whole video otherwise.
    estimated_cost: estimateCost(source.model, source.size, added ?? source.seconds),
    id,
    user_id: userId,
    prompt: request.prompt,
    model: source.model,
    size: source.size,
    seconds: added ? String(Number(source.seconds) + Number(added)) : source.seconds,
    provider: provider.provider.id,
    negative_prompt: null,
    remixed_from: source.id,
    source_upstream_id: source.upstream_id,
    derivation: action,
    extension_seconds: added,
    reference_path: null,
    reference_type: null,
    idempotency_key: crypto.randomUUID(),
    created_at: s.now(),
  });
  return await submitted(s, id);
}

/** Whether the provider still has the finished video, which its actions (remix…) work on. */
function keptUpstream(s: VideoServices, row: VideoRow): boolean {
  return row.upstream_expires_at === null || s.now() / 1000 < row.upstream_expires_at;
}

function notSupported(action: VideoAction, model: ModelInfo | undefined, source: VideoRow) {
  return new AppError(
    409,
    `${action}_not_supported`,
    model?.unavailable?.[action] ??
      `${model?.label ?? source.model} videos cannot be ${DONE[action]}.`,
  );
}

/** The new segment's length, checked against what the model extends (400 or 409 with why). */
function extensionSeconds(model: ModelInfo, source: VideoRow, seconds?: string): string {
  const refusal = extendRefusal(model, source);
  if (refusal) throw new AppError(409, "extend_not_supported", refusal);
  const allowed = model.extension?.seconds ?? [];
  const added = seconds ?? allowed[0];
  if (!allowed.includes(added)) {
    const lengths = `${allowed.join(", ")} seconds`;
    throw invalid(
      { seconds: `Choose ${lengths}.` },
      `${model.label} extends a video by ${lengths}.`,
    );
  }
  return added;
}

/**
 * "Continue from the last frame": a new video at the same model, size and length whose reference
 * image is the source's last frame, so the story goes on from there.
 */
export async function continueVideo(
  s: VideoServices,
  userId: number,
  sourceId: string,
  prompt: string,
): Promise<Video> {
  const source = ownVideo(s, userId, sourceId);
  if (source.status !== "completed") throw conflict("Only a finished video can be continued.");
  const lastFrame = await lastFrameOf(s, userId, source);
  return await createVideo(
    s,
    userId,
    { prompt, model: source.model, size: source.size, seconds: source.seconds },
    { bytes: lastFrame },
    source.id,
  );
}

/**
 * The source's last frame at its size: from the MP4 when ffmpeg can be run (exact, full size),
 * else the spritesheet's last tile; 409 when the video has neither.
 */
async function lastFrameOf(s: VideoServices, userId: number, source: VideoRow) {
  const video = await contentFile(s, userId, source.id, "video");
  await mkdir(uploadsDir(s.dataDir), { recursive: true });
  const frame = s.ffmpeg
    ? await lastFrameOfVideo(s.ffmpeg, video.path, source.size, uploadsDir(s.dataDir))
    : undefined;
  if (frame) return frame;
  const model = findModel(source.model);
  if (model && !model.variants.includes("spritesheet")) {
    throw new AppError(
      409,
      "continue_not_supported",
      `${model.label} videos come without a storyboard, and this server cannot run ffmpeg to ` +
        "take the last frame from the video itself.",
    );
  }
  const sheet = await contentFile(s, userId, source.id, "spritesheet");
  return cutFrame(await Deno.readFile(sheet.path), FRAME_COUNT - 1, source.size);
}

/** Budget check and insert as one transaction, so concurrent creates cannot overspend. */
function insertWithinBudget(s: VideoServices, job: NewVideoJob & { estimated_cost: number }) {
  try {
    s.db.transaction(() => {
      checkBudget(s.db, job.user_id, job.estimated_cost, s.now());
      s.db.insertVideoJob(job);
    });
  } catch (error) {
    if (job.reference_path) void removeQuietly(job.reference_path);
    throw error;
  }
}

/** Tells the owner about the new job and gives the upstream a moment to accept it. */
async function submitted(s: VideoServices, id: string): Promise<Video> {
  const row = s.db.videoById(id)!;
  s.events.publish(row.user_id, toVideo(row));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    s.jobs.runNow(id),
    new Promise((resolve) => timer = setTimeout(resolve, SUBMIT_WAIT_MS)),
  ]);
  clearTimeout(timer);
  return toVideo(s.db.videoById(id) ?? row);
}

async function storeReference(s: VideoServices, id: string, image: ReferenceImage) {
  if (image.bytes.length > MAX_REFERENCE_BYTES) {
    throw new AppError(413, "too_large", "The reference image must be at most 20 MB.", {
      input_reference: "At most 20 MB.",
    });
  }
  const type = sniffImageType(image.bytes);
  if (!type) {
    throw new AppError(
      415,
      "unsupported_type",
      "The reference image must be a JPEG, PNG or WebP.",
      {
        input_reference: "Use a JPEG, PNG or WebP image.",
      },
    );
  }
  await mkdir(uploadsDir(s.dataDir), { recursive: true });
  const path = join(uploadsDir(s.dataDir), `${id}.${IMAGE_EXTENSIONS[type]}`);
  await writeBytesAtomically(path, image.bytes);
  return { path, type };
}

export async function deleteVideo(s: VideoServices, userId: number, id: string): Promise<void> {
  const row = ownVideo(s, userId, id);
  s.db.deleteVideo(row.id, userId);
  await removeQuietly(videoDir(s.dataDir, row.id));
  if (row.reference_path) await removeQuietly(row.reference_path);
  const provider = s.providers.forJob(row);
  if (row.upstream_id && provider) {
    // Best effort: the video is gone here whatever the upstream says.
    await provider.provider.upstream.delete(row.upstream_id).catch(() => {});
  }
}

export interface VideoPage {
  data: Video[];
  next_cursor: string | null;
}

export function listVideos(s: VideoServices, userId: number, query: LibraryQueryInput): VideoPage {
  const before = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (before === null) throw invalid({ cursor: "This cursor is not one the server gave out." });
  const rows = s.db.library({
    userId,
    limit: query.limit + 1,
    status: query.status,
    model: query.model,
    q: query.q,
    before,
  });
  const page = rows.slice(0, query.limit);
  const more = rows.length > query.limit;
  return {
    data: page.map(toVideo),
    next_cursor: more ? encodeCursor(page[page.length - 1]) : null,
  };
}

/**
 * A new video with the same prompt, model, size, length and negative prompt (not the reference
 * image: it is not kept once it has been sent). Validated again: the model may be gone since.
 */
export function rerunVideo(s: VideoServices, userId: number, id: string): Promise<Video> {
  const source = ownVideo(s, userId, id);
  const parsed = createVideoSchema.safeParse({
    prompt: source.prompt,
    model: source.model,
    size: source.size,
    seconds: source.seconds,
    ...(source.negative_prompt ? { negative_prompt: source.negative_prompt } : {}),
  });
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw invalid(fields, Object.values(fields)[0]);
  }
  return createVideo(s, userId, parsed.data);
}

export interface VideoDetail {
  video: Video;
  cost: number;
  source: Video | null;
  /** How it came from its source (`remixed_from`); null for a video made from a prompt. */
  derivation: Derivation | null;
  /** The videos made from this one, each with how. */
  derived: { video: Video; derivation: Derivation }[];
  /** Why the last attempt failed while the job waits to try again (null when all is well). */
  retryReason: string | null;
  /** Whether a last frame can be had (a spritesheet, or ffmpeg for the MP4) once it is finished. */
  canContinue: boolean;
  /** Whether the provider still has the video, so remix, extend and edit can work on it. */
  keptUpstream: boolean;
}

export async function videoDetail(
  s: VideoServices,
  userId: number,
  id: string,
): Promise<VideoDetail> {
  const row = ownVideo(s, userId, id);
  const hasStoryboard = findModel(row.model)?.variants.includes("spritesheet") ?? true;
  const source = row.remixed_from ? s.db.videoOfUser(row.remixed_from, userId) : undefined;
  return {
    video: toVideo(row),
    cost: row.status === "failed"
      ? 0
      : row.estimated_cost || estimateCost(row.model, row.size, row.seconds),
    source: source ? toVideo(source) : null,
    derivation: row.derivation ?? (row.remixed_from ? "remix" : null),
    derived: s.db.madeFrom(row.id, userId).map((r) => ({
      video: toVideo(r),
      derivation: r.derivation ?? "remix",
    })),
    retryReason: row.retry_reason,
    canContinue: hasStoryboard || (!!s.ffmpeg && await canRunFfmpeg(s.ffmpeg)),
    keptUpstream: keptUpstream(s, row),
  };
}

export interface ContentFile {
  path: string;
  size: number;
  contentType: string;
  etag: string;
  fileName: string;
}

/** The stored file of a finished video; 409 while it is not there yet. */
export async function contentFile(
  s: VideoServices,
  userId: number,
  id: string,
  variant: ContentVariant,
): Promise<ContentFile> {
  const row = ownVideo(s, userId, id);
  if (row.status !== "completed") {
    throw conflict("The video is not ready yet.");
  }
  const path = mediaPath(s.dataDir, row.id, variant);
  const size = await fileSize(path);
  if (size === null) throw notFound(`The ${variant} of this video`);
  const extension = path.slice(path.lastIndexOf("."));
  return {
    path,
    size,
    contentType: CONTENT_TYPES[variant],
    // Files never change once renamed into place, so id, variant and size identify the bytes.
    etag: `"${row.id}-${variant}-${size}"`,
    fileName: `${row.id}${variant === "video" ? "" : "-" + variant}${extension}`,
  };
}

/** Videos changed since a stream last saw them; on a first connect, the unfinished ones. */
export function videosToReplay(s: VideoServices, userId: number, since: number | null): Video[] {
  const rows = since === null
    ? s.db.unfinishedVideosOf(userId)
    : s.db.videosUpdatedSince(userId, since);
  return rows.map(toVideo);
}
