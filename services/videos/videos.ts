import type { Database, NewVideoJob, VideoRow } from "../stores/database.ts";
import { AppError, conflict, invalid, notFound } from "../errors.ts";
import type { VideoEvents } from "../live/events.ts";
import { IMAGE_EXTENSIONS, MAX_REFERENCE_BYTES, sniffImageType } from "../media/images.ts";
import type { JobRunner } from "./jobs.ts";
import { CONTENT_TYPES, makePrivateDir } from "../stores/media/files.ts";
import { mediaKey, type MediaStore, uploadKey, videoPrefix } from "../stores/media/media_store.ts";
import { scratchDir } from "../stores/open_media.ts";
import { priceOf } from "../models/catalog.ts";
import { cutFrame, FRAME_COUNT } from "../media/frames.ts";
import { errorFields, type Logger, silentLogger } from "../app/log.ts";
import { lastFrameOfVideo } from "../media/video_frames.ts";
import { frameAt } from "../media/media_make.ts";
import { audioOf, remakeOf, type VideoFacts } from "./video_facts.ts";
import { checkBudget } from "./spend.ts";
import { checkInFlight, takeCreate, type UserLimits } from "./user_limits.ts";
import type { ProviderSet } from "../providers/registry.ts";
import type { ContentVariant, Derivation, ModelInfo, Video, VideoAction } from "../types.ts";
import type { Upstream } from "../providers/upstream.ts";
import {
  type CreateVideoFields,
  createVideoSchema,
  fieldErrors,
  type LibraryQueryInput,
  resolveCreate,
} from "./video_input.ts";
import { decodeCursor, encodeCursor, toVideo } from "./video_view.ts";
import { type DownloadName, downloadName } from "./download_name.ts";

/** What the video functions work with; built once in main.ts. */
export interface VideoServices {
  db: Database;
  /** Where videos, thumbnails, storyboards and reference images are kept. */
  media: MediaStore;
  events: VideoEvents;
  jobs: JobRunner;
  /** All providers as one, for naming and readiness checks only (`ProviderSet.upstream`). */
  upstream: Upstream;
  /** The configured providers: which models are offered, and whose upstream makes a video. */
  providers: ProviderSet;
  /** DATA_DIR: scratch files (a frame being cut) are made inside it. */
  dataDir: string;
  /** The ffmpeg program, for a video's last frame; without it, frames come from spritesheets. */
  ffmpeg?: string;
  /** What the catalog and this server say of each video: its cost and what can be done with it. */
  facts: VideoFacts;
  /** Per-user limits on starting jobs (in flight, per minute), checked here for every transport. */
  limits: UserLimits;
  now: () => number;
  log?: Logger;
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

async function ownVideo(s: VideoServices, userId: number, id: string): Promise<VideoRow> {
  const row = await s.db.videoOfUser(id, userId);
  if (!row) throw notFound();
  return row;
}

export async function getVideo(s: VideoServices, userId: number, id: string): Promise<Video> {
  return toVideo(await ownVideo(s, userId, id), s.facts);
}

export async function createVideo(
  s: VideoServices,
  userId: number,
  fields: CreateVideoFields,
  reference?: ReferenceImage,
  /** The video this one continues from its last frame, kept as its lineage. */
  continues: string | null = null,
): Promise<Video> {
  const { catalog } = s.providers;
  const resolved = resolveCreate(
    fields,
    catalog.offered,
    s.providers.defaultModel,
    !!reference,
    (id) => catalog.describe(id),
  );
  if ("fields" in resolved) throw invalid(resolved.fields, Object.values(resolved.fields)[0]);
  const { model, size, seconds, audio } = resolved;
  const id = newVideoId();
  const cost = priceOf(model, { size, seconds, audio });
  // Refused for the limits and budget before the image is even stored; both are checked again
  // as it is inserted. The rate is counted after the quick refusals, which do not use it up.
  await checkInFlight(s.db, s.limits, userId);
  await checkBudget(s.db, userId, cost, s.now());
  await takeCreate(s.limits, userId, s.now());
  const stored = reference ? await storeReference(s, id, reference) : undefined;
  await insertWithinBudget(s, {
    estimated_cost: cost,
    id,
    user_id: userId,
    prompt: fields.prompt,
    model: model.id,
    size,
    seconds,
    provider: model.provider,
    negative_prompt: resolved.negative_prompt ?? null,
    audio: audio === undefined ? null : audio ? 1 : 0,
    remixed_from: continues,
    derivation: continues ? "continue" : null,
    source_upstream_id: null,
    reference_key: stored?.key ?? null,
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

/**
 * A new video made by the source's provider from the finished source (remix, extend, edit), with
 * the source as its lineage. Refused with 409 and the reason when it cannot be done now (the
 * same reason the video's `actions` give), and for the budget before anything is sent.
 */
async function deriveVideo(
  s: VideoServices,
  userId: number,
  sourceId: string,
  action: VideoAction,
  request: { prompt: string; seconds?: string },
): Promise<Video> {
  const source = await ownVideo(s, userId, sourceId);
  const refused = s.facts.refusal(source, action);
  if (refused) throw refused;
  const model = s.facts.model(source)!;
  const added = action === "extend" ? extensionSeconds(model, request.seconds) : null;
  await checkInFlight(s.db, s.limits, userId);
  await takeCreate(s.limits, userId, s.now());
  const id = newVideoId();
  const audio = audioOf(source);
  await insertWithinBudget(s, {
    // What is made (and paid for) is the new segment of an extension, the whole video otherwise.
    estimated_cost: priceOf(model, { size: source.size, seconds: added ?? source.seconds, audio }),
    id,
    user_id: userId,
    prompt: request.prompt,
    model: source.model,
    size: source.size,
    seconds: added ? String(Number(source.seconds) + Number(added)) : source.seconds,
    provider: s.providers.forJob(source)!.provider.id,
    negative_prompt: null,
    audio: source.audio,
    remixed_from: source.id,
    source_upstream_id: source.upstream_id,
    derivation: action,
    extension_seconds: added,
    reference_key: null,
    reference_type: null,
    idempotency_key: crypto.randomUUID(),
    created_at: s.now(),
  });
  const video = await submitted(s, id);
  if (video.error?.code === "not_offered") {
    // The endpoint has no such action (a gateway's 404/405): nothing was made, so nothing is
    // kept; the action is marked unavailable and the person is told why.
    await s.db.deleteVideo(id, userId);
    throw new AppError(409, `${action}_not_supported`, video.error.message);
  }
  return video;
}

/** The new segment's length, checked against what the model extends (400 with the choices). */
function extensionSeconds(model: ModelInfo, seconds?: string): string {
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
  const source = await ownVideo(s, userId, sourceId);
  const refused = s.facts.refusal(source, "continue");
  if (refused) throw refused;
  // Before the frame is taken: refused now rather than after the work (createVideo counts it).
  await checkInFlight(s.db, s.limits, userId);
  const lastFrame = await lastFrameOf(s, userId, source);
  return await createVideo(
    s,
    userId,
    {
      prompt,
      model: source.model,
      size: source.size,
      seconds: source.seconds,
      audio: audioOf(source),
    },
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
  const frame = s.ffmpeg
    ? await withLocalCopy(s, video.key, async (path) => {
      await makePrivateDir(scratchDir(s.dataDir));
      return await lastFrameOfVideo(s.ffmpeg!, path, source.size, scratchDir(s.dataDir));
    })
    : undefined;
  if (frame) return frame;
  if (source.spritesheet_bytes === null) {
    throw new AppError(
      409,
      "continue_not_supported",
      "This video has no storyboard, and ffmpeg could not take its last frame.",
    );
  }
  const sheet = await contentFile(s, userId, source.id, "spritesheet");
  return cutFrame(await sheetBytes(s, sheet.key), FRAME_COUNT - 1, source.size);
}

/** Runs `work` on a file on this machine holding the object (a scratch copy from a bucket). */
async function withLocalCopy<T>(
  s: VideoServices,
  key: string,
  work: (path: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  const copy = await s.media.localCopy(key);
  if (!copy) return undefined;
  try {
    return await work(copy.path);
  } finally {
    await copy.release();
  }
}

async function sheetBytes(s: VideoServices, key: string): Promise<Uint8Array> {
  const bytes = await s.media.readBytes(key);
  if (!bytes) throw notFound("The spritesheet of this video");
  return bytes;
}

/**
 * Limit and budget checks and the insert as one transaction, so concurrent creates can neither
 * overspend nor pass the in-flight limit together.
 */
async function insertWithinBudget(
  s: VideoServices,
  job: NewVideoJob & { estimated_cost: number },
) {
  try {
    await s.db.transaction(async (tx) => {
      await tx.serializeCreates();
      await checkInFlight(tx, s.limits, job.user_id);
      await checkBudget(tx, job.user_id, job.estimated_cost, s.now());
      await tx.insertVideoJob(job);
    });
  } catch (error) {
    if (job.reference_key) await s.media.delete(job.reference_key).catch(() => {});
    throw error;
  }
}

/** Tells the owner about the new job and gives the upstream a moment to accept it. */
async function submitted(s: VideoServices, id: string): Promise<Video> {
  const row = (await s.db.videoById(id))!;
  s.events.publish(row.user_id, toVideo(row, s.facts));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    s.jobs.runNow(id),
    new Promise((resolve) => timer = setTimeout(resolve, SUBMIT_WAIT_MS)),
  ]);
  clearTimeout(timer);
  return toVideo(await s.db.videoById(id) ?? row, s.facts);
}

async function storeReference(s: VideoServices, id: string, image: ReferenceImage) {
  if (image.bytes.length > MAX_REFERENCE_BYTES) {
    throw new AppError(413, "payload_too_large", "The reference image must be at most 20 MB.", {
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
  const key = uploadKey(id, IMAGE_EXTENSIONS[type]);
  await s.media.putBytes(key, image.bytes, type);
  return { key, type };
}

export async function deleteVideo(s: VideoServices, userId: number, id: string): Promise<void> {
  const row = await ownVideo(s, userId, id);
  await s.db.deleteVideo(row.id, userId);
  await s.media.deletePrefix(videoPrefix(row.id));
  if (row.reference_key) await s.media.delete(row.reference_key);
  const provider = s.providers.forJob(row);
  if (row.upstream_id && provider) {
    // The video is gone here whatever the upstream says; what it kept is recorded for admins.
    await provider.provider.upstream.delete(row.upstream_id).catch(async (error) => {
      const reason = (error as Error)?.message ?? String(error);
      (s.log ?? silentLogger).warn("upstream delete failed; the copy is kept upstream", {
        video: row.id,
        upstream: row.upstream_id,
        provider: provider.provider.id,
        ...errorFields(error),
      });
      await s.db.addLeftover({
        video_id: row.id,
        provider: provider.provider.id,
        model: row.model,
        upstream_id: row.upstream_id!,
        reason,
        at: s.now(),
      });
    });
  }
}

export interface VideoPage {
  data: Video[];
  next_cursor: string | null;
}

export async function listVideos(
  s: VideoServices,
  userId: number,
  query: LibraryQueryInput,
): Promise<VideoPage> {
  const before = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (before === null) throw invalid({ cursor: "This cursor is not one the server gave out." });
  if (query.model && !s.providers.catalog.describe(query.model)) {
    const offered = s.providers.models.map((m) => m.id).join(", ");
    throw invalid({ model: `No video was made with ${query.model}. Use one of ${offered}.` });
  }
  const rows = await s.db.library({
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
    data: page.map((row) => toVideo(row, s.facts)),
    next_cursor: more ? encodeCursor(page[page.length - 1]) : null,
  };
}

/**
 * A new video with the same prompt, model, size, length and negative prompt (not the reference
 * image). Validated again: the model may be gone since.
 * `successor` makes it again with the model that replaced a retired one instead.
 */
export async function rerunVideo(
  s: VideoServices,
  userId: number,
  id: string,
  successor = false,
): Promise<Video> {
  const source = await ownVideo(s, userId, id);
  const remake = successor ? remakeOf(s.facts, source) : null;
  if (successor && !remake) {
    throw conflict("This video's model has no successor on this server to make it again with.");
  }
  const parsed = createVideoSchema.safeParse({
    prompt: source.prompt,
    model: remake?.model ?? source.model,
    size: remake?.size ?? source.size,
    seconds: remake?.seconds ?? source.seconds,
    ...(source.negative_prompt ? { negative_prompt: source.negative_prompt } : {}),
    ...(source.audio === null ? {} : { audio: source.audio === 1 }),
  });
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw invalid(fields, Object.values(fields)[0]);
  }
  return await createVideo(s, userId, parsed.data);
}

export interface VideoDetail {
  /** With its cost and what can be made from it (`actions`, each with a reason when not). */
  video: Video;
  source: Video | null;
  /** How it came from its source (`remixed_from`); null for a video made from a prompt. */
  derivation: Derivation | null;
  /** The videos made from this one, each with how. */
  derived: { video: Video; derivation: Derivation }[];
  /** Why the last attempt failed while the job waits to try again (null when all is well). */
  retryReason: string | null;
  /** The username of the person who made it. */
  madeBy: string;
}

export async function videoDetail(
  s: VideoServices,
  userId: number,
  id: string,
): Promise<VideoDetail> {
  const row = await ownVideo(s, userId, id);
  const source = row.remixed_from ? await s.db.videoOfUser(row.remixed_from, userId) : undefined;
  return {
    video: toVideo(row, s.facts),
    source: source ? toVideo(source, s.facts) : null,
    derivation: row.derivation ?? (row.remixed_from ? "remix" : null),
    derived: (await s.db.madeFrom(row.id, userId)).map((r) => ({
      video: toVideo(r, s.facts),
      derivation: r.derivation ?? "remix",
    })),
    retryReason: row.retry_reason,
    madeBy: (await s.db.userById(row.user_id))?.username ?? "",
  };
}

export interface ContentFile {
  /** Its media key (for tools that need a local copy). */
  key: string;
  /** Bytes `start`..`end` (inclusive), streamed from wherever the media is kept. */
  read(start: number, end: number): Promise<ReadableStream<Uint8Array> | null>;
  size: number;
  contentType: string;
  etag: string;
  /** What a download is saved as (`downloadName`). */
  fileName: DownloadName;
}

/** The stored file of a finished video; 409 while it is not there yet. */
export async function contentFile(
  s: VideoServices,
  userId: number,
  id: string,
  variant: ContentVariant,
): Promise<ContentFile> {
  const row = await ownVideo(s, userId, id);
  if (row.status !== "completed") {
    throw conflict("The video is not ready yet.");
  }
  const key = mediaKey(row.id, variant);
  const size = (await s.media.stat(key))?.size ?? null;
  if (size === null) throw notFound(`The ${variant} of this video`);
  const extension = key.slice(key.lastIndexOf("."));
  return {
    key,
    read: (start, end) => s.media.read(key, start, end),
    size,
    contentType: CONTENT_TYPES[variant],
    // Files never change once renamed into place, so id, variant and size identify the bytes.
    etag: `"${row.id}-${variant}-${size}"`,
    fileName: downloadName(row, `${DOWNLOAD_SUFFIXES[variant]}${extension}`),
  };
}

/** What follows the prompt's words in a downloaded file's name, before its extension. */
const DOWNLOAD_SUFFIXES: Record<ContentVariant, string> = {
  video: "",
  thumbnail: "-thumbnail",
  spritesheet: "-storyboard",
};

/**
 * The image a video was made from (uploaded, or a source's last frame), kept for the life of the
 * video; 404 when it was made without one, or before reference images were kept.
 */
export async function referenceFile(
  s: VideoServices,
  userId: number,
  id: string,
): Promise<ContentFile> {
  const row = await ownVideo(s, userId, id);
  const key = row.reference_key;
  const size = key ? (await s.media.stat(key))?.size ?? null : null;
  if (!key || size === null) throw notFound("The reference image of this video");
  const type = row.reference_type ?? "application/octet-stream";
  return {
    key,
    read: (start, end) => s.media.read(key, start, end),
    size,
    contentType: type,
    // Kept as uploaded and never rewritten, so the id and size identify the bytes.
    etag: `"${row.id}-reference-${size}"`,
    fileName: downloadName(row, `-reference${key.slice(key.lastIndexOf("."))}`),
  };
}

/**
 * One of `FRAME_COUNT` stills spread evenly from a finished video's start (0) to its end, as a
 * JPEG: from the MP4 through ffmpeg (at least 480 px wide, large enough to judge), else cut from
 * the storyboard. 409 when the video has neither.
 */
export async function videoFrame(
  s: VideoServices,
  userId: number,
  id: string,
  frame: number,
): Promise<{ jpeg: Uint8Array; at: number }> {
  const row = await ownVideo(s, userId, id);
  const video = await contentFile(s, userId, id, "video");
  const length = row.media_seconds ?? Number(row.seconds);
  const at = Math.round(length * frame / (FRAME_COUNT - 1) * 10) / 10;
  const still = s.facts.ffmpeg && s.ffmpeg
    ? await withLocalCopy(s, video.key, (path) => frameAt(s.ffmpeg!, path, at))
    : undefined;
  if (still) return { jpeg: still, at };
  if (row.spritesheet_bytes === null) {
    throw new AppError(
      409,
      "no_frames",
      "This video has no storyboard, and this server cannot run ffmpeg to take a frame from it. " +
        `Download the video itself from GET /api/videos/${id}/content.`,
    );
  }
  const sheet = await contentFile(s, userId, id, "spritesheet");
  return { jpeg: cutFrame(await sheetBytes(s, sheet.key), frame), at };
}

/** Videos changed since a stream last saw them; on a first connect, the unfinished ones. */
export async function videosToReplay(
  s: VideoServices,
  userId: number,
  since: number | null,
): Promise<Video[]> {
  const rows = since === null
    ? await s.db.unfinishedVideosOf(userId)
    : await s.db.videosUpdatedSince(userId, since);
  return rows.map((row) => toVideo(row, s.facts));
}
