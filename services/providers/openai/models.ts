import type { ModelInfo } from "../../types.ts";

/**
 * What OpenAI's Videos API (Sora) offers, as the create form, validation and cost estimate see it:
 * the one place these sizes, lengths and prices are written down.
 */
const SORA = {
  provider: "openai",
  provider_name: "OpenAI Sora",
  seconds: ["4", "8", "12"],
  default_size: "720x1280",
  default_seconds: "4",
  actions: { remix: true, extend: true, edit: true },
  // The Videos API appends a segment of 4 to 20 seconds to a finished video.
  extension: { seconds: ["4", "8", "12", "16", "20"] },
  inputs: { input_reference: true, negative_prompt: false, audio: false },
  price: { unit: "second", source: "list", as_of: "2026-09-24" },
  audio: true,
  variants: ["video", "thumbnail", "spritesheet"],
} as const;

export const OPENAI_MODELS: readonly ModelInfo[] = [
  {
    ...SORA,
    id: "sora-2",
    label: "Sora 2",
    sizes: ["720x1280", "1280x720"],
    seconds: [...SORA.seconds],
    variants: [...SORA.variants],
    actions: { ...SORA.actions },
    extension: { seconds: [...SORA.extension.seconds] },
    price_per_second: { "720x1280": 0.10, "1280x720": 0.10 },
  },
  {
    ...SORA,
    id: "sora-2-pro",
    label: "Sora 2 Pro",
    sizes: ["720x1280", "1280x720", "1024x1792", "1792x1024"],
    seconds: [...SORA.seconds],
    variants: [...SORA.variants],
    actions: { ...SORA.actions },
    extension: { seconds: [...SORA.extension.seconds] },
    price_per_second: {
      "720x1280": 0.30,
      "1280x720": 0.30,
      "1024x1792": 0.50,
      "1792x1024": 0.50,
    },
  },
];
