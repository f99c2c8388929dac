// Standalone Gemini Omni simulator, for trying the Interactions API code path by hand:
//   GEMINI_SIMULATOR_PORT=8789 SIMULATOR_TIME_SCALE=1 deno run --allow-net --allow-env services/simulator/gemini/serve.ts
// then start the app with GEMINI_BASE_URL=http://localhost:8789 GEMINI_API_KEY=anything.
import { readNumber, serveSimulator } from "../serve.ts";
import { createGeminiSimulator } from "./simulator.ts";

if (import.meta.main) {
  const timeScale = readNumber("SIMULATOR_TIME_SCALE", 1);
  const apiKey = Deno.env.get("SIMULATOR_API_KEY") || undefined;
  const sim = createGeminiSimulator({ timeScale, apiKey });
  serveSimulator(
    "Gemini Omni simulator",
    readNumber("GEMINI_SIMULATOR_PORT", 8789),
    "/v1",
    timeScale,
    sim.fetch,
  );
}
