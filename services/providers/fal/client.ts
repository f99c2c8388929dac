import type { Fetch } from "../options.ts";
import { retryAfterMs, UpstreamError } from "../upstream.ts";

export interface FalClientOptions {
  key: string;
  fetch: Fetch;
  /** Until the answer's headers (and the body, for JSON answers, which are small). */
  timeoutMs: number;
  /**
   * Origins the key may be sent to (the queue's and the API's). Media URLs elsewhere (fal's CDN)
   * are public and must never see the key.
   */
  keyOrigins: readonly string[];
}

/** A JSON answer: its status, headers and parsed body (undefined when it was not JSON). */
export interface FalAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * fal over plain fetch: the key header, a time limit on every request, and no retries (the
 * poller owns retries and the request budget). Network failures become classified errors here;
 * HTTP errors are left to the caller, which knows what a 404 or a 422 means for its call.
 */
export class FalClient {
  constructor(readonly options: FalClientOptions) {}

  /** Sends a request and reads its JSON answer, whatever its status. */
  async json(method: string, url: string, body?: unknown): Promise<FalAnswer> {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(timedOut()), this.options.timeoutMs);
    try {
      const response = await this.#send(method, url, timer.signal, body);
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed ?? text };
    } catch (error) {
      throw networkError(error, timer.signal);
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Sends a GET whose body is streamed to the caller: the time limit ends with the headers. */
  async stream(url: string, signal: AbortSignal): Promise<Response> {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(timedOut()), this.options.timeoutMs);
    try {
      return await this.#send("GET", url, AbortSignal.any([signal, timer.signal]));
    } catch (error) {
      if (signal.aborted) throw error;
      throw networkError(error, timer.signal);
    } finally {
      clearTimeout(timeout);
    }
  }

  #send(method: string, url: string, signal: AbortSignal, body?: unknown): Promise<Response> {
    const headers = new Headers({ accept: "application/json" });
    if (this.options.keyOrigins.includes(new URL(url).origin)) {
      headers.set("authorization", `Key ${this.options.key}`);
    }
    if (body !== undefined) headers.set("content-type", "application/json");
    return this.options.fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  }
}

function timedOut(): UpstreamError {
  return new UpstreamError("fal.ai did not answer in time.", true);
}

function networkError(error: unknown, timer: AbortSignal): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (timer.aborted) return timedOut();
  return new UpstreamError(
    "fal.ai could not be reached.",
    true,
    undefined,
    undefined,
    undefined,
    "unreachable",
  );
}

/** One entry of a model error's `detail` array (fal's documented error shape). */
export interface FalErrorDetail {
  loc?: (string | number)[];
  msg?: string;
  type?: string;
}

/** What an error answer says: its details, its infrastructure error type, its plain text. */
export interface FalErrorFacts {
  details: FalErrorDetail[];
  /** `error_type` (body) or `X-Fal-Error-Type` (header): request_timeout, runner_disconnected… */
  errorType?: string;
  /** A `detail` given as a plain string, or a `message`. */
  text?: string;
  /** `X-Fal-Retryable`, when the answer says. */
  retryable?: boolean;
  /** Whether the answer was a JSON object (fal's own), not a proxy's page. */
  fromFal: boolean;
}

export function errorFacts(answer: FalAnswer): FalErrorFacts {
  const fromFal = typeof answer.body === "object" && answer.body !== null;
  const body = (fromFal ? answer.body : {}) as {
    detail?: unknown;
    error_type?: unknown;
    message?: unknown;
    error?: unknown;
  };
  const details = Array.isArray(body.detail)
    ? body.detail.filter((d): d is FalErrorDetail => typeof d === "object" && d !== null)
    : [];
  const text = typeof body.detail === "string"
    ? body.detail
    : typeof body.message === "string"
    ? body.message
    : typeof body.error === "string"
    ? body.error
    : typeof answer.body === "string" && answer.body.length < 300 && answer.body.trim()
    ? answer.body.trim()
    : undefined;
  const errorType = answer.headers.get("x-fal-error-type") ??
    (typeof body.error_type === "string" ? body.error_type : undefined);
  const retryableHeader = answer.headers.get("x-fal-retryable")?.toLowerCase();
  return {
    details,
    errorType: errorType || undefined,
    text,
    retryable: retryableHeader === "true" ? true : retryableHeader === "false" ? false : undefined,
    fromFal,
  };
}

/** Infrastructure error types that say the request itself was cancelled, not that fal failed. */
const CANCELLED = new Set(["client_cancelled", "client_disconnected"]);

/**
 * An error answer to a request about this video (a submit, or its result), classified for the
 * poller. `final` says the answer is the video's own outcome (the result of a COMPLETED request):
 * fal has already retried infrastructure failures up to 10 times before giving that answer, so
 * an error it explains (an `error_type`, a `detail`) fails the video instead of being tried
 * again; only an answer fal did not write (a proxy's page) or one marked retryable is retried.
 */
export function classifyFalError(answer: FalAnswer, final = false): UpstreamError {
  const status = answer.status;
  const facts = errorFacts(answer);
  if (status === 401 || status === 403) {
    return new UpstreamError(
      `fal.ai refused the key (${status}${facts.text ? `: ${facts.text}` : ""}).`,
      true,
      status,
      "unauthorized",
      undefined,
      "refused",
    );
  }
  if (status === 429) {
    return new UpstreamError(
      "fal.ai is limiting requests right now.",
      true,
      status,
      "rate_limited",
      retryAfterMs(answer.headers),
    );
  }
  const refusal = facts.details.find((d) => d.type === "content_policy_violation");
  if (refusal) {
    return new UpstreamError(
      `fal.ai refused the prompt: ${refusal.msg ?? "it goes against the content policy"}`,
      false,
      status,
      "moderation_blocked",
    );
  }
  if (facts.details.length > 0 && status < 500) {
    return new UpstreamError(
      `fal.ai did not accept the request: ${facts.details.map(describeDetail).join("; ")}`,
      false,
      status,
      "invalid_request",
    );
  }
  if (facts.errorType && CANCELLED.has(facts.errorType)) {
    return new UpstreamError("The request was cancelled on fal.ai.", false, status, "cancelled");
  }
  if (status >= 500 || status === 408) {
    const why = facts.text ?? (facts.details.map(describeDetail).join("; ") ||
      facts.errorType || `status ${status}`);
    // After fal's own retries, an infrastructure error in the result is the video's outcome.
    const explained = !!facts.errorType ||
      (facts.fromFal && (facts.text !== undefined || facts.details.length > 0));
    const transient = facts.retryable === true ||
      (!(final && explained) && facts.retryable !== false);
    return new UpstreamError(
      transient ? `fal.ai had a problem (${why}).` : `fal.ai could not make this video (${why}).`,
      transient,
      status,
      facts.errorType ?? "upstream_error",
    );
  }
  return new UpstreamError(
    `fal.ai did not accept the request: ${facts.text ?? `status ${status}`}`,
    false,
    status,
    status === 404 ? "not_found" : "invalid_request",
  );
}

/** `duration: Input should be '4s', '6s' or '8s'`, from a validation detail. */
function describeDetail(detail: FalErrorDetail): string {
  const loc = (detail.loc ?? []).filter((part) => part !== "body");
  const msg = detail.msg ?? detail.type ?? "invalid";
  return loc.length ? `${loc.join(".")}: ${msg}` : msg;
}
