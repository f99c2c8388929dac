// A stand-in for Google's Interactions API (Gemini Omni). (To be written.)
import type { SimulatorHandle } from "../../providers/options.ts";
import { FaultRegistry, type Faults } from "../faults.ts";

export interface GeminiSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  now?: () => number;
  random?: () => number;
}

export interface GeminiSimulator extends SimulatorHandle {
  readonly faults: Faults;
}

export function createGeminiSimulator(options: GeminiSimulatorOptions = {}): GeminiSimulator {
  return {
    timeScale: options.timeScale ?? 1,
    faults: new FaultRegistry(options.random ?? Math.random),
    fetch: () => Promise.resolve(new Response("not written yet", { status: 501 })),
    close() {},
  };
}
