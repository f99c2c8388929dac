import { dirname } from "node:path";
import { FRAME_COUNT, SPRITESHEET_GRID } from "./frames.ts";
import { FFMPEG_QUIET, runTool } from "./ffmpeg_run.ts";
import { sniffVariant } from "./media_check.ts";
import { removeQuietly, writeBytesAtomically } from "../stores/media/files.ts";
import { readMp4 } from "./mp4_boxes.ts";

/**
 * The thumbnail, spritesheet and single frames the app makes itself from a downloaded MP4, for
 * providers that send only the video. ffmpeg writes to stdout; the bytes are checked to be what
 * they should be and only then written, atomically, so a failed run leaves no file behind.
 * Nothing here throws for a bad video or a missing ffmpeg: the answer is false or undefined.
 */

/** Thumbnails are at most this wide (never enlarged), keeping the video's aspect. */
export const THUMBNAIL_MAX_WIDTH = 640;

/**
 * Each spritesheet tile fits in a square of this side, keeping the video's aspect (256x144 for
 * 16:9, 144x256 for 9:16), never enlarged. The scrub preview and cutFrame derive tile sizes from
 * the sheet's own size divided by the grid, so any aspect works.
 */
export const SPRITESHEET_TILE_MAX = 256;

/** Where the thumbnail's frame is taken: ~1 s in, or the middle of a clip shorter than 2 s. */
export function thumbnailTime(seconds: number | undefined): number {
  if (seconds === undefined || !(seconds > 0)) return 1;
  return Math.min(1, seconds / 2);
}

/** ffmpeg's `-ss` for a time in seconds, without exponent notation. */
function at(seconds: number): string {
  return Math.max(0, seconds).toFixed(3);
}

/**
 * The video's length: `given` when it is one, else read from the MP4 (undefined for another
 * container); false when the file is missing or a cut-short MP4, which ffmpeg need not try.
 */
async function lengthOf(
  videoFile: string,
  given?: number,
): Promise<number | undefined | false> {
  const reading = await readMp4(videoFile);
  if (reading.kind === "broken") return false;
  if (given !== undefined && given > 0 && Number.isFinite(given)) return given;
  return reading.kind === "mp4" ? reading.info.seconds : undefined;
}

async function writeChecked(
  bytes: Uint8Array | undefined,
  variant: "thumbnail" | "spritesheet",
  outFile: string,
): Promise<boolean> {
  if (!bytes || !sniffVariant(bytes, variant)) return false;
  await writeBytesAtomically(outFile, bytes);
  return true;
}

/**
 * A WebP of one frame (see `thumbnailTime`) at most THUMBNAIL_MAX_WIDTH wide, written to
 * `outFile`. `seconds` is the video's length when known; otherwise it is read from the MP4.
 * Filesystem errors writing `outFile` are thrown; anything about the video or ffmpeg is false.
 */
export async function makeThumbnail(
  ffmpeg: string,
  videoFile: string,
  outFile: string,
  seconds?: number,
): Promise<boolean> {
  const length = await lengthOf(videoFile, seconds);
  if (length === false) return false;
  const start = thumbnailTime(length);
  const grab = (from: number) =>
    runTool(ffmpeg, [
      ...FFMPEG_QUIET,
      ...["-ss", at(from), "-i", videoFile, "-frames:v", "1", "-an"],
      ...["-vf", `scale=w='min(${THUMBNAIL_MAX_WIDTH},iw)':h=-2`],
      ...["-c:v", "libwebp", "-quality", "75", "-map_metadata", "-1", "-f", "webp", "pipe:1"],
    ]);
  let bytes = await grab(start);
  // A guessed time past the end gives no frame (ffmpeg still succeeds): take the first one.
  if ((!bytes || bytes.length === 0) && start > 0) bytes = await grab(0);
  return await writeChecked(bytes, "thumbnail", outFile);
}

/**
 * The ffmpeg filter that makes a spritesheet: FRAME_COUNT frames evenly from the first (0 s) to
 * the last (`seconds`), each scaled into SPRITESHEET_TILE_MAX, tiled left to right then top to
 * bottom. The clip is padded with copies of its last frame so the final tile is the last frame
 * even when `seconds` is a little long. make_fixtures.sh uses the same filter.
 */
export function spritesheetFilter(seconds: number): string {
  const { columns, rows } = SPRITESHEET_GRID;
  const box = SPRITESHEET_TILE_MAX;
  return [
    "tpad=stop_mode=clone:stop_duration=1",
    `fps=${FRAME_COUNT - 1}/${seconds.toFixed(6)}:round=up`,
    `scale=w='min(${box},iw)':h='min(${box},ih)':force_original_aspect_ratio=decrease` +
    ":force_divisible_by=2",
    `tile=${columns}x${rows}`,
  ].join(",");
}

/**
 * A JPEG grid of FRAME_COUNT frames (SPRITESHEET_GRID columns × rows, see `spritesheetFilter`)
 * written to `outFile`. `seconds` is the video's length; when missing it is read from the MP4.
 * Filesystem errors writing `outFile` are thrown; anything about the video or ffmpeg is false.
 */
export async function makeSpritesheet(
  ffmpeg: string,
  videoFile: string,
  outFile: string,
  seconds?: number,
): Promise<boolean> {
  const length = await lengthOf(videoFile, seconds);
  if (!length) return false;
  const bytes = await runTool(ffmpeg, [
    ...FFMPEG_QUIET,
    ...["-i", videoFile, "-an", "-vf", spritesheetFilter(length), "-frames:v", "1"],
    ...["-c:v", "mjpeg", "-q:v", "5", "-map_metadata", "-1", "-f", "image2pipe", "pipe:1"],
  ]);
  return await writeChecked(bytes, "spritesheet", outFile);
}

/** The scale filter for a frame at least `minWidth` wide: enlarged if need be, aspect kept. */
function atLeast(minWidth: number): string {
  return `scale=w='max(${Math.max(2, Math.round(minWidth))},iw)':h=-2`;
}

/**
 * The frame at `seconds` into the video as a JPEG at least `minWidth` pixels wide (a small video
 * is enlarged), e.g. for MCP get_frame; a time at or past the end gives the last frame.
 * Undefined when ffmpeg cannot run or read the file.
 */
export async function frameAt(
  ffmpeg: string,
  videoFile: string,
  seconds: number,
  minWidth = 480,
): Promise<Uint8Array | undefined> {
  const length = await lengthOf(videoFile);
  if (length === false) return undefined;
  const time = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
  if (length === undefined || time < length) {
    const bytes = await runTool(ffmpeg, [
      ...FFMPEG_QUIET,
      ...["-ss", at(time), "-i", videoFile, "-frames:v", "1", "-an", "-vf", atLeast(minWidth)],
      ...["-c:v", "mjpeg", "-q:v", "3", "-map_metadata", "-1", "-f", "image2pipe", "pipe:1"],
    ]);
    if (bytes && sniffVariant(bytes, "spritesheet")) return bytes;
  }
  return await lastFrame(ffmpeg, videoFile, minWidth);
}

/**
 * The last frame: decode only the final second and let `-update 1` overwrite one image, so the
 * last frame decoded is what remains. That needs a real file, not a pipe.
 */
async function lastFrame(
  ffmpeg: string,
  videoFile: string,
  minWidth: number,
): Promise<Uint8Array | undefined> {
  let out: string;
  try {
    // Beside the video, inside DATA_DIR (not /tmp), so reads and writes limited to DATA_DIR
    // suffice; a temp file is made 0600.
    out = await Deno.makeTempFile({ dir: dirname(videoFile), prefix: "frame-", suffix: ".jpg" });
  } catch {
    return undefined;
  }
  try {
    const done = await runTool(ffmpeg, [
      ...FFMPEG_QUIET,
      ...["-sseof", "-1", "-i", videoFile, "-an", "-vf", atLeast(minWidth), "-q:v", "3"],
      ...["-update", "1", "-y", out],
    ]);
    if (!done) return undefined;
    const bytes = await Deno.readFile(out);
    return sniffVariant(bytes, "spritesheet") ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    await removeQuietly(out).catch(() => {});
  }
}
