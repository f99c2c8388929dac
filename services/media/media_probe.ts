import { ffprobePathFor, runTool } from "./ffmpeg_run.ts";
import { readMp4 } from "./mp4_boxes.ts";

/** What a downloaded video really is, whatever the provider said it would be. */
export interface VideoProbe {
  /** Displayed size in pixels. */
  width: number;
  height: number;
  /** Length in seconds. */
  seconds: number;
  /** Size of the file in bytes. */
  bytes: number;
}

async function fileBytes(file: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(file)).size;
  } catch {
    return undefined;
  }
}

/**
 * The real size, length and byte count of a video file. MP4s are read in TypeScript from their
 * boxes, which needs no permission to run anything; other containers, or MP4s whose boxes do
 * not say, go to ffprobe beside `ffmpeg` when it may run. Undefined when neither can tell, and
 * for an MP4 that is cut short or has no moov.
 */
export async function probeVideo(ffmpeg: string, file: string): Promise<VideoProbe | undefined> {
  const bytes = await fileBytes(file);
  if (bytes === undefined) return undefined;
  const reading = await readMp4(file);
  if (reading.kind === "mp4") return { ...reading.info, bytes };
  // ffprobe would make what it can of a cut-short MP4; a download like that is no video.
  if (reading.kind === "broken") return undefined;
  return await ffprobeVideo(ffprobePathFor(ffmpeg), file);
}

interface FfprobeOutput {
  streams?: {
    codec_type?: string;
    width?: number;
    height?: number;
    duration?: string;
    side_data_list?: { rotation?: number }[];
  }[];
  format?: { duration?: string; size?: string };
}

/**
 * The same from ffprobe's JSON (`-show_streams -show_format`): `ffprobe` is the program itself,
 * which needs --allow-run for it. Undefined when it may not or cannot run, or finds no video.
 */
export async function ffprobeVideo(ffprobe: string, file: string): Promise<VideoProbe | undefined> {
  const args = ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", file];
  const stdout = await runTool(ffprobe, args);
  if (!stdout) return undefined;
  let output: FfprobeOutput;
  try {
    output = JSON.parse(new TextDecoder().decode(stdout));
  } catch {
    return undefined;
  }
  const video = output.streams?.find((stream) => stream.codec_type === "video");
  if (!video?.width || !video.height) return undefined;
  const seconds = Number(output.format?.duration ?? video.duration);
  if (!(seconds > 0)) return undefined;
  const bytes = Number(output.format?.size) || await fileBytes(file);
  if (bytes === undefined) return undefined;
  // A phone's portrait video is often stored landscape with a display matrix turning it upright.
  const rotation = video.side_data_list?.find((data) => data.rotation !== undefined)?.rotation ?? 0;
  const sideways = Math.abs(rotation) % 180 === 90;
  return {
    width: sideways ? video.height : video.width,
    height: sideways ? video.width : video.height,
    seconds,
    bytes,
  };
}
