// A stand-in for Vertex AI (Veo 3.1) and Google's OAuth token endpoint. (To be written.)
import type { SimulatorHandle } from "../../providers/options.ts";
import { FaultRegistry, type Faults } from "../faults.ts";

export interface VertexSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  now?: () => number;
  random?: () => number;
}

export interface VertexSimulator extends SimulatorHandle {
  readonly faults: Faults;
}

export function createVertexSimulator(options: VertexSimulatorOptions = {}): VertexSimulator {
  return {
    timeScale: options.timeScale ?? 1,
    faults: new FaultRegistry(options.random ?? Math.random),
    fetch: () => Promise.resolve(new Response("not written yet", { status: 501 })),
    close() {},
  };
}
