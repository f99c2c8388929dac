/** Small pure helpers shared by the views. No I/O. */
import { priceNote, type Quotes, quotesOf } from "../services/models/catalog.ts";
import type { Derivation, ModelInfo, Video, VideoStatus } from "../services/types.ts";

export const STATUS_LABELS: Record<VideoStatus, string> = {
  queued: "Queued",
  in_progress: "Generating",
  downloading: "Downloading",
  completed: "Ready",
  failed: "Failed",
};

/** Statuses shown in the library filter, in order, with their human words. */
export const STATUS_FILTERS: ReadonlyArray<{ value: string; label: string }> = [
  { value: "", label: "All statuses" },
  { value: "queued", label: "Queued" },
  { value: "in_progress", label: "Generating" },
  { value: "downloading", label: "Downloading" },
  { value: "completed", label: "Ready" },
  { value: "failed", label: "Failed" },
];

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as VideoStatus] ?? status;
}

export function isPending(status: VideoStatus): boolean {
  return status === "queued" || status === "in_progress" || status === "downloading";
}

export function clampProgress(progress: number): number {
  if (!Number.isFinite(progress)) return 0;
  return Math.max(0, Math.min(100, Math.round(progress)));
}

/** "720x1280" → "720×1280 · Portrait". Keeps unknown shapes as they are. */
export function sizeLabel(size: string): string {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) return size;
  const w = Number(m[1]);
  const h = Number(m[2]);
  const shape = w === h ? "Square" : h > w ? "Portrait" : "Landscape";
  return `${w}×${h} · ${shape}`;
}

export function orientation(size: string): "portrait" | "landscape" | "square" {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) return "landscape";
  const w = Number(m[1]);
  const h = Number(m[2]);
  return w === h ? "square" : h > w ? "portrait" : "landscape";
}

export function formatCost(usd: number): string {
  return `≈ $${(Number.isFinite(usd) ? usd : 0).toFixed(2)}`;
}

/** Accepts ISO strings and unix seconds (as string); null when unparsable. */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Server-side fallback text (UTC); app.js rewrites it in the reader's locale and zone. */
export function formatTime(value: string | null | undefined): string {
  const d = parseTime(value);
  if (!d) return "—";
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function isoTime(value: string | null | undefined): string | undefined {
  return parseTime(value)?.toISOString();
}

/** First words of a prompt, for titles and lineage links. */
export function excerpt(text: string, max = 60): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  return t.slice(0, max - 1).replace(/\s+\S*$/, "") + "…";
}

export function videoPath(video: Pick<Video, "id">): string {
  return `/videos/${encodeURIComponent(video.id)}`;
}

/** The create form filled with this video's settings. */
export function settingsPath(video: Pick<Video, "id">): string {
  return `/?from=${encodeURIComponent(video.id)}`;
}

export function contentPath(video: Pick<Video, "id">, query = ""): string {
  return `/videos/${encodeURIComponent(video.id)}/content${query}`;
}

/**
 * JSON for a `<script type="application/json">` block. `<`, `>`, `&` and the JS line
 * separators are escaped so the text can never close the script element or open a comment.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** What the views use of a model: the catalog's facts, named for the markup. */
export interface ModelView {
  id: string;
  provider: string;
  providerName: string;
  label: string;
  sizes: string[];
  seconds: string[];
  secondsBySize: Record<string, string[]>;
  defaultSize: string;
  defaultSeconds: string;
  remix: boolean;
  reference: boolean;
  negativePrompt: boolean;
  /** Whether sound can be switched on or off. */
  audioChoice: boolean;
  /** Whether the videos come with sound (by default). */
  audio: boolean;
  variants: string[];
  /** What each choice costs, from the catalog. */
  quotes: Quotes;
  /** The cheapest choice, for the model list ("from $0.10/s"). */
  fromPrice: string;
  /** Where the price comes from and its date. */
  priceNote: string;
  retiresAt?: string;
}

export function modelView(m: ModelInfo): ModelView {
  const perVideo = m.price.unit === "video";
  const prices = Object.values(perVideo ? m.price_per_video ?? {} : m.price_per_second);
  const cheapest = [
    ...prices,
    ...Object.values(m.price_per_second_silent ?? {}),
  ].reduce((a, b) => Math.min(a, b), Infinity);
  return {
    id: m.id,
    provider: m.provider,
    providerName: m.provider_name,
    label: m.label,
    sizes: [...m.sizes],
    seconds: [...m.seconds],
    secondsBySize: { ...m.seconds_by_size },
    defaultSize: m.sizes.includes(m.default_size) ? m.default_size : m.sizes[0],
    defaultSeconds: m.default_seconds,
    remix: m.actions.remix,
    reference: m.inputs.input_reference,
    negativePrompt: m.inputs.negative_prompt,
    audioChoice: m.inputs.audio,
    audio: m.audio,
    variants: [...m.variants],
    quotes: quotesOf(m),
    fromPrice: Number.isFinite(cheapest)
      ? `from $${cheapest.toFixed(2)}${perVideo ? " a video" : "/s"}`
      : "",
    priceNote: priceNote(m),
    retiresAt: m.retires_at,
  };
}

/** The lengths a model makes at a size (some sizes allow fewer than the model's list). */
export function secondsAt(model: ModelView, size: string): string[] {
  return model.secondsBySize[size] ?? model.seconds;
}

/** The price of one choice, looked up in the catalog's quotes (nothing is computed here). */
export function quoteOf(model: ModelView, size: string, seconds: string, sound = true): number {
  const quote = model.quotes[size]?.[seconds];
  return (sound ? quote?.sound : quote?.silent ?? quote?.sound) ?? 0;
}

/** How a video came from its source, as the lineage says it. */
export const DERIVATION_LABELS: Record<Derivation, { from: string; one: string }> = {
  remix: { from: "Remixed from", one: "Remix" },
  extend: { from: "Extended from", one: "Extension" },
  edit: { from: "Edited from", one: "Edit" },
  continue: { from: "Continued from", one: "Continuation" },
};

/** The model catalogue trimmed to what the create form needs client-side. */
export function modelsPayload(models: readonly ModelInfo[]) {
  return models.map(modelView).map((m) => ({
    id: m.id,
    label: m.label,
    provider_name: m.providerName,
    sizes: m.sizes,
    size_labels: Object.fromEntries(m.sizes.map((size) => [size, sizeLabel(size)])),
    seconds: m.seconds,
    seconds_by_size: m.secondsBySize,
    default_size: m.defaultSize,
    default_seconds: m.defaultSeconds,
    quotes: m.quotes,
    reference: m.reference,
    negative_prompt: m.negativePrompt,
    audio_choice: m.audioChoice,
    note: modelNote(m),
  }));
}

/** What the chosen model is, under the model select ("fal.ai · with sound · list price of …"). */
export function modelNote(model: ModelView | undefined): string {
  if (!model) return "";
  return [
    model.providerName,
    model.audio && !model.audioChoice ? "with sound" : "",
    model.remix ? "" : "no remix",
    model.priceNote,
    model.retiresAt ? `retires ${model.retiresAt}` : "",
  ].filter(Boolean).join(" · ");
}

/** "0:07", "1:05", "1:02:03": a duration in whole seconds, for elapsed times. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Milliseconds from `from` to `to` (ISO strings); 0 when either is missing. */
export function elapsedMs(from: string | null, to: string | null = null, now = Date.now()): number {
  const start = parseTime(from);
  if (!start) return 0;
  const end = to ? parseTime(to) : null;
  return Math.max(0, (end ? end.getTime() : now) - start.getTime());
}

export interface FailureText {
  /** What happened, in a few words. */
  title: string;
  /** What the person can do about it. */
  hint: string;
  /** The upstream's own words (when it gave any), shown under the title. */
  detail: string;
}

const FAILURES: Record<string, { title: string; hint: string }> = {
  moderation_blocked: {
    title: "Blocked by content moderation",
    hint: "Rephrase the prompt and try again.",
  },
  content_policy_violation: {
    title: "Blocked by content moderation",
    hint: "Rephrase the prompt and try again.",
  },
  timed_out: {
    title: "The service took too long",
    hint: "It did not finish within a day. Try again.",
  },
  expired_upstream: {
    title: "Expired before it was saved",
    hint: "The finished file was gone before it was saved. Try again.",
  },
  insufficient_quota: {
    title: "Out of API credit",
    hint: "The API account has no credit left. Ask an admin.",
  },
  billing_hard_limit_reached: {
    title: "Billing limit reached",
    hint: "The API account hit its spending limit. Ask an admin.",
  },
  invalid_api_key: {
    title: "The API key was refused",
    hint: "Ask an admin to check the OpenAI API key.",
  },
  cancelled: {
    title: "Cancelled",
    hint: "It was stopped before it was finished. Make it again when you want it.",
  },
  generation_failed: {
    title: "The video could not be made",
    hint: "This happens now and then. Try again.",
  },
  upstream_error: {
    title: "The video service refused the request",
    hint: "Check the settings and try again.",
  },
};

/** A failed video's reason in words a person understands, from the upstream's code and message. */
export function failureText(error: { code: string; message: string } | null): FailureText {
  const known = error ? FAILURES[error.code] : undefined;
  const detail = error?.message?.trim() ?? "";
  if (known) return { ...known, detail };
  return {
    title: "The video could not be made",
    hint: "Try again, or change the prompt or settings.",
    detail,
  };
}
