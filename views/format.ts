/** Small pure helpers shared by the views. No I/O. */
import { extendRefusal, findModel, MODELS } from "../services/models.ts";
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

/**
 * What the views use of a model. Catalogue entries may describe more than a size/length/price
 * table (a label, the provider's name, lengths per size, optional inputs, which media and actions
 * a finished video has); whatever an entry leaves out takes the Sora-like default.
 */
export interface ModelView {
  id: string;
  provider: string;
  providerName: string;
  label: string;
  sizes: string[];
  seconds: string[];
  secondsBySize: Record<string, string[]>;
  pricePerSecond: Record<string, number>;
  defaultSize: string;
  defaultSeconds: string;
  remix: boolean;
  /** Why remix is not offered, for the person who would have used it. */
  remixUnavailable?: string;
  reference: boolean;
  negativePrompt: boolean;
  audio: boolean;
  variants: string[];
}

type RichModel =
  & ModelInfo
  & Partial<{
    provider_name: string;
    label: string;
    default_size: string;
    default_seconds: string;
    seconds_by_size: Record<string, string[]>;
    actions: { remix: boolean };
    unavailable: { remix?: string };
    inputs: { input_reference: boolean; negative_prompt: boolean };
    audio: boolean;
    variants: readonly string[];
  }>;

export function modelView(model: ModelInfo): ModelView {
  const m = model as RichModel;
  return {
    id: m.id,
    provider: m.provider,
    providerName: m.provider_name ?? m.provider,
    label: m.label ?? m.id,
    sizes: [...m.sizes],
    seconds: [...m.seconds],
    secondsBySize: { ...m.seconds_by_size },
    pricePerSecond: { ...m.price_per_second },
    defaultSize: m.default_size && m.sizes.includes(m.default_size) ? m.default_size : m.sizes[0],
    defaultSeconds: m.default_seconds ?? m.seconds[0],
    remix: m.actions?.remix ?? true,
    remixUnavailable: m.unavailable?.remix,
    reference: m.inputs?.input_reference ?? true,
    negativePrompt: m.inputs?.negative_prompt ?? false,
    audio: m.audio ?? false,
    variants: m.variants ? [...m.variants] : ["video", "thumbnail", "spritesheet"],
  };
}

/** The lengths a model makes at a size (some sizes allow fewer than the model's list). */
export function secondsAt(model: ModelView, size: string): string[] {
  return model.secondsBySize[size] ?? model.seconds;
}

/** The view of a video's model from the whole catalogue; undefined for a model it no longer has. */
export function modelOf(video: Pick<Video, "model">): ModelView | undefined {
  const found = MODELS.find((m) => m.id === video.model);
  return found ? modelView(found) : undefined;
}

/** Whether a finished video of this model has that file (Veo makes no thumbnail, for one). */
export function hasVariant(video: Pick<Video, "model">, variant: string): boolean {
  return modelOf(video)?.variants.includes(variant) ?? true;
}

/** Whether a finished video of this model can be remixed, and if not, why. */
export function remixOf(video: Pick<Video, "model">): { ok: boolean; why?: string } {
  const model = modelOf(video);
  return { ok: model?.remix ?? true, why: model?.remixUnavailable };
}

/**
 * Whether the provider can extend or edit this finished video, and if not, why (in its words);
 * for an extension, also the lengths the new segment may have.
 */
export function actionOf(
  video: Pick<Video, "model" | "size" | "seconds">,
  action: "extend" | "edit",
): { ok: boolean; why?: string; seconds: string[] } {
  const model = findModel(video.model);
  if (!model) return { ok: false, seconds: [] };
  if (action === "edit") {
    return { ok: model.actions.edit, why: model.unavailable?.edit, seconds: [] };
  }
  const why = extendRefusal(model, video);
  return { ok: !why, why, seconds: model.extension?.seconds ?? [] };
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
    seconds: m.seconds,
    seconds_by_size: m.secondsBySize,
    default_size: m.defaultSize,
    default_seconds: m.defaultSeconds,
    price_per_second: m.pricePerSecond,
    reference: m.reference,
    negative_prompt: m.negativePrompt,
    audio: m.audio,
    remix: m.remix,
  }));
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
