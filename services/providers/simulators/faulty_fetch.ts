// The front door every simulator shares: it logs each request, picks the fault rule that applies
// to it (faults.ts) and applies it around the simulator's own handler (fault_responses.ts).
import { degradedResponse, replacementResponse, wrapsResponse } from "./fault_responses.ts";
import { type FaultKind, FaultRegistry, type FaultRule, type Faults } from "./faults.ts";

export interface RequestLogEntry {
  method: string;
  /** URL pathname, without the query. */
  path: string;
  /** The simulator clock (ms) when the request arrived. */
  at: number;
  /** The fault applied to this request, if any. */
  fault?: FaultKind;
}

export interface FaultyFetchOptions {
  /** The simulator's clock (ms), for the log. */
  now: () => number;
  /** Source of randomness for fault `probability`. */
  random: () => number;
  /** The simulator proper: answers a request as the API would. */
  handle: (req: Request, url: URL) => Promise<Response>;
  /** A "status" fault's answer in the API's own error shape; OpenAI's when omitted. */
  statusError?: (rule: Readonly<FaultRule>) => Response;
  /** Called with each answer no fault touched, before it is returned. */
  answered?: (req: Request, response: Response) => Promise<void>;
}

export interface FaultyFetch {
  /** Answers one API request; use it as a client's `fetch` or as a Deno.serve handler. */
  fetch(req: Request): Promise<Response>;
  readonly faults: Faults;
  /** Every request received, in arrival order (failed auth and faulted ones included). */
  readonly requests: readonly RequestLogEntry[];
}

/** A simulator's `fetch`, its fault rules and its request log, around its handler. */
export function faultyFetch(options: FaultyFetchOptions): FaultyFetch {
  const { now, handle } = options;
  const faults = new FaultRegistry(options.random);
  const requests: RequestLogEntry[] = [];

  async function fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const entry: RequestLogEntry = { method: req.method, path: url.pathname, at: now() };
    requests.push(entry);
    const fault = faults.pick(req.method, url.pathname + url.search);
    if (!fault) {
      const response = await handle(req, url);
      await options.answered?.(req, response);
      return response;
    }
    entry.fault = fault.kind;
    if (wrapsResponse(fault)) return degradedResponse(fault, await handle(req, url), req);
    if (fault.when === "after") {
      const processed = await handle(req, url);
      await processed.body?.cancel();
    }
    return await replacementResponse(fault, req, options.statusError);
  }

  return { fetch, faults, requests };
}
