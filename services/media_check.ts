import type { ContentVariant } from "./types.ts";

/**
 * Whether bytes are what a variant says they are, judged from the first few bytes only. A provider
 * that answers with an HTML error page, a JSON body or a truncated file must not be stored and
 * served as `video/mp4`, `image/webp` or `image/jpeg`.
 */

/** How many leading bytes `sniffVariant` needs to decide. */
export const SNIFF_BYTES = 12;

/** Reads `text` as ASCII at `offset` of `bytes`. */
function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * video: an ISO BMFF file (MP4) opens with its `ftyp` box, a 4-byte size of at least 8 and then
 * the type; thumbnail: a WebP is a RIFF container of form "WEBP"; spritesheet: a JPEG opens with
 * the SOI marker FF D8 and the next marker's FF.
 */
export function sniffVariant(head: Uint8Array, variant: ContentVariant): boolean {
  switch (variant) {
    case "video": {
      if (!hasAscii(head, 4, "ftyp")) return false;
      const size = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
      // 1 means a 64-bit size follows; an ftyp is never that big, but the form is valid.
      return size === 1 || size >= 8;
    }
    case "thumbnail":
      return hasAscii(head, 0, "RIFF") && hasAscii(head, 8, "WEBP");
    case "spritesheet":
      return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  }
}

/** `sniffVariant` on a file's first bytes; false when it is missing, unreadable or too short. */
export async function fileIsVariant(path: string, variant: ContentVariant): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    let filled = 0;
    // A read may return fewer bytes than asked, so read until the head is full or the file ends.
    while (filled < head.length) {
      const read = await file.read(head.subarray(filled));
      if (read === null) break;
      filled += read;
    }
    return sniffVariant(head.subarray(0, filled), variant);
  } catch {
    return false;
  } finally {
    file.close();
  }
}
