import type { Config } from "../../config.ts";
import type { GeminiSimulator } from "../../simulator/gemini/simulator.ts";
import type { Provider } from "../../upstream.ts";
import type { ProviderOptions } from "../options.ts";

/** Google's Interactions API (Gemini Omni), when configured, or its simulator in demo mode. (To be written.) */
export function geminiProvider(
  _config: Config,
  _options: ProviderOptions<GeminiSimulator>,
): Provider | undefined {
  return undefined;
}
