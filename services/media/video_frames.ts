import { join } from "node:path";
import { removeQuietly } from "../stores/media/files.ts";

/** ffmpeg gets this long to find one frame; a stuck one must not hold a request. */
const FFMPEG_TIMEOUT_MS = 30_000;

/**
 * Whether `ffmpeg` may be run here and is installed: run permission granted, and an executable
 * file at that path or on PATH. Looked up, not spawned, so it costs nothing at start; a broken
 * install shows as ffmpeg's own failure later (each use falls back when ffmpeg fails).
 *
 * With reads limited to DATA_DIR (`--allow-read=DATA_DIR`) the folders on PATH cannot be looked
 * in; then ffmpeg is asked for its version once, which needs only `--allow-run`. No permission,
 * or no answer, means "no ffmpeg", never a crash.
 */
export function ffmpegInstalled(ffmpeg: string): boolean {
  if (!allowed(ffmpeg)) return false;
  const candidates = ffmpeg.includes("/") ? [ffmpeg] : pathDirs().map((dir) => join(dir, ffmpeg));
  let unreadable = candidates.length === 0;
  const found = candidates.some((path) => {
    try {
      const info = Deno.statSync(path);
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) unreadable = true;
      return false;
    }
  });
  return found || (unreadable && answersVersion(ffmpeg));
}

/** The folders on PATH, or none when the environment may not be read. */
function pathDirs(): string[] {
  try {
    return (Deno.env.get("PATH") ?? "").split(":").filter(Boolean);
  } catch {
    return [];
  }
}

/** `ffmpeg -version` exits 0: the one way to find it without read access to where it is. */
function answersVersion(ffmpeg: string): boolean {
  try {
    const args = ["-hide_banner", "-version"];
    return new Deno.Command(ffmpeg, { args, stdin: "null", stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Asked, never prompted for, so a server started in a terminal does not stop to ask. */
function allowed(ffmpeg: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: ffmpeg }).state === "granted";
  } catch {
    return false;
  }
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
    // Made empty and private first: ffmpeg would create it 0644, and `-y` keeps the mode it finds.
    await Deno.writeFile(out, new Uint8Array(), { createNew: true, mode: 0o600 });
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
