import { join } from "node:path";
import type { ContentVariant } from "../../types.ts";

/** Where a video's files live under DATA_DIR, and how they are written so none is ever half there. */

export const CONTENT_TYPES: Record<ContentVariant, string> = {
  video: "video/mp4",
  thumbnail: "image/webp",
  spritesheet: "image/jpeg",
};

export const FILE_NAMES: Record<ContentVariant, string> = {
  video: "video.mp4",
  thumbnail: "thumbnail.webp",
  spritesheet: "spritesheet.jpg",
};

export function videoDir(dataDir: string, videoId: string): string {
  return join(dataDir, "media", videoId);
}

export function mediaPath(dataDir: string, videoId: string, variant: ContentVariant): string {
  return join(videoDir(dataDir, videoId), FILE_NAMES[variant]);
}

export function uploadsDir(dataDir: string): string {
  return join(dataDir, "uploads");
}

/**
 * Everything the app keeps is private to the user it runs as: folders 0700, files 0600. Modes are
 * given when a file or folder is made (never chmod'ed after), so nothing is readable by others
 * even for a moment, whatever the process's umask.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Makes `path` and any missing parents 0700; an existing folder keeps its mode. */
export async function makePrivateDir(path: string): Promise<void> {
  await Deno.mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

export class IncompleteDownload extends Error {}

/**
 * Streams `body` to `path` through a temporary file, flushed to disk and renamed into place, so a
 * crash leaves either the whole file or none. With `expectedBytes`, a short body is refused.
 */
export async function writeStreamAtomically(
  path: string,
  body: ReadableStream<Uint8Array>,
  expectedBytes?: number,
): Promise<number> {
  const temp = `${path}.part`;
  let written = 0;
  const file = await Deno.open(temp, {
    write: true,
    create: true,
    truncate: true,
    mode: PRIVATE_FILE_MODE,
  });
  try {
    for await (const chunk of body) {
      let offset = 0;
      while (offset < chunk.length) offset += await file.write(chunk.subarray(offset));
      written += chunk.length;
    }
    if (expectedBytes !== undefined && written !== expectedBytes) {
      throw new IncompleteDownload(`received ${written} of ${expectedBytes} bytes`);
    }
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  file.close();
  await Deno.rename(temp, path);
  return written;
}

export async function writeBytesAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await writeStreamAtomically(path, ReadableStream.from([bytes]), bytes.length);
}

export async function fileSize(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

export async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Bytes `start`..`end` (inclusive) of a file as a stream, read in chunks, never whole. */
export async function readRange(
  path: string,
  start: number,
  end: number,
): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  await file.seek(start, Deno.SeekMode.Start);
  // To the end of the file (a whole download, or a player's `bytes=N-`): the runtime's own file
  // stream sends it without a JavaScript buffer per chunk.
  const size = (await file.stat()).size;
  if (end === size - 1) return file.readable;
  let remaining = end - start + 1;
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  const chunkSize = 64 * 1024;
  return new ReadableStream<Uint8Array>({
    type: "bytes",
    async pull(controller) {
      const buffer = new Uint8Array(Math.min(chunkSize, remaining));
      const read = remaining > 0 ? await file.read(buffer) : null;
      if (read === null || read === 0) {
        close();
        controller.close();
        return;
      }
      remaining -= read;
      controller.enqueue(buffer.subarray(0, read));
      if (remaining <= 0) {
        close();
        controller.close();
      }
    },
    cancel: close,
  });
}
