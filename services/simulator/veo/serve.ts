// Standalone Veo simulator, for trying the Gemini API code path by hand:
//   VEO_SIMULATOR_PORT=8788 SIMULATOR_TIME_SCALE=1 deno run --allow-net --allow-env services/simulator/veo/serve.ts
// then start the app with GEMINI_BASE_URL=http://localhost:8788 GEMINI_API_KEY=anything.
import { readNumber, serveSimulator } from "../serve.ts";
import { createVeoSimulator } from "./simulator.ts";

if (import.meta.main) {
  const timeScale = readNumber("SIMULATOR_TIME_SCALE", 1);
  const apiKey = Deno.env.get("SIMULATOR_API_KEY") || undefined;
  const sim = createVeoSimulator({ timeScale, apiKey });
  serveSimulator("Veo simulator", readNumber("VEO_SIMULATOR_PORT", 8788), "", timeScale, sim.fetch);
}
