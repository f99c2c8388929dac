import { UpstreamError } from "../upstream.ts";
import { classifyFalError, type FalClient } from "./client.ts";
import { type FalPrice, pricesFrom } from "./pricing.ts";

/** fal's platform API (`https://api.fal.ai/v1`): what the key may do, and prices. */
export interface FalPlatform {
  /**
   * The cheapest authenticated call fal really has: one endpoint's price. 401/403 is the key
   * refused (an outage); any other 4xx carries its status, meaning "cannot be verified".
   */
  ping(endpointId: string): Promise<void>;
  /** Prices of these endpoints (at most 50 at once, which the curated catalog never reaches). */
  prices(endpointIds: readonly string[]): Promise<FalPrice[]>;
  /** The endpoints among these that fal's model list marks deprecated. */
  deprecated(endpointIds: readonly string[]): Promise<string[]>;
}

export function createFalPlatform(client: FalClient, apiUrl: string): FalPlatform {
  const base = apiUrl.replace(/\/+$/, "");
  const get = async (url: URL) => {
    const answer = await client.json("GET", url.href);
    if (answer.status < 200 || answer.status > 299) {
      const error = classifyFalError(answer);
      // Outside a video's own requests, a refusal is about the call, never about a video.
      throw new UpstreamError(
        error.outage ? error.message : `fal.ai's platform API answered ${answer.status}.`,
        error.transient,
        answer.status,
        error.code,
        error.retryAfterMs,
        error.outage,
      );
    }
    return answer.body;
  };
  const pricing = (endpointIds: readonly string[]) => {
    const url = new URL(`${base}/models/pricing`);
    url.searchParams.set("endpoint_id", endpointIds.join(","));
    return get(url);
  };
  return {
    async ping(endpointId) {
      await pricing([endpointId]);
    },
    async prices(endpointIds) {
      return pricesFrom(await pricing(endpointIds));
    },
    async deprecated(endpointIds) {
      // Find mode: the endpoints named, whatever their status (`?endpoint_id=a&endpoint_id=b`).
      const url = new URL(`${base}/models`);
      for (const id of endpointIds) url.searchParams.append("endpoint_id", id);
      const body = await get(url) as { models?: unknown };
      const models = Array.isArray(body?.models) ? body.models : [];
      return models.flatMap((m: { endpoint_id?: unknown; metadata?: { status?: unknown } }) =>
        typeof m?.endpoint_id === "string" && m.metadata?.status === "deprecated"
          ? [m.endpoint_id]
          : []
      );
    },
  };
}
