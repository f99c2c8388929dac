// Standalone Vertex AI simulator, for trying the Vertex code path by hand:
//   VERTEX_SIMULATOR_PORT=8789 VERTEX_CREDENTIALS_OUT=/tmp/vertex-key.json SIMULATOR_TIME_SCALE=1 \
//     deno run --allow-net --allow-env --allow-write services/simulator/vertex/serve.ts
// then start the app with GOOGLE_CLOUD_PROJECT=demo GOOGLE_APPLICATION_CREDENTIALS=/tmp/vertex-key.json
// GOOGLE_VERTEX_BASE_URL=http://localhost:8789 (the key's token_uri points at the simulator too).
import { readNumber, serveSimulator } from "../serve.ts";
import { createVertexSimulator } from "./simulator.ts";

if (import.meta.main) {
  const timeScale = readNumber("SIMULATOR_TIME_SCALE", 1);
  const port = readNumber("VERTEX_SIMULATOR_PORT", 8789);
  const sim = createVertexSimulator({ timeScale });
  const server = serveSimulator("Vertex AI simulator", port, "", timeScale, sim.fetch);
  const { port: actual } = server.addr as Deno.NetAddr;
  const origin = `http://localhost:${actual}`;
  const out = Deno.env.get("VERTEX_CREDENTIALS_OUT") || "vertex-simulator-key.json";
  await Deno.writeTextFile(out, JSON.stringify(sim.credentials(origin), null, 2) + "\n", {
    mode: 0o600,
  });
  console.log(
    `Service-account key written to ${out}: start the app with ` +
      `GOOGLE_APPLICATION_CREDENTIALS=${out} GOOGLE_CLOUD_PROJECT=demo ` +
      `GOOGLE_VERTEX_BASE_URL=${origin}`,
  );
}
