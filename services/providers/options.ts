import type { Logger } from "../app/log.ts";

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What every provider factory is given besides the configuration. */
export interface ProviderOptions<Simulator> {
  /** In demo mode: the provider's simulator, reached through the same client code as production. */
  simulator?: Simulator;
  /** Overrides the provider's HTTP client (tests point it at a simulator with faults). */
  fetch?: Fetch;
  log: Logger;
  now: () => number;
}

/** What every simulator offers the app: one request handler, and its speed. */
export interface SimulatorHandle {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. */
  readonly timeScale: number;
  /** Answers one API request; use it as the client's `fetch` or as a Deno.serve handler. */
  fetch(req: Request): Promise<Response>;
  /** Cancels timers still to come (webhook deliveries). */
  close(): void;
}
