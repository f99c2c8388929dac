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
  error: VideoError | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  upstream_id: string | null;
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

/** One choosable model, as `GET /api/models` describes it. */
export interface ModelInfo {
  id: string;
  /** The provider's id: `openai` (Sora) or `google` (Veo). */
  provider: string;
  /** The provider's name for people, e.g. "OpenAI Sora" or "Google Veo". */
  provider_name: string;
  /** The model's name for people, e.g. "Veo 3.1 Fast". */
  label: string;
  /** Output sizes as `WIDTHxHEIGHT`; for Veo these stand for an aspect ratio and resolution. */
  sizes: string[];
  seconds: string[];
  /** USD per second of video, by size. */
  price_per_second: Record<string, number>;
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
  /** Optional inputs of the create request this model takes. */
  inputs: { input_reference: boolean; negative_prompt: boolean };
  /** Whether the videos come with a sound track. */
  audio: boolean;
  /** The media a finished video has (Veo makes no thumbnail or spritesheet). */
  variants: ContentVariant[];
}
