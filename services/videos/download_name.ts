/**
 * The readable name a downloaded file of a video gets: the day it was made and the first words of
 * its prompt (`2026-03-01-a-fox-running-through-snow.mp4`), instead of an id nobody recognises.
 * The one place such names are made, for every file of a video (MP4, thumbnail, storyboard,
 * reference image, provenance JSON).
 */
export interface DownloadName {
  /** Letters and digits of any script: for `filename*` (RFC 5987), which browsers prefer. */
  utf8: string;
  /** Safe ASCII only (no quote, backslash or control character): for the plain `filename`. */
  ascii: string;
}

/** Longest slug of the prompt's first words, in characters. */
const MAX_SLUG = 40;

/** `suffix` is what follows the slug: `.mp4`, `-thumbnail.webp`, `.json`. */
export function downloadName(
  video: { created_at: number; prompt: string },
  suffix: string,
): DownloadName {
  const day = new Date(video.created_at).toISOString().slice(0, 10);
  const unicode = slug(video.prompt.normalize("NFC"), /[^\p{L}\p{N}]+/u);
  // Accents are dropped for ASCII ("über" → "uber"); scripts without a Latin form leave nothing.
  const ascii = slug(video.prompt.normalize("NFKD").replace(/\p{M}/gu, ""), /[^a-z0-9]+/);
  return {
    utf8: join(day, unicode || ascii, suffix),
    ascii: join(day, ascii, suffix),
  };
}

function join(day: string, slug: string, suffix: string): string {
  return `${day}-${slug || "video"}${suffix}`;
}

/** Lower-case words split on `separator`, as many whole words as fit in `MAX_SLUG`. */
function slug(text: string, separator: RegExp): string {
  const words = text.toLowerCase().split(separator).filter(Boolean);
  let out = "";
  for (const word of words) {
    const next = out ? `${out}-${word}` : word;
    if ([...next].length > MAX_SLUG) {
      // One word longer than the whole slug is cut rather than leaving nothing.
      if (!out) out = [...word].slice(0, MAX_SLUG).join("");
      break;
    }
    out = next;
  }
  return out;
}
