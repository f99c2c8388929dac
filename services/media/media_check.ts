import type { ContentVariant } from "../types.ts";

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

/**
 * The pixel size written in a WebP's or JPEG's header, or undefined for anything else: enough to
 * check a thumbnail or spritesheet without decoding it.
 */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (sniffVariant(bytes, "thumbnail")) return webpSize(bytes);
  if (sniffVariant(bytes, "spritesheet")) return jpegSize(bytes);
  return undefined;
}

function webpSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 30) return undefined;
  // The first chunk is the image: lossy (VP8), lossless (VP8L) or extended (VP8X, canvas size).
  if (hasAscii(bytes, 12, "VP8 ")) {
    // After the chunk header and the 3-byte frame tag: start code 9D 01 2A, then 14-bit sizes.
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return undefined;
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (hasAscii(bytes, 12, "VP8L")) {
    if (bytes[20] !== 0x2f) return undefined;
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (hasAscii(bytes, 12, "VP8X")) {
    const width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    const height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    return { width, height };
  }
  return undefined;
}

function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    // Fill bytes, and markers that stand alone without a length.
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    // Start of frame (baseline, progressive, …), not DHT (C4), JPG (C8) or DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (offset + 9 > bytes.length) return undefined;
      const height = (bytes[offset + 5] << 8) | bytes[offset + 6];
      const width = (bytes[offset + 7] << 8) | bytes[offset + 8];
      return { width, height };
    }
    // The image data starts at SOS: a frame header after it is no longer looked for.
    if (marker === 0xda || length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}
