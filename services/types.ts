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
  provider: string;
  sizes: string[];
  seconds: string[];
  price_per_second: Record<string, number>;
}
