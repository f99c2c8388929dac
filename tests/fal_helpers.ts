// Shared set-up of the fal tests: the provider as production builds it (FAL_KEY set), talking to
// the fal simulator through its fetch at fal's real hosts.
import { loadConfig } from "../services/app/config.ts";
import { silentLogger } from "../services/app/log.ts";
import type { Fetch } from "../services/providers/options.ts";
import { type FalProvider, falProvider } from "../services/providers/fal/provider.ts";
import {
  createFalSimulator,
  type FalSimulator,
  type FalSimulatorOptions,
} from "../services/providers/simulators/fal/simulator.ts";
import { MEDIA } from "../services/providers/simulators/media.ts";
import { assert } from "./assert.ts";

export interface FalSetup {
  sim: FalSimulator;
  provider: FalProvider;
  /** Builds another provider on the same simulator (a restart: nothing in memory). */
  restart(): FalProvider;
}

export function falSetup(
  options: { env?: Record<string, string>; sim?: FalSimulatorOptions; now?: () => number } = {},
): FalSetup {
  const sim = createFalSimulator({ timeScale: 0.01, ...options.sim });
  const fetch: Fetch = (input, init) => sim.fetch(new Request(input, init));
  const build = () => {
    const config = loadConfig({
      FAL_KEY: "test-key",
      SORA_SIMULATE: "0",
      UPSTREAM_TIMEOUT_MS: "5000",
      ...options.env,
    });
    const provider = falProvider(config, {
      fetch,
      log: silentLogger,
      now: options.now ?? Date.now,
    });
    assert(provider, "FAL_KEY turns fal.ai on");
    return provider;
  };
  return { sim, provider: build(), restart: build };
}

/** A reference image as the app hands it to a provider (the bytes are not looked at here). */
export const REFERENCE = {
  bytes: MEDIA.spritesheet.bytes,
  type: "image/jpeg",
  name: "reference.jpeg",
};
