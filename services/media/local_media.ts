import { join } from "node:path";
import { FILE_NAMES, fileSize, removeQuietly } from "../stores/media/files.ts";
import { fileIsVariant } from "./media_check.ts";
import { makeSpritesheet, makeThumbnail } from "./media_make.ts";
import { probeVideo, type VideoProbe } from "./media_probe.ts";
import type { ContentVariant } from "../types.ts";

/** Where a variant's file is in a video's working folder. */
export function variantFile(dir: string, variant: ContentVariant): string {
  return join(dir, FILE_NAMES[variant]);
}

/** What a finished video's folder holds once checked and completed. */
export interface FinishedMedia {
  /** Bytes of each file there, by variant (the video always; the images when there). */
  bytes: Partial<Record<ContentVariant, number>>;
  /** The MP4 as it really is; undefined when it could not be read. */
  probe?: VideoProbe;
  /** Downloaded variants that were not what they must be, and were thrown away. */
  wrong: ContentVariant[];
}

/**
 * Checks every downloaded file's bytes against what its variant must be (a gateway may answer
 * any variant with the MP4), measures the video, and makes the thumbnail and spritesheet from
 * the MP4 with ffmpeg when the provider sent none. `ffmpeg` is undefined when it cannot run.
 */
export async function finishMedia(
  dir: string,
  downloaded: readonly ContentVariant[],
  ffmpeg: string | undefined,
): Promise<FinishedMedia> {
  const wrong: ContentVariant[] = [];
  for (const variant of downloaded) {
    const path = variantFile(dir, variant);
    if (variant !== "video" && !(await fileIsVariant(path, variant))) {
      wrong.push(variant);
      await removeQuietly(path);
    }
  }
  const video = variantFile(dir, "video");
  const probe = await probeVideo(ffmpeg ?? "ffmpeg", video);
  if (ffmpeg) {
    const thumbnail = variantFile(dir, "thumbnail");
    const sheet = variantFile(dir, "spritesheet");
    if (await fileSize(thumbnail) === null) {
      await makeThumbnail(ffmpeg, video, thumbnail, probe?.seconds);
    }
    if (await fileSize(sheet) === null) {
      await makeSpritesheet(ffmpeg, video, sheet, probe?.seconds);
    }
  }
  const bytes: Partial<Record<ContentVariant, number>> = {};
  for (const variant of ["video", "thumbnail", "spritesheet"] as const) {
    const size = await fileSize(variantFile(dir, variant));
    if (size !== null) bytes[variant] = size;
  }
  return { bytes, probe, wrong };
}
