import { appIdOf, endpointsOf, FAL_SPECS } from "./catalog.ts";

/**
 * A fal request's id in the app is its own URL (the `response_url` the submit answered), relative
 * to the queue's base when it lies under it: `fal-ai/veo3.1/requests/<request_id>`. That is enough
 * to poll, fetch the result and cancel after a restart with nothing in memory (status and cancel
 * sit at `…/status` and `…/cancel` under it), and the webhook's bare request id can be turned back
 * into it with the app ids of the curated endpoints. A queue that answers with URLs elsewhere (a
 * proxy, a stand-in on its own host) is trusted: the id is then the absolute URL.
 */
export function upstreamIdOf(queueBase: string, responseUrl: string): string {
  const base = trimSlash(queueBase) + "/";
  return responseUrl.startsWith(base) ? responseUrl.slice(base.length) : responseUrl;
}

/** The request's URL (its result) from an upstream id. */
export function requestUrlOf(queueBase: string, upstreamId: string): string {
  return /^https?:\/\//i.test(upstreamId) ? upstreamId : `${trimSlash(queueBase)}/${upstreamId}`;
}

/** The fal request id at the end of an upstream id, or undefined when it is not one of ours. */
export function requestIdOf(upstreamId: string): string | undefined {
  return /\/requests\/([^/?#]+)$/.exec(upstreamId)?.[1];
}

/** The upstream id a submit would have been given, when it answered without a response_url. */
export function upstreamIdFor(endpoint: string, requestId: string): string {
  return `${appIdOf(endpoint)}/requests/${requestId}`;
}

/**
 * The upstream ids a webhook's request id may belong to: one per app id of the curated
 * endpoints (a handful), for looking the video up.
 */
export function candidateUpstreamIds(requestId: string): string[] {
  const apps = new Set(FAL_SPECS.flatMap(endpointsOf).map(appIdOf));
  return [...apps].map((app) => `${app}/requests/${requestId}`);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
