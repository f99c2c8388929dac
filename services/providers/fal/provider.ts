import type { Config } from "../../app/config.ts";
import type { FalSimulator } from "../simulators/fal/simulator.ts";
import type { ModelInfo } from "../../types.ts";
import type { Provider, Upstream, UpstreamOutage } from "../upstream.ts";
import type { Fetch, ProviderOptions } from "../options.ts";
import { type FalModelSpec, listModel, selectSpecs } from "./catalog.ts";
import { FalClient } from "./client.ts";
import { createFalPlatform } from "./platform.ts";
import { dayOf, priced } from "./pricing.ts";
import { createFalQueue } from "./queue.ts";
import { candidateUpstreamIds } from "./upstream_id.ts";
import { type FalWebhookDelivery, FalWebhookVerifier } from "./webhook_verify.ts";

/** In demo mode the simulator stands in for fal's three hosts, reached in this process. */
export const SIMULATOR_QUEUE_URL = "https://fal-simulator.local";
export const SIMULATOR_API_URL = "https://fal-simulator.local/v1";
export const SIMULATOR_JWKS_URL = "https://fal-simulator.local/.well-known/jwks.json";

const ADVICE: Record<UpstreamOutage, string> = {
  unreachable:
    "fal.ai cannot be reached. Check the server's network, FAL_QUEUE_URL and FAL_API_URL; new fal.ai videos wait in the queue meanwhile.",
  refused:
    "fal.ai refused the key. Check FAL_KEY (and that the fal.ai account has credit); new fal.ai videos wait in the queue meanwhile.",
  gone:
    "fal.ai's queue is not where FAL_QUEUE_URL points. Check it; new fal.ai videos wait in the queue meanwhile.",
};

/** What the webhook route needs of the fal provider. */
export interface FalWebhooks {
  /** Checks a delivery's signature and age; throws FalWebhookRejected when it does not hold. */
  verify(body: Uint8Array<ArrayBuffer>, headers: Headers): Promise<FalWebhookDelivery>;
  /** The upstream ids a fal request id may be stored under, to find its video. */
  upstreamIds(requestId: string): string[];
}

export interface FalProvider extends Provider {
  readonly webhooks: FalWebhooks;
}

export function isFalProvider(provider: Provider | undefined): provider is FalProvider {
  return provider?.id === "fal" && "webhooks" in provider;
}

/**
 * fal.ai's queue when FAL_KEY is set, or the built-in fal simulator in demo mode (reached through
 * the same client code with the simulator's bases and an in-process fetch). FAL_MODELS chooses
 * the models; their prices come from fal's pricing API once `refresh` has run.
 */
export function falProvider(
  config: Config,
  options: ProviderOptions<FalSimulator>,
): FalProvider | undefined {
  const simulator = config.simulate ? options.simulator : undefined;
  if (!simulator && !config.FAL_KEY) return undefined;
  const specs = selectSpecs(config.FAL_MODELS);
  const simulatorFetch: Fetch | undefined = simulator &&
    ((input, init) => simulator.fetch(new Request(input, init)));
  const fetch: Fetch = options.fetch ?? simulatorFetch ??
    ((input, init) => globalThis.fetch(input, init));
  const queueUrl = simulator ? SIMULATOR_QUEUE_URL : config.FAL_QUEUE_URL;
  const apiUrl = simulator ? SIMULATOR_API_URL : config.FAL_API_URL;
  const client = new FalClient({
    key: simulator ? "demo-mode" : config.FAL_KEY!,
    fetch,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    keyOrigins: [new URL(queueUrl).origin, new URL(apiUrl).origin],
  });
  const queue = createFalQueue({
    client,
    queueUrl,
    now: options.now,
    specs: () => specs,
    webhookUrl: config.PUBLIC_URL ? new URL("/webhooks/fal", config.PUBLIC_URL).href : undefined,
    // The simulator's jobs take (3 + length) seconds, scaled: progress follows that.
    estimate: simulator
      ? { baseMs: 3000 * simulator.timeScale, perSecondMs: 1000 * simulator.timeScale }
      : undefined,
  });
  const platform = createFalPlatform(client, apiUrl);
  const upstream: Upstream = { ...queue, ping: () => platform.ping(specs[0].id) };
  const verifier = new FalWebhookVerifier({
    jwksUrl: simulator ? SIMULATOR_JWKS_URL : config.FAL_JWKS_URL,
    fetch,
    now: options.now,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });

  const list = new Map(specs.map((spec: FalModelSpec) => [spec.id, listModel(spec)]));
  let models: ModelInfo[] = [...list.values()];

  return {
    id: "fal",
    name: "fal.ai",
    get models() {
      return models;
    },
    upstream,
    simulated: !!simulator,
    advice: ADVICE,
    keyVariable: "FAL_KEY",
    // fal's queue has no idempotency key: a submit whose answer was lost may run twice.
    createsMayRepeat: true,
    async refresh() {
      try {
        const prices = await platform.prices([...list.keys()]);
        const today = dayOf(options.now());
        models = [...list.values()].map((model) => {
          const price = prices.find((p) => p.endpoint_id === model.id);
          const current = models.find((m) => m.id === model.id) ?? model;
          return price ? priced(model, price, today) ?? current : current;
        });
      } catch (error) {
        // The list prices (or the last ones read) stay; the next refresh tries again.
        options.log.warn("fal.ai prices could not be read", {
          error: (error as Error)?.message ?? String(error),
        });
      }
      try {
        // A model fal's own list marks deprecated is no longer offered (its videos stay).
        const deprecated = new Set(await platform.deprecated([...list.keys()]));
        models = models.map((m) => deprecated.has(m.id) ? { ...m, retired: true } : m);
      } catch (error) {
        options.log.warn("fal.ai's model list could not be read", {
          error: (error as Error)?.message ?? String(error),
        });
      }
    },
    webhooks: {
      verify: (body, headers) => verifier.verify(body, headers),
      upstreamIds: (requestId) => [
        ...new Set([...queue.knownIdsFor(requestId), ...candidateUpstreamIds(requestId)]),
      ],
    },
  };
}
