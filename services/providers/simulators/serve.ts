// Standalone simulator for demo mode and manual poking:
//   SIMULATOR_PORT=8787 SIMULATOR_TIME_SCALE=1 deno task simulator
// then point an OpenAI client at http://localhost:8787/v1 with any API key.
import { createSoraSimulator } from "./simulator.ts";

const DEFAULT_PORT = 8787;

/** A non-negative number from the environment, or `fallback` when unset. */
export function readNumber(name: string, fallback: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  }
  return value;
}

/** Serves a simulator's handler on `port`, saying where; used by both simulators' entry points. */
export function serveSimulator(
  name: string,
  port: number,
  path: string,
  timeScale: number,
  handler: (req: Request) => Promise<Response>,
): Deno.HttpServer {
  return Deno.serve({
    port,
    onListen: ({ hostname, port }) => {
      const host = hostname === "0.0.0.0" ? "localhost" : hostname;
      console.log(`${name} listening on http://${host}:${port}${path} (timeScale ${timeScale})`);
    },
  }, async (req) => {
    try {
      return await handler(req);
    } catch (error) {
      // A client that disconnects mid-request aborts req.signal; nobody is left to answer.
      if (req.signal.aborted) return new Response(null, { status: 499 });
      throw error;
    }
  });
}

if (import.meta.main) {
  const timeScale = readNumber("SIMULATOR_TIME_SCALE", 1);
  const apiKey = Deno.env.get("SIMULATOR_API_KEY") || undefined;
  const sim = createSoraSimulator({ timeScale, apiKey });
  serveSimulator(
    "Sora simulator",
    readNumber("SIMULATOR_PORT", DEFAULT_PORT),
    "/v1",
    timeScale,
    sim.fetch,
  );
}
