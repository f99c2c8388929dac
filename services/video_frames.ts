import { join } from "node:path";
import { removeQuietly } from "./media_store.ts";

/** ffmpeg gets this long to find one frame; a stuck one must not hold a request. */
const FFMPEG_TIMEOUT_MS = 30_000;

/**
 * Whether `ffmpeg` may be run here and is installed: run permission granted, and an executable
 * file at that path or on PATH. Looked up, not spawned, so it costs nothing at start; a broken
 * install shows as ffmpeg's own failure later (each use falls back when ffmpeg fails).
 */
export function ffmpegInstalled(ffmpeg: string): boolean {
  if (!allowed(ffmpeg)) return false;
  const candidates = ffmpeg.includes("/")
    ? [ffmpeg]
    : (Deno.env.get("PATH") ?? "").split(":").filter(Boolean).map((dir) => join(dir, ffmpeg));
  return candidates.some((path) => {
    try {
      const info = Deno.statSync(path);
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/** Asked, never prompted for, so a server started in a terminal does not stop to ask. */
function allowed(ffmpeg: string): boolean {
  return Deno.permissions.querySync({ name: "run", command: ffmpeg }).state === "granted";
}

/**
 * The very last frame of an MP4 as a JPEG of `size` ("WIDTHxHEIGHT"), taken by ffmpeg, or
 * undefined when ffmpeg is not installed, not allowed (`--allow-run=ffmpeg`) or cannot read it:
 * the caller then falls back to the spritesheet.
 */
export async function lastFrameOfVideo(
  ffmpeg: string,
  videoPath: string,
  size: string,
  scratchDir: string,
): Promise<Uint8Array | undefined> {
  if (!allowed(ffmpeg)) return undefined;
  const [width, height] = size.split("x");
  const out = join(scratchDir, `frame-${crypto.randomUUID()}.jpg`);
  try {
    // Decode only the last second; `-update 1` keeps overwriting one image, so the last frame
    // decoded is what remains.
    const { success } = await new Deno.Command(ffmpeg, {
      args: [
        ...["-hide_banner", "-loglevel", "error", "-nostdin", "-sseof", "-1", "-i", videoPath],
        ...["-vf", `scale=${width}:${height}`, "-q:v", "2", "-update", "1", "-y", out],
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(FFMPEG_TIMEOUT_MS),
    }).output();
    return success ? await Deno.readFile(out) : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  } finally {
    await removeQuietly(out);
  }
}
