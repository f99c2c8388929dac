import { VIDEO_SHAPES, type VideoShape } from "../shapes.ts";
import type { ModelInfo, VideoExtension } from "../../types.ts";

/**
 * What Google's Gemini API offers for Gemini Omni through the Interactions API, as the create
 * form, validation and cost estimate see it. Omni takes an aspect ratio (16:9, 9:16) and a
 * resolution (360p, 720p, 1080p, 4k) where Sora takes a size, so each pair is written as the size
 * it produces; `GEMINI_SIZES` maps them back.
 *
 * Limits, as documented (read 2026-11-27):
 * - gemini-omni-flash-preview: 720p only, 16:9 or 9:16, 3–10 s, no scene extension (Google Cloud's
 *   model page; resellers' pages agree). Deprecated on Google Cloud since 2026-11-06 in favour of
 *   1.2; the Gemini API still serves it.
 * - gemini-omni-1.1-flash: 360p to 4K, 3–10 s, scene extension (Google's 1.1 announcement).
 * - gemini-omni-1.2-flash: 360p to 4K, 3–15 s, extension (Google Cloud's model page).
 * Every clip comes with a synchronised sound track and there is no switch to turn it off, nor a
 * negative-prompt field (the Interactions API has none).
 *
 * Extension on the Gemini API: each turn adds 3–10 s to a video Omni made and answers the whole,
 * longer clip; the Gemini API stops at 30 s in all (Google Cloud's Agent Platform goes to 40).
 */

export type GeminiShape = VideoShape;

export const GEMINI_SIZES: Readonly<Record<string, GeminiShape>> = VIDEO_SHAPES;

/** The size a shape produces, for an interaction whose response format is all that is known. */
export function sizeOf(shape: { aspect_ratio?: string; resolution?: string }): string | undefined {
  return Object.entries(GEMINI_SIZES).find(([, s]) =>
    s.aspect_ratio === shape.aspect_ratio && s.resolution === shape.resolution
  )?.[0];
}

/**
 * List prices in USD per second of video, by resolution. Google bills Omni by output tokens
 * (about 5,800 a second at 720p) and publishes no per-second price for the Gemini API; resellers
 * that pass Google's price on list $0.10 a second at 720p for the preview and for 1.1 (gmicloud,
 * WaveSpeed), with 360p at about a third and 1080p and 4K at 1.5 and 3 times that; fal.ai lists
 * about $0.125–0.13 at 720p. Read 2026-11-27.
 */
const PRICE_BY_RESOLUTION: Readonly<Record<GeminiShape["resolution"], number>> = {
  "360p": 0.03,
  "720p": 0.10,
  "1080p": 0.15,
  "4k": 0.30,
};

/** Output sizes and lengths the Gemini API documents. */
const HD_ONLY = ["1280x720", "720x1280"];
const ALL_SIZES = Object.keys(GEMINI_SIZES);
const secondsFrom = (min: number, max: number) =>
  Array.from({ length: max - min + 1 }, (_, i) => String(min + i));

/** The longest video the Gemini API extends: the result stops at 30 s, and a turn adds at least 3. */
export const MAX_TOTAL_SECONDS = 30;
const EXTENSION: VideoExtension = {
  seconds: secondsFrom(3, 10),
  // Extension reads the source's last seconds at draft or standard resolution (as resellers of
  // 1.2's extension document); larger sources are refused.
  sizes: ["640x360", "360x640", "1280x720", "720x1280"],
  max_source_seconds: MAX_TOTAL_SECONDS - 3,
};

const NO_REMIX = "Gemini Omni has no remix. Use Edit to change this video with a prompt, " +
  "or make a new video from an edited prompt.";

function omni(
  id: string,
  label: string,
  sizes: string[],
  seconds: string[],
  canExtend: boolean,
): ModelInfo {
  const price_per_second: Record<string, number> = {};
  for (const size of sizes) {
    price_per_second[size] = PRICE_BY_RESOLUTION[GEMINI_SIZES[size].resolution];
  }
  return {
    id,
    provider: "gemini",
    provider_name: "Google Gemini Omni",
    label,
    sizes,
    seconds,
    price_per_second,
    price: { unit: "second", source: "list", as_of: "2026-11-27" },
    default_size: "1280x720",
    default_seconds: "8",
    actions: { remix: false, extend: canExtend, edit: true },
    unavailable: canExtend ? { remix: NO_REMIX } : {
      remix: NO_REMIX,
      extend: `${label} cannot extend a video; Gemini Omni 1.1 and 1.2 can.`,
    },
    ...(canExtend
      ? {
        extension: {
          ...EXTENSION,
          seconds: [...EXTENSION.seconds],
          sizes: [...EXTENSION.sizes!],
        },
      }
      : {}),
    inputs: { input_reference: true, negative_prompt: false, audio: false },
    audio: true,
    variants: ["video"],
  };
}

export const GEMINI_MODELS: readonly ModelInfo[] = [
  omni("gemini-omni-1.2-flash", "Gemini Omni 1.2 Flash", ALL_SIZES, secondsFrom(3, 15), true),
  omni("gemini-omni-1.1-flash", "Gemini Omni 1.1 Flash", ALL_SIZES, secondsFrom(3, 10), true),
  {
    ...omni(
      "gemini-omni-flash-preview",
      "Gemini Omni Flash (preview)",
      HD_ONLY,
      secondsFrom(3, 10),
      false,
    ),
    // Previews end when their GA model is out; this is the one Google points preview users to.
    replacement: "gemini-omni-1.1-flash",
  },
];
