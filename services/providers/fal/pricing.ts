import type { ModelInfo } from "../../types.ts";
import { round } from "./catalog.ts";

/** One entry of `GET /v1/models/pricing`: `{endpoint_id, unit_price, unit, currency}`. */
export interface FalPrice {
  endpoint_id: string;
  unit_price: number;
  unit: string;
  currency: string;
}

/**
 * The entries of a pricing answer that can be used: USD, a positive price (a number, or a number
 * written as a string, which some answers use), a unit.
 */
export function pricesFrom(body: unknown): FalPrice[] {
  const prices = (body as { prices?: unknown })?.prices;
  if (!Array.isArray(prices)) return [];
  const usable: FalPrice[] = [];
  for (const entry of prices) {
    const { endpoint_id, unit_price, unit, currency } = (entry ?? {}) as Record<string, unknown>;
    const price = typeof unit_price === "string" && unit_price.trim()
      ? Number(unit_price)
      : unit_price;
    if (
      typeof endpoint_id === "string" && typeof price === "number" && Number.isFinite(price) &&
      price > 0 && typeof unit === "string" && typeof currency === "string" &&
      currency.toUpperCase() === "USD"
    ) {
      usable.push({ endpoint_id, unit_price: price, unit, currency });
    }
  }
  return usable;
}

/**
 * What fal's unit means for a video: a price per second of video (`video_second`, `second`…) or
 * per video (`video`, `request`…); undefined for units that say nothing about length (GPU time,
 * megapixels), whose price cannot be mapped.
 */
export function unitOf(unit: string): "second" | "video" | undefined {
  const u = unit.toLowerCase();
  if (/second/.test(u)) return "second";
  if (/^(videos?|requests?|generations?|runs?|units?)$/.test(u)) return "video";
  return undefined;
}

/**
 * A model at the price fal's pricing API gives, or undefined when the price cannot be mapped (the
 * list price stays). fal gives one unit price per endpoint, while a model's price depends on its
 * size, sound and length. The rule: the unit price is the price of the model's default size with
 * its default sound (per second), or of its default length (per video); every other price of the
 * list scales in the same proportion. So a Veo account discount of 10 % lowers 4K and silent
 * prices by 10 % too. Scaling always starts from the list, so daily refreshes never compound.
 */
export function priced(list: ModelInfo, price: FalPrice, today: string): ModelInfo | undefined {
  const unit = unitOf(price.unit);
  if (!unit || unit !== list.price.unit) return undefined;
  const base = unit === "second"
    ? list.price_per_second[list.default_size]
    : list.price_per_video?.[list.default_seconds];
  if (!base) return undefined;
  const factor = price.unit_price / base;
  const scale = (prices: Record<string, number> | undefined) =>
    prices &&
    Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, round(value * factor)]));
  return {
    ...list,
    price_per_second: scale(list.price_per_second)!,
    ...(list.price_per_second_silent
      ? { price_per_second_silent: scale(list.price_per_second_silent) }
      : {}),
    ...(list.price_per_video ? { price_per_video: scale(list.price_per_video) } : {}),
    price: { unit, source: "provider", as_of: today },
  };
}

/** The date part of an instant, as the catalog writes it (YYYY-MM-DD, UTC). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
