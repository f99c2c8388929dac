import { basename, dirname, join } from "node:path";

/**
 * Running ffmpeg or ffprobe for media the app makes itself: only when already allowed (asked,
 * never prompted for, so a server started in a terminal does not stop to ask), with a hard
 * timeout, and never throwing: a missing program, a refused permission, a failed or stuck run
 * all come back as undefined, because every caller has a way on without the result.
 */

/** How long one run may take before it is killed: a stuck ffmpeg must not hold a job. */
export const TOOL_TIMEOUT_MS = 30_000;

/** Whether `program` may be run without a permission prompt. */
export function mayRun(program: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: program }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * ffprobe beside the configured ffmpeg: same directory, "ffmpeg" in the name swapped for
 * "ffprobe" ("ffmpeg" → "ffprobe", "/opt/ff/bin/ffmpeg.exe" → "/opt/ff/bin/ffprobe.exe").
 */
export function ffprobePathFor(ffmpeg: string): string {
  const name = basename(ffmpeg);
  const at = name.toLowerCase().lastIndexOf("ffmpeg");
  const probe = at >= 0
    ? `${name.slice(0, at)}ffprobe${name.slice(at + "ffmpeg".length)}`
    : "ffprobe";
  // A bare name stays bare, so it is still looked up on PATH (and matches --allow-run=ffprobe).
  return ffmpeg === name ? probe : join(dirname(ffmpeg), probe);
}

/**
 * Runs `program` with `args` and returns what it wrote to stdout when it exits with 0, or
 * undefined when it may not run, is not there, fails, or is still running after `timeoutMs`
 * (then it is killed outright).
 */
export async function runTool(
  program: string,
  args: string[],
  timeoutMs = TOOL_TIMEOUT_MS,
): Promise<Uint8Array | undefined> {
  if (!mayRun(program)) return undefined;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, { args, stdin: "null", stdout: "piped", stderr: "null" })
      .spawn();
  } catch {
    return undefined;
  }
  // SIGKILL, not SIGTERM: ffmpeg stuck on a bad input may not get round to a graceful exit.
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  try {
    const { success, stdout } = await child.output();
    return success ? stdout : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Arguments every ffmpeg run here starts with: quiet, never reading the terminal. */
export const FFMPEG_QUIET = ["-hide_banner", "-loglevel", "error", "-nostdin"] as const;
