// Standalone fal.ai simulator, for trying the fal code path by hand:
//   FAL_SIMULATOR_PORT=8789 SIMULATOR_TIME_SCALE=1 deno run --allow-net --allow-env services/simulator/fal/serve.ts
// then start the app with FAL_KEY=anything FAL_QUEUE_URL=http://localhost:8789
// FAL_API_URL=http://localhost:8789/v1 FAL_JWKS_URL=http://localhost:8789/.well-known/jwks.json.
import { readNumber, serveSimulator } from "../serve.ts";
import { createFalSimulator } from "./simulator.ts";

if (import.meta.main) {
  const timeScale = readNumber("SIMULATOR_TIME_SCALE", 1);
  const apiKey = Deno.env.get("SIMULATOR_API_KEY") || undefined;
  // Webhooks go where each submit's fal_webhook says (the app's PUBLIC_URL), over the network.
  const sim = createFalSimulator({
    timeScale,
    apiKey,
    webhooks: { deliver: (request) => fetch(request).then((r) => r.body?.cancel()) },
  });
  serveSimulator(
    "fal.ai simulator",
    readNumber("FAL_SIMULATOR_PORT", 8789),
    "",
    timeScale,
    sim.fetch,
  );
}
