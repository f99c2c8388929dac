import { FAL_LIST_MODELS } from "../providers/fal/catalog.ts";
import { GEMINI_MODELS } from "../providers/gemini/catalog.ts";
import { OPENAI_MODELS } from "../providers/openai/models.ts";
import { VEO_MODELS } from "../providers/veo_models.ts";
import { VERTEX_MODELS } from "../providers/vertex/catalog.ts";
import type { ContentVariant, ModelInfo, VideoAction } from "../types.ts";
import type { Provider } from "../providers/upstream.ts";

/** What the app learnt about a model while running: the provider's word beats the catalog's. */
interface Learnt {
  retired?: { message: string; replacement?: string };
  /** Actions the endpoint answered 404/405 to, with the reason shown instead. */
  notOffered?: Partial<Record<VideoAction, string>>;
  /** Variants whose bytes were not what they must be: made locally from the MP4 instead. */
  missingVariants?: Set<ContentVariant>;
}

/**
 * Every provider's own catalog, for videos made with a provider that is not set up here (any
 * more), so they keep their label and price; with Veo on the Gemini API, shut down in 2026.
 */
const FORMER_MODELS: readonly ModelInfo[] = [
  ...OPENAI_MODELS,
  ...FAL_LIST_MODELS,
  ...GEMINI_MODELS,
  ...VERTEX_MODELS,
  ...VEO_MODELS,
];

/**
 * The one source of facts about models: what each configured provider offers (its own catalog,
 * with the prices it publishes), corrected by what the providers said while the app ran (a model
 * retired, an action or a variant an endpoint does not have). The form, validation, prices,
 * `GET /api/models`, MCP and every video's actions read it; nothing else describes a model.
 */
export class Catalog {
  readonly #providers: readonly Provider[];
  readonly #learnt = new Map<string, Learnt>();
  /**
   * The corrected models, kept while neither the providers' lists (a refresh replaces them) nor
   * what was learnt changes: every video shown asks for its model several times.
   */
  #cache?: { sources: (readonly ModelInfo[])[]; all: ModelInfo[]; byId: Map<string, ModelInfo> };

  constructor(providers: readonly Provider[]) {
    this.#providers = providers;
  }

  /** Every model of the configured providers, retired ones included, as known now. */
  get all(): ModelInfo[] {
    return this.#current().all;
  }

  #current() {
    const sources = this.#providers.map((p) => p.models);
    const cache = this.#cache;
    if (cache && sources.every((list, i) => list === cache.sources[i])) return cache;
    const all = sources.flat().map((m) => this.#corrected(m));
    return this.#cache = { sources, all, byId: new Map(all.map((m) => [m.id, m])) };
  }

  /** What can be chosen: the configured providers' models that are not retired. */
  get offered(): ModelInfo[] {
    return this.all.filter((m) => !m.retired);
  }

  /** Models a provider said are gone, for the admin page. */
  get retired(): ModelInfo[] {
    return this.all.filter((m) => m.retired);
  }

  /** An offered model, or undefined when it is unknown, retired or its provider is not set up. */
  find(id: string): ModelInfo | undefined {
    const model = this.#current().byId.get(id);
    return model?.retired ? undefined : model;
  }

  /**
   * Any model a video may have been made with: a configured provider's (retired or not), else
   * one of a provider this server no longer has.
   */
  describe(id: string): ModelInfo | undefined {
    return this.#current().byId.get(id) ?? FORMER_MODELS.find((m) => m.id === id);
  }

  /** The provider says the model is gone: it leaves the form until restart (or for good). */
  markRetired(id: string, message: string, replacement?: string): void {
    this.#learn(id).retired = { message, replacement };
  }

  /** The endpoint answered 404/405 to this action: it does not offer it for this model. */
  markNotOffered(id: string, action: VideoAction, reason: string): void {
    const learnt = this.#learn(id);
    learnt.notOffered = { ...learnt.notOffered, [action]: reason };
  }

  /** The endpoint sent something else for this variant: it does not really have it. */
  markVariantMissing(id: string, variant: ContentVariant): void {
    (this.#learn(id).missingVariants ??= new Set()).add(variant);
  }

  #learn(id: string): Learnt {
    this.#cache = undefined;
    let learnt = this.#learnt.get(id);
    if (!learnt) this.#learnt.set(id, learnt = {});
    return learnt;
  }

  #corrected(model: ModelInfo): ModelInfo {
    const learnt = this.#learnt.get(model.id);
    if (!learnt) return model;
    const actions = { ...model.actions };
    const unavailable = { ...model.unavailable };
    for (const [action, reason] of Object.entries(learnt.notOffered ?? {})) {
      actions[action as VideoAction] = false;
      unavailable[action as VideoAction] = reason;
    }
    return {
      ...model,
      actions,
      unavailable,
      variants: model.variants.filter((v) => !learnt.missingVariants?.has(v)),
      ...(learnt.retired
        ? { retired: true, replacement: learnt.retired.replacement ?? model.replacement }
        : {}),
    };
  }
}

/** What a video is made of, for its price: its model's size, length and sound. */
export interface PricedRequest {
  size: string;
  seconds: string;
  /** Sound on or off; the model's default when unset. */
  audio?: boolean | null;
}

/**
 * The price of one video in USD, from the model's price (per second by size, with or without
 * sound, or per video by length); 0 when the model has no price for that request.
 */
export function priceOf(model: ModelInfo | undefined, request: PricedRequest): number {
  if (!model) return 0;
  if (model.price.unit === "video") return cents(model.price_per_video?.[request.seconds] ?? 0);
  const silent = request.audio === false || (request.audio == null && !model.audio);
  const perSecond = (silent ? model.price_per_second_silent?.[request.size] : undefined) ??
    model.price_per_second[request.size] ?? 0;
  return cents(perSecond * Number(request.seconds));
}

/** What one video costs with each choice: by size, then length, with and without sound. */
export type Quotes = Record<string, Record<string, { sound: number; silent?: number }>>;

/** Every price a person can choose between for a model, for the form to show as they choose. */
export function quotesOf(model: ModelInfo): Quotes {
  const quotes: Quotes = {};
  for (const size of model.sizes) {
    quotes[size] = {};
    for (const seconds of secondsFor(model, size)) {
      const sound = priceOf(model, { size, seconds, audio: model.inputs.audio ? true : null });
      quotes[size][seconds] = model.inputs.audio
        ? { sound, silent: priceOf(model, { size, seconds, audio: false }) }
        : { sound };
    }
  }
  return quotes;
}

/** Where a model's price comes from, in words: "fal.ai price of 2026-11-27". */
export function priceNote(model: ModelInfo): string {
  const whose = model.price.source === "provider" ? `${model.provider_name} price` : "list price";
  return `${whose} of ${model.price.as_of}`;
}

function cents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/** The lengths a model allows for a size (some sizes allow fewer than the model's list). */
export function secondsFor(model: ModelInfo, size: string): string[] {
  return model.seconds_by_size?.[size] ?? model.seconds;
}

/**
 * Why this model cannot extend a video of that size and length (its provider's limits), or
 * undefined when it can.
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
