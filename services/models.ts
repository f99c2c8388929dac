import type { ModelInfo } from "./types.ts";

/** The one price table (USD per second of video) and what each model accepts. */
export const MODELS: readonly ModelInfo[] = [
  {
    id: "sora-2",
    provider: "openai",
    sizes: ["720x1280", "1280x720"],
    seconds: ["4", "8", "12"],
    price_per_second: { "720x1280": 0.10, "1280x720": 0.10 },
  },
  {
    id: "sora-2-pro",
    provider: "openai",
    sizes: ["720x1280", "1280x720", "1024x1792", "1792x1024"],
    seconds: ["4", "8", "12"],
    price_per_second: {
      "720x1280": 0.30,
      "1280x720": 0.30,
      "1024x1792": 0.50,
      "1792x1024": 0.50,
    },
  },
];

export const DEFAULT_MODEL = "sora-2";
export const DEFAULT_SIZE = "720x1280";
export const DEFAULT_SECONDS = "4";

export function findModel(id: string): ModelInfo | undefined {
  return MODELS.find((m) => m.id === id);
}

/** Estimated cost in USD; failed jobs cost nothing, so callers pass the status when they know it. */
export function estimateCost(model: string, size: string, seconds: string): number {
  const price = findModel(model)?.price_per_second[size] ?? 0;
  return Math.round(price * Number(seconds) * 100) / 100;
}
