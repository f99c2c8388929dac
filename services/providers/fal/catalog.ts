import { shapesAt } from "../shapes.ts";
import { ConfigError } from "../../app/config.ts";
import type { ModelInfo, VideoAction } from "../../types.ts";

/**
 * The curated fal.ai video endpoints, as their API pages and the generated endpoint types of
 * `@fal-ai/client` (fal-js `libs/client/src/types/endpoints.ts`) describe them. fal serves
 * hundreds of endpoints; these are the leading ones, each with its image-to-video twin.
 *
 * A size stands for what the endpoint takes (an aspect ratio and, where there is one, a resolution);
 * for an endpoint without such inputs it is the size the endpoint really outputs. With a
 * reference image the image-to-video twin is used: Kling, Wan and Hailuo then follow the image's
 * shape (they take no aspect ratio), Veo and Seedance still take the size's aspect ratio.
 */

/** How an endpoint takes a length: `"8s"` (Veo), `"5"` (Kling, Seedance, Hailuo), `5` (Wan). */
export type DurationFormat = "seconds-suffix" | "string" | "number";

/** What a size means to an endpoint. */
export interface FalShape {
  aspect_ratio?: string;
  resolution?: string;
}

export interface FalModelSpec {
  /** The text-to-video endpoint id, which is also the model's id in the app. */
  id: string;
  label: string;
  imageToVideo: {
    endpoint: string;
    /** The field the endpoint takes its start frame in (a URL; a data: URI works). */
    imageField: "image_url" | "start_image_url";
    /** Whether it takes `aspect_ratio` too (otherwise the image's shape decides). */
    aspectRatio: boolean;
  };
  duration: DurationFormat;
  /** Size (`WIDTHxHEIGHT`) → what the endpoint is sent for it. */
  shapes: Record<string, FalShape>;
  seconds: string[];
  default_size: string;
  default_seconds: string;
  negativePrompt: boolean;
  /** The endpoint takes `generate_audio` (sound on or off). */
  generateAudio: boolean;
  /** Its videos have sound (by default, when `generateAudio`). */
  audio: boolean;
  /** List prices: USD per second by size (with sound), or per video by length. */
  prices:
    | { perSecond: Record<string, number>; perSecondSilent?: Record<string, number> }
    | { perVideo: Record<string, number> };
  /** fal's extend endpoint, for models that have one. */
  extend?: {
    endpoint: string;
    /** What the endpoint is sent as `duration` for each length of the new segment. */
    seconds: string[];
    sizes: string[];
    max_source_seconds: number;
  };
}

/** The day the list prices below were read from fal's model pages. */
export const LIST_PRICES_AS_OF = "2026-11-27";

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

const VEO_SHAPES: Record<string, FalShape> = shapesAt(["720p", "1080p", "4k"]);

/** Veo prices: the same for 720p and 1080p, more for 4K; sound costs extra. */
function veoPrices(hd: number, fourK: number, hdSilent: number, fourKSilent: number) {
  const perSecond: Record<string, number> = {};
  const perSecondSilent: Record<string, number> = {};
  for (const [size, { resolution }] of Object.entries(VEO_SHAPES)) {
    perSecond[size] = resolution === "4k" ? fourK : hd;
    perSecondSilent[size] = resolution === "4k" ? fourKSilent : hdSilent;
  }
  return { perSecond, perSecondSilent };
}

/**
 * fal's Veo 3.1 extend endpoints continue a 720p or 1080p, 16:9 or 9:16 video of at most 8
 * seconds by 7 seconds (`duration: "7s"`, the only length), at 720p by default.
 */
function veoExtension(endpoint: string): FalModelSpec["extend"] {
  return { endpoint, seconds: ["7"], sizes: ["1280x720", "720x1280"], max_source_seconds: 8 };
}

const SEEDANCE_720P = 0.3034;

export const FAL_SPECS: readonly FalModelSpec[] = [
  {
    id: "fal-ai/veo3.1",
    label: "Veo 3.1",
    imageToVideo: {
      endpoint: "fal-ai/veo3.1/image-to-video",
      imageField: "image_url",
      aspectRatio: true,
    },
    duration: "seconds-suffix",
    shapes: VEO_SHAPES,
    seconds: ["4", "6", "8"],
    default_size: "1280x720",
    default_seconds: "8",
    negativePrompt: true,
    generateAudio: true,
    audio: true,
    prices: veoPrices(0.40, 0.60, 0.20, 0.40),
    extend: veoExtension("fal-ai/veo3.1/extend-video"),
  },
  {
    id: "fal-ai/veo3.1/fast",
    label: "Veo 3.1 Fast",
    imageToVideo: {
      endpoint: "fal-ai/veo3.1/fast/image-to-video",
      imageField: "image_url",
      aspectRatio: true,
    },
    duration: "seconds-suffix",
    shapes: VEO_SHAPES,
    seconds: ["4", "6", "8"],
    default_size: "1280x720",
    default_seconds: "8",
    negativePrompt: true,
    generateAudio: true,
    audio: true,
    prices: veoPrices(0.15, 0.35, 0.10, 0.30),
    extend: veoExtension("fal-ai/veo3.1/fast/extend-video"),
  },
  {
    // Kling 3.0 Pro makes 1080p; it takes an aspect ratio but no resolution.
    id: "fal-ai/kling-video/v3/pro/text-to-video",
    label: "Kling 3.0 Pro",
    imageToVideo: {
      endpoint: "fal-ai/kling-video/v3/pro/image-to-video",
      imageField: "start_image_url",
      aspectRatio: false,
    },
    duration: "string",
    shapes: {
      "1920x1080": { aspect_ratio: "16:9" },
      "1080x1920": { aspect_ratio: "9:16" },
      "1080x1080": { aspect_ratio: "1:1" },
    },
    seconds: range(3, 15),
    default_size: "1920x1080",
    default_seconds: "5",
    negativePrompt: true,
    generateAudio: true,
    audio: true,
    // fal's pages disagree (also $0.224/$0.336); the pricing API settles it at start.
    prices: {
      perSecond: { "1920x1080": 0.168, "1080x1920": 0.168, "1080x1080": 0.168 },
      perSecondSilent: { "1920x1080": 0.112, "1080x1920": 0.112, "1080x1080": 0.112 },
    },
  },
  {
    // Billed by tokens (width × height × seconds × 24 / 1024): per second the price follows the
    // pixel count; sound costs nothing extra.
    id: "bytedance/seedance-2.0/text-to-video",
    label: "Seedance 2.0",
    imageToVideo: {
      endpoint: "bytedance/seedance-2.0/image-to-video",
      imageField: "image_url",
      aspectRatio: true,
    },
    duration: "string",
    shapes: {
      "1280x720": { aspect_ratio: "16:9", resolution: "720p" },
      "720x1280": { aspect_ratio: "9:16", resolution: "720p" },
      "854x480": { aspect_ratio: "16:9", resolution: "480p" },
      "480x854": { aspect_ratio: "9:16", resolution: "480p" },
    },
    seconds: range(4, 15),
    default_size: "1280x720",
    default_seconds: "5",
    negativePrompt: false,
    generateAudio: true,
    audio: true,
    prices: {
      perSecond: {
        "1280x720": SEEDANCE_720P,
        "720x1280": SEEDANCE_720P,
        "854x480": round(SEEDANCE_720P * (854 * 480) / (1280 * 720)),
        "480x854": round(SEEDANCE_720P * (854 * 480) / (1280 * 720)),
      },
    },
  },
  {
    // Wan 2.7 takes no sound switch: without a driving audio it adds matching background music.
    id: "fal-ai/wan/v2.7/text-to-video",
    label: "Wan 2.7",
    imageToVideo: {
      endpoint: "fal-ai/wan/v2.7/image-to-video",
      imageField: "image_url",
      aspectRatio: false,
    },
    duration: "number",
    shapes: {
      "1280x720": { aspect_ratio: "16:9", resolution: "720p" },
      "720x1280": { aspect_ratio: "9:16", resolution: "720p" },
      "1920x1080": { aspect_ratio: "16:9", resolution: "1080p" },
      "1080x1920": { aspect_ratio: "9:16", resolution: "1080p" },
    },
    seconds: range(2, 15),
    default_size: "1280x720",
    default_seconds: "5",
    negativePrompt: true,
    generateAudio: false,
    audio: true,
    prices: {
      perSecond: { "1280x720": 0.10, "720x1280": 0.10, "1920x1080": 0.15, "1080x1920": 0.15 },
    },
  },
  {
    // Hailuo 2.3 Standard takes only a prompt and a length; it makes silent 768p videos and is
    // priced per video.
    id: "fal-ai/minimax/hailuo-2.3/standard/text-to-video",
    label: "Hailuo 2.3 Standard",
    imageToVideo: {
      endpoint: "fal-ai/minimax/hailuo-2.3/standard/image-to-video",
      imageField: "image_url",
      aspectRatio: false,
    },
    duration: "string",
    shapes: { "1366x768": {} },
    seconds: ["6", "10"],
    default_size: "1366x768",
    default_seconds: "6",
    negativePrompt: false,
    generateAudio: false,
    audio: false,
    prices: { perVideo: { "6": 0.28, "10": 0.56 } },
  },
];

/** Rounds a price to a hundredth of a cent, so derived prices read cleanly. */
export function round(price: number): number {
  return Math.round(price * 10_000) / 10_000;
}

/** The app id an endpoint's requests live under: its first two path segments. */
export function appIdOf(endpoint: string): string {
  return endpoint.split("/").slice(0, 2).join("/");
}

/** Every endpoint a spec uses (text-to-video, image-to-video and extend). */
export function endpointsOf(spec: FalModelSpec): string[] {
  return [spec.id, spec.imageToVideo.endpoint, ...(spec.extend ? [spec.extend.endpoint] : [])];
}

/** The spec whose text- or image-to-video endpoint this is. */
export function specFor(endpoint: string): FalModelSpec | undefined {
  return FAL_SPECS.find((s) => s.id === endpoint || s.imageToVideo.endpoint === endpoint);
}

/**
 * The models FAL_MODELS chooses (comma-separated endpoint ids; a text-to-video or an
 * image-to-video id names the same model), all curated ones when unset. An unknown id stops
 * the start with one line naming the known ones.
 */
export function selectSpecs(falModels: string | undefined): FalModelSpec[] {
  const wanted = (falModels ?? "").split(",").map((id) => id.trim()).filter(Boolean);
  if (wanted.length === 0) return [...FAL_SPECS];
  const chosen = new Set<FalModelSpec>();
  for (const id of wanted) {
    const spec = specFor(id);
    if (!spec) {
      throw new ConfigError(
        `FAL_MODELS names "${id}", which is not a fal.ai model this app knows: use any of ` +
          `${FAL_SPECS.map((s) => s.id).join(", ")} (or their image-to-video endpoints).`,
      );
    }
    chosen.add(spec);
  }
  return FAL_SPECS.filter((s) => chosen.has(s));
}

const REMIX = "fal.ai cannot remix a finished video. Make a new one with an edited prompt instead.";
const EDIT = "fal.ai cannot edit a finished video. Make a new one with an edited prompt instead.";

/** The catalog entry of a spec, at its list prices. */
export function listModel(spec: FalModelSpec): ModelInfo {
  const sizes = Object.keys(spec.shapes);
  const unavailable: Partial<Record<VideoAction, string>> = { remix: REMIX, edit: EDIT };
  if (!spec.extend) {
    unavailable.extend = `fal.ai offers no way to extend ${spec.label} videos.`;
  }
  const prices = spec.prices;
  return {
    id: spec.id,
    provider: "fal",
    provider_name: "fal.ai",
    label: spec.label,
    sizes,
    seconds: [...spec.seconds],
    ...("perSecond" in prices
      ? {
        price_per_second: { ...prices.perSecond },
        ...(prices.perSecondSilent
          ? { price_per_second_silent: { ...prices.perSecondSilent } }
          : {}),
        price: { unit: "second" as const, source: "list" as const, as_of: LIST_PRICES_AS_OF },
      }
      : {
        price_per_second: {},
        price_per_video: { ...prices.perVideo },
        price: { unit: "video" as const, source: "list" as const, as_of: LIST_PRICES_AS_OF },
      }),
    default_size: spec.default_size,
    default_seconds: spec.default_seconds,
    actions: { remix: false, extend: !!spec.extend, edit: false },
    unavailable,
    ...(spec.extend
      ? {
        extension: {
          seconds: [...spec.extend.seconds],
          sizes: [...spec.extend.sizes],
          max_source_seconds: spec.extend.max_source_seconds,
        },
      }
      : {}),
    inputs: {
      input_reference: true,
      negative_prompt: spec.negativePrompt,
      audio: spec.generateAudio,
    },
    audio: spec.audio,
    // fal answers with the MP4 only; thumbnails and spritesheets are made here if at all.
    variants: ["video"],
  };
}

/**
 * Every curated model at its list price: for labelling and pricing videos made with fal.ai after
 * FAL_KEY is removed (the app's catalog of former providers).
 */
export const FAL_LIST_MODELS: readonly ModelInfo[] = FAL_SPECS.map(listModel);
