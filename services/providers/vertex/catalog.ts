import { shapesAt } from "../shapes.ts";
import type { ModelInfo } from "../../types.ts";

/**
 * Veo 3.1 as Vertex AI offers it (GA, model ids ending in -001). Veo takes an aspect ratio and a
 * resolution where the app speaks of sizes, so each pair is written as the size it produces and
 * `VERTEX_SIZES` maps them back.
 *
 * Facts as documented by Google for Vertex AI (read 2026-11-27): 16:9 and 9:16; 720p, 1080p and
 * 4K; 4, 6 or 8 seconds at every resolution (the Gemini API's "1080p and 4K only as 8 s" is not a
 * Vertex rule); sound switchable with `generateAudio`, priced differently with and without it;
 * extension only of 720p videos Veo made that are 1 to 30 seconds long, by 7 seconds each time.
 * Prices are USD per second of video, list prices from the Vertex AI pricing page's Veo section.
 */
export const VERTEX_SIZES = shapesAt(["720p", "1080p", "4k"]);

export const VERTEX_PROVIDER_ID = "vertex";
export const VERTEX_PROVIDER_NAME = "Google Veo (Vertex AI)";

export const VEO_31 = "veo-3.1-generate-001";
export const VEO_31_FAST = "veo-3.1-fast-generate-001";

/** Veo appends this many seconds to a video per extension. */
export const EXTENSION_SECONDS = 7;
/** The longest video Vertex AI extends. */
export const MAX_EXTENSION_SOURCE_SECONDS = 30;

const CANNOT_CHANGE = "Veo cannot change a finished video. Re-run it with an edited prompt, " +
  "or extend it instead.";

type Resolution = "720p" | "1080p" | "4k";
type PriceTable = Record<Resolution, number>;

function veo(
  id: string,
  label: string,
  prices: { audio: PriceTable; silent: PriceTable },
): ModelInfo {
  const sizes = Object.keys(VERTEX_SIZES);
  const bySize = (table: PriceTable) =>
    Object.fromEntries(
      sizes.map((size) => [size, table[VERTEX_SIZES[size].resolution as Resolution]]),
    );
  return {
    id,
    provider: VERTEX_PROVIDER_ID,
    provider_name: VERTEX_PROVIDER_NAME,
    label,
    sizes,
    seconds: ["4", "6", "8"],
    price_per_second: bySize(prices.audio),
    price_per_second_silent: bySize(prices.silent),
    price: { unit: "second", source: "list", as_of: "2026-11-27" },
    default_size: "1280x720",
    default_seconds: "8",
    actions: { remix: false, extend: true, edit: false },
    unavailable: { remix: CANNOT_CHANGE, edit: CANNOT_CHANGE },
    extension: {
      seconds: [String(EXTENSION_SECONDS)],
      sizes: ["1280x720", "720x1280"],
      max_source_seconds: MAX_EXTENSION_SOURCE_SECONDS,
    },
    inputs: { input_reference: true, negative_prompt: true, audio: true },
    audio: true,
    variants: ["video"],
  };
}

export const VERTEX_MODELS: readonly ModelInfo[] = [
  veo(VEO_31, "Veo 3.1", {
    audio: { "720p": 0.40, "1080p": 0.40, "4k": 0.60 },
    silent: { "720p": 0.20, "1080p": 0.20, "4k": 0.40 },
  }),
  veo(VEO_31_FAST, "Veo 3.1 Fast", {
    audio: { "720p": 0.10, "1080p": 0.12, "4k": 0.30 },
    silent: { "720p": 0.08, "1080p": 0.10, "4k": 0.25 },
  }),
];
