import { OPENAI_MODELS } from "./providers/openai_models.ts";
import { VEO_MODELS } from "./providers/veo_models.ts";
import type { ModelInfo } from "./types.ts";

/**
 * Every model the app knows, of every provider: the one price table (USD per second of video) and
 * what each model accepts. Which of them a running app offers depends on the providers configured
 * (`ProviderSet.models`); this list also prices and labels videos made with a provider that has
 * since been switched off.
 */
export const MODELS: readonly ModelInfo[] = [...OPENAI_MODELS, ...VEO_MODELS];

/** The contract's defaults (a Sora model); a server without OpenAI defaults to its first model. */
export const DEFAULT_MODEL = "sora-2";
export const DEFAULT_SIZE = "720x1280";
export const DEFAULT_SECONDS = "4";

export function findModel(id: string): ModelInfo | undefined {
  return MODELS.find((m) => m.id === id);
}

/** The lengths a model allows for a size (some sizes allow fewer than the model's list). */
export function secondsFor(model: ModelInfo, size: string): string[] {
  return model.seconds_by_size?.[size] ?? model.seconds;
}

/**
 * Why this model cannot extend a video of that size and length (its provider's limits), or
 * undefined when it can. The service refuses with it and the detail page explains with it.
 */
export function extendRefusal(
  model: ModelInfo,
  video: { size: string; seconds: string },
): string | undefined {
  const extension = model.actions.extend ? model.extension : undefined;
  if (!extension) return model.unavailable?.extend ?? `${model.label} videos cannot be extended.`;
  if (extension.sizes && !extension.sizes.includes(video.size)) {
    return `${model.label} extends ${
      extension.sizes.join(" and ")
    } videos only; this one is ${video.size}.`;
  }
  const longest = extension.max_source_seconds;
  if (longest && Number(video.seconds) > longest) {
    return `${model.label} extends videos of at most ${longest} seconds; this one is ${video.seconds}.`;
  }
  return undefined;
}

/** Estimated cost in USD; failed jobs cost nothing, so callers pass the status when they know it. */
export function estimateCost(model: string, size: string, seconds: string): number {
  const price = findModel(model)?.price_per_second[size] ?? 0;
  return Math.round(price * Number(seconds) * 100) / 100;
}
