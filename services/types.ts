/** Shapes shared by services, routes and views. The video object is the public contract (API.md). */

export const VIDEO_STATUSES = [
  "queued",
  "in_progress",
  "downloading",
  "completed",
  "failed",
] as const;
export type VideoStatus = typeof VIDEO_STATUSES[number];

export interface VideoError {
  code: string;
  message: string;
}

/** The video object exactly as the JSON API answers it. */
export interface Video {
  id: string;
  status: VideoStatus;
  progress: number;
  prompt: string;
  model: string;
  size: string;
  seconds: string;
  remixed_from: string | null;
  /** How it was made from `remixed_from` (null for a video made from a prompt alone). */
  derivation: Derivation | null;
  error: VideoError | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  upstream_id: string | null;
  /** The provider that makes it (`openai`, `fal`, `gemini`, `vertex`, or `google` for old Veo). */
  provider: string;
  /** The model's and provider's names for people, from the catalog. */
  model_label: string;
  provider_name: string;
  /** USD recorded when it was made (for an extension: its new segment); 0 once failed. */
  cost: number;
  /** Sound on or off where the model lets a person choose; null for the model's default. */
  audio: boolean | null;
  negative_prompt: string | null;
  /** The start image it was made from (null when none): its type and its URL while it is kept. */
  reference: { type: string; url: string | null } | null;
  /** The files a finished video has here (`video`, and `thumbnail`/`spritesheet` when there). */
  variants: ContentVariant[];
  /** Measured from the downloaded file; null until then or when it could not be measured. */
  media: { width: number; height: number; seconds: number; bytes: number } | null;
  /**
   * What can be made from it now, each with its cost or the reason it cannot; `cancel` (no cost)
   * is available while it is queued or in progress.
   */
  actions: Record<Derivation | "cancel", VideoActionOffer>;
  /** What making it again with the same settings costs now (0 when its model is not offered). */
  rerun_cost: number;
  /** When its model is retired: the successor to make it again with, at what size, length, cost. */
  remake_with: { model: string; label: string; size: string; seconds: string; cost: number } | null;
  /** Its live share link (a path, `/s/<token>`, that plays without logging in); null when none. */
  share: { url: string; created_at: string } | null;
}

/** One thing that can be made from a finished video, and what it costs, or why not. */
export interface VideoActionOffer {
  available: boolean;
  /** Why not, in words for the person who would have used it (set when not available). */
  reason?: string;
  /** USD for what would be made (for extend: with the first of `options`). */
  cost?: number;
  /** Extend only: each length the new segment may have, its cost and the result's length. */
  options?: { seconds: string; cost: number; result_seconds: string }[];
}

/**
 * What a provider can do to a finished video: `remix` (same length, changed by a prompt), `extend`
 * (longer: a new segment appended) and `edit` (the same video with a prompt's changes).
 */
export const VIDEO_ACTIONS = ["remix", "extend", "edit"] as const;
export type VideoAction = typeof VIDEO_ACTIONS[number];

/** How a model extends a finished video. */
export interface VideoExtension {
  /** Lengths the appended segment may have; the first is the default. */
  seconds: string[];
  /** Sizes of the videos it can extend (all of the model's when unset). */
  sizes?: string[];
  /** The longest video it can extend, in seconds (no limit when unset). */
  max_source_seconds?: number;
}

/**
 * How a video came from another (`remixed_from`): by one of the provider's actions, or
 * `continue` (a new video whose reference image is the source's last frame).
 */
export type Derivation = VideoAction | "continue";

export type Role = "admin" | "user";

export interface User {
  id: number;
  username: string;
  role: Role;
}

export const CONTENT_VARIANTS = ["video", "thumbnail", "spritesheet"] as const;
export type ContentVariant = typeof CONTENT_VARIANTS[number];

/** Where a model's price comes from, and as of when. */
export interface PriceInfo {
  /** `second`: USD per second of video (`price_per_second`); `video`: USD per video (`price_per_video`). */
  unit: "second" | "video";
  /** `provider`: read from the provider's own pricing API; `list`: the catalog's list price. */
  source: "provider" | "list";
  /** The day the price was read from the provider or written into the catalog (YYYY-MM-DD). */
  as_of: string;
}

/** One choosable model, as `GET /api/models` describes it. */
export interface ModelInfo {
  /** What a create names: `sora-2`, `veo-3.1-generate-001`, or a fal text-to-video endpoint id. */
  id: string;
  /** The provider's id: `openai`, `fal`, `gemini` (Omni), `vertex` (Veo), `google` (retired Veo). */
  provider: string;
  /** The provider's name for people, e.g. "OpenAI Sora" or "fal.ai". */
  provider_name: string;
  /** The model's name for people, e.g. "Veo 3.1 Fast". */
  label: string;
  /** Output sizes as `WIDTHxHEIGHT`; a provider that takes aspect ratio and resolution maps them. */
  sizes: string[];
  seconds: string[];
  /** USD per second of video, by size (with sound, when sound is optional). Empty when per video. */
  price_per_second: Record<string, number>;
  /** USD per second by size without sound, for models whose price depends on `audio`. */
  price_per_second_silent?: Record<string, number>;
  /** USD per video, by length in seconds, for models priced per video. */
  price_per_video?: Record<string, number>;
  /** Unit, source and date of the prices above. */
  price: PriceInfo;
  default_size: string;
  default_seconds: string;
  /** For a size that allows fewer lengths than `seconds` (Veo: 1080p and 4K only come as 8 s). */
  seconds_by_size?: Record<string, string[]>;
  /** What can be done with a finished video of this model (through its provider's API). */
  actions: Record<VideoAction, boolean>;
  /** Why an action is missing, in words for the person who would have used it. */
  unavailable?: Partial<Record<VideoAction, string>>;
  /** For a model that can extend: what an extension may be, and which videos it extends. */
  extension?: VideoExtension;
  /**
   * Optional inputs of the create request this model takes: a start image, a negative prompt, and
   * `audio` when sound can be switched on or off (`generate_audio`).
   */
  inputs: { input_reference: boolean; negative_prompt: boolean; audio: boolean };
  /** Whether the videos come with a sound track (by default, when `inputs.audio`). */
  audio: boolean;
  /** The media a finished video has upstream (most providers make only the MP4). */
  variants: ContentVariant[];
  /** A retirement date the provider announced (YYYY-MM-DD), shown on the form. */
  retires_at?: string;
  /** True once the provider said the model is gone: it is no longer offered. */
  retired?: boolean;
  /** The model the provider names as its successor, when it does. */
  replacement?: string;
}
