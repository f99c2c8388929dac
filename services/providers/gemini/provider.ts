import type { Config } from "../../app/config.ts";
import type { GeminiSimulator } from "../simulators/gemini/simulator.ts";
import type { Provider, UpstreamOutage } from "../upstream.ts";
import type { ProviderOptions } from "../options.ts";
import { GEMINI_MODELS } from "./catalog.ts";
import { createGeminiUpstream } from "./upstream.ts";

/** Where demo mode's requests go: the in-process simulator answers whatever the host. */
export const SIMULATOR_BASE_URL = "https://gemini-simulator.local";

const ADVICE: Record<UpstreamOutage, string> = {
  unreachable:
    "Google's Gemini API cannot be reached. Check the server's network and GEMINI_BASE_URL; new Gemini Omni videos wait in the queue meanwhile.",
  refused:
    "Google refused the Gemini API key. Check GEMINI_API_KEY and that its project has billing turned on (Gemini Omni has no free tier); new Gemini Omni videos wait in the queue meanwhile.",
  gone:
    "The Gemini API's Interactions endpoint is not there. Check GEMINI_BASE_URL; new Gemini Omni videos wait in the queue meanwhile.",
};

/**
 * Google Gemini Omni through the Interactions API when GEMINI_API_KEY is set, or its simulator in
 * demo mode, reached through the same client code with an in-process transport.
 */
export function geminiProvider(
  config: Config,
  options: ProviderOptions<GeminiSimulator>,
): Provider | undefined {
  const simulator = config.simulate ? options.simulator : undefined;
  if (!simulator && !config.GEMINI_API_KEY) return undefined;
  const upstream = createGeminiUpstream({
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    now: options.now,
    ...(simulator
      ? {
        apiKey: "demo-mode",
        baseUrl: SIMULATOR_BASE_URL,
        fetch: options.fetch ?? ((input, init) => simulator.fetch(new Request(input, init))),
        // The simulator's jobs take (3 + length) seconds, scaled: progress follows that.
        estimate: { baseMs: 3000 * simulator.timeScale, perSecondMs: 1000 * simulator.timeScale },
      }
      : { apiKey: config.GEMINI_API_KEY!, baseUrl: config.GEMINI_BASE_URL, fetch: options.fetch }),
  });
  return {
    id: "gemini",
    name: "Google Gemini Omni",
    models: GEMINI_MODELS,
    upstream,
    simulated: !!simulator,
    advice: ADVICE,
    keyVariable: "GEMINI_API_KEY",
    // The Interactions API takes no idempotency key: a create sent twice makes (and bills) two.
    createsMayRepeat: true,
  };
}
