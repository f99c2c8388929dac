import { type Config, ConfigError } from "../../app/config.ts";
import type { VertexSimulator } from "../simulators/vertex/simulator.ts";
import type { Provider, UpstreamOutage } from "../upstream.ts";
import type { ProviderOptions } from "../options.ts";
import { VERTEX_MODELS, VERTEX_PROVIDER_ID, VERTEX_PROVIDER_NAME } from "./catalog.ts";
import { loadServiceAccount, parseServiceAccount } from "./credentials.ts";
import { createVertexUpstream } from "./vertex_upstream.ts";

/** Where demo mode's requests "go": they never leave the process (the simulator's fetch). */
export const VERTEX_SIMULATOR_BASE_URL = "https://vertex-simulator.local";

const ADVICE: Record<UpstreamOutage, string> = {
  unreachable:
    "Vertex AI (or Google's token endpoint) cannot be reached. Check the server's network, " +
    "GOOGLE_CLOUD_LOCATION and GOOGLE_VERTEX_BASE_URL; new Veo videos wait in the queue meanwhile.",
  refused:
    "Google refused the service account. Check GOOGLE_APPLICATION_CREDENTIALS (a key that still " +
    "exists), GOOGLE_CLOUD_PROJECT, and that the account may use Vertex AI in that project; new " +
    "Veo videos wait in the queue meanwhile.",
  gone: "Vertex AI's Veo endpoint is not there. Check GOOGLE_VERTEX_BASE_URL and " +
    "GOOGLE_CLOUD_LOCATION (a region that offers Veo); new Veo videos wait in the queue meanwhile.",
};

/**
 * Veo 3.1 on Vertex AI, when GOOGLE_APPLICATION_CREDENTIALS names a service-account key (the
 * project from GOOGLE_CLOUD_PROJECT, else the key's own), or the built-in Vertex simulator in
 * demo mode, reached through the same REST code with the simulator's own key and transport.
 */
export function vertexProvider(
  config: Config,
  options: ProviderOptions<VertexSimulator>,
): Provider | undefined {
  const simulator = config.simulate ? options.simulator : undefined;
  const location = config.GOOGLE_CLOUD_LOCATION;
  let upstream;
  if (simulator) {
    upstream = createVertexUpstream({
      // The simulator's RSA key takes a moment to make: only once a video goes to it.
      account: () => parseServiceAccount(simulator.credentials(VERTEX_SIMULATOR_BASE_URL)),
      project: simulator.project,
      location,
      baseUrl: VERTEX_SIMULATOR_BASE_URL,
      fetch: options.fetch ?? ((input, init) => simulator.fetch(new Request(input, init))),
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      now: options.now,
      // The simulator's jobs take (3 + length) seconds, scaled: progress follows that.
      estimate: { baseMs: 3000 * simulator.timeScale, perSecondMs: 1000 * simulator.timeScale },
    });
  } else {
    if (config.simulate) return undefined;
    const path = config.GOOGLE_APPLICATION_CREDENTIALS;
    if (!path) {
      if (!config.GOOGLE_CLOUD_PROJECT) return undefined;
      throw new ConfigError(
        "GOOGLE_CLOUD_PROJECT is set but GOOGLE_APPLICATION_CREDENTIALS is not: set it to the " +
          "path of a service-account key file to make Veo videos on Vertex AI.",
      );
    }
    const account = loadServiceAccount(path);
    const project = config.GOOGLE_CLOUD_PROJECT ?? account.project_id;
    if (!project) {
      throw new ConfigError(
        `GOOGLE_CLOUD_PROJECT is not set and ${path} names no project_id: set GOOGLE_CLOUD_PROJECT.`,
      );
    }
    upstream = createVertexUpstream({
      account,
      project,
      location,
      baseUrl: config.GOOGLE_VERTEX_BASE_URL ?? defaultBaseUrl(location),
      fetch: options.fetch,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      now: options.now,
    });
  }
  return {
    id: VERTEX_PROVIDER_ID,
    name: VERTEX_PROVIDER_NAME,
    models: VERTEX_MODELS,
    upstream,
    simulated: !!simulator,
    advice: ADVICE,
    keyVariable: "GOOGLE_APPLICATION_CREDENTIALS",
    // Vertex AI has no idempotency key: a create retried after a lost answer makes a second video.
    createsMayRepeat: true,
  };
}

/** Vertex AI's regional endpoint; the `global` location has no region prefix. */
export function defaultBaseUrl(location: string): string {
  return location === "global"
    ? "https://aiplatform.googleapis.com"
    : `https://${location}-aiplatform.googleapis.com`;
}
