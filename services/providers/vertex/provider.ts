import type { Config } from "../../config.ts";
import type { VertexSimulator } from "../../simulator/vertex/simulator.ts";
import type { Provider } from "../../upstream.ts";
import type { ProviderOptions } from "../options.ts";

/** Vertex AI (Veo 3.1) and Google's OAuth token endpoint, when configured, or its simulator in demo mode. (To be written.) */
export function vertexProvider(
  _config: Config,
  _options: ProviderOptions<VertexSimulator>,
): Provider | undefined {
  return undefined;
}
