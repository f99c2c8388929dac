import type { Config } from "../../config.ts";
import type { FalSimulator } from "../../simulator/fal/simulator.ts";
import type { Provider } from "../../upstream.ts";
import type { ProviderOptions } from "../options.ts";

/** fal.ai's queue, when configured, or its simulator in demo mode. (To be written.) */
export function falProvider(
  _config: Config,
  _options: ProviderOptions<FalSimulator>,
): Provider | undefined {
  return undefined;
}
