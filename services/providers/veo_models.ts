import { shapesAt } from "./shapes.ts";
import type { ModelInfo } from "../types.ts";

/**
 * What Google's Gemini API offers for Veo, as the create form, validation and cost estimate see
 * it. Veo takes an aspect ratio (16:9, 9:16) and a resolution (720p, 1080p, 4k) where Sora takes a
 * size, so each pair is written as the size it produces; `VEO_SIZES` maps them back. Lengths are
 * 4, 6 or 8 seconds, but 1080p and 4k come only as 8 seconds. The Gemini API always adds sound.
 * Prices are USD per second of video.
 */
const VEO_SIZES = shapesAt(["720p", "1080p", "4k"]);

const EIGHT_ONLY = ["8"];

const CANNOT_CHANGE = "Veo cannot change a finished video (remix and edit are Sora features). " +
  "Re-run it with an edited prompt instead.";

const VEO = {
  provider: "google",
  provider_name: "Google Veo (Gemini API)",
  seconds: ["4", "6", "8"],
  default_size: "1280x720",
  default_seconds: "8",
  actions: { remix: false, extend: false, edit: false },
  unavailable: {
    remix: CANNOT_CHANGE,
    edit: CANNOT_CHANGE,
    extend: "Only Veo 3.1 models extend videos.",
  },
  inputs: { input_reference: true, negative_prompt: true, audio: false },
  price: { unit: "second", source: "list", as_of: "2026-06-30" },
  audio: true,
  variants: ["video"],
} as const;

/**
 * Veo 3.1 extends a 720p video it made (kept two days) by 7 seconds, as long as the video is at
 * most 141 seconds; the result is one video, source and extension together.
 */
const EXTENSION = {
  seconds: ["7"],
  sizes: ["1280x720", "720x1280"],
  max_source_seconds: 141,
};

function veo(
  id: string,
  label: string,
  prices: { hd: number; fourK?: number },
  sizes: string[],
  canExtend: boolean,
  replacement: string,
): ModelInfo {
  const price_per_second: Record<string, number> = {};
  const seconds_by_size: Record<string, string[]> = {};
  for (const size of sizes) {
    const { resolution } = VEO_SIZES[size];
    price_per_second[size] = resolution === "4k" ? prices.fourK! : prices.hd;
    if (resolution !== "720p") seconds_by_size[size] = [...EIGHT_ONLY];
  }
  return {
    ...VEO,
    id,
    label,
    sizes,
    seconds: [...VEO.seconds],
    price_per_second,
    seconds_by_size,
    actions: { ...VEO.actions, extend: canExtend },
    unavailable: canExtend
      ? { remix: VEO.unavailable.remix, edit: VEO.unavailable.edit }
      : { ...VEO.unavailable },
    ...(canExtend
      ? {
        extension: { ...EXTENSION, seconds: [...EXTENSION.seconds], sizes: [...EXTENSION.sizes] },
      }
      : {}),
    inputs: { ...VEO.inputs },
    price: { ...VEO.price },
    retired: true,
    replacement,
    variants: [...VEO.variants],
  };
}

const HD = ["1280x720", "720x1280", "1920x1080", "1080x1920"];
const UP_TO_4K = [...HD, "3840x2160", "2160x3840"];

/**
 * Veo as the Gemini API offered it until Google shut it down there (veo-3.0-* on 2026-06-30,
 * veo-3.1-*-preview on 2026-10-22): retired, kept so that videos made with them keep their
 * name and price, each naming its successor on Vertex AI.
 */
export const VEO_MODELS: readonly ModelInfo[] = [
  veo(
    "veo-3.1-generate-preview",
    "Veo 3.1 (preview)",
    { hd: 0.40, fourK: 0.60 },
    UP_TO_4K,
    true,
    "veo-3.1-generate-001",
  ),
  veo(
    "veo-3.1-fast-generate-preview",
    "Veo 3.1 Fast (preview)",
    { hd: 0.15, fourK: 0.35 },
    UP_TO_4K,
    true,
    "veo-3.1-fast-generate-001",
  ),
  // Veo 3 makes 1080p in landscape only.
  veo(
    "veo-3.0-generate-001",
    "Veo 3",
    { hd: 0.40 },
    ["1280x720", "720x1280", "1920x1080"],
    false,
    "veo-3.1-generate-001",
  ),
  veo(
    "veo-3.0-fast-generate-001",
    "Veo 3 Fast",
    { hd: 0.15 },
    [
      "1280x720",
      "720x1280",
      "1920x1080",
    ],
    false,
    "veo-3.1-fast-generate-001",
  ),
];
