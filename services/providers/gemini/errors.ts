// Google's error answers ({"error": {"code", "message", "status", "details"}}) and transport
// failures, turned into UpstreamErrors the poller can act on.
import { ModelRetiredError, NOT_OFFERED, retryAfterMs, UpstreamError } from "../upstream.ts";

/**
 * What the failed request was doing, which decides what a 404 means: on a create it names a
 * model that is gone (or an endpoint that is); on an edit or extension, a source that is gone; on
 * a read, content Google no longer keeps.
 */
export type Operation =
  | { kind: "create"; model: string }
  | { kind: "follow_up"; model: string }
  | { kind: "read" }
  /** A generated file, wherever its URI points (a 404 there is the file, never the API). */
  | { kind: "file" }
  | { kind: "ping" };

interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: { "@type"?: string; reason?: string; retryDelay?: string }[];
}

/** A non-2xx answer from the Gemini API, classified. */
export function classifyAnswer(
  status: number,
  headers: Headers,
  bodyText: string,
  operation: Operation,
): UpstreamError {
  const google = parseGoogleError(bodyText);
  const message = sentence(google?.message) ??
    `Google's Gemini API answered with status ${status}.`;
  const code = google?.status?.toLowerCase();
  const details = Array.isArray(google?.details) ? google.details : [];
  const keyInvalid = details.some((d) => d?.reason === "API_KEY_INVALID") ||
    /API key (not valid|expired)/i.test(message);

  if (status === 401 || status === 403 || keyInvalid) {
    return new UpstreamError(message, true, status, code, undefined, "refused");
  }
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    return new UpstreamError(message, true, status, code, retryDelay(details, headers));
  }
  if ("model" in operation && google !== undefined && modelGone(status, message, operation)) {
    return new ModelRetiredError(operation.model, message, replacementIn(message));
  }
  if (status === 404 || status === 405) {
    switch (operation.kind) {
      case "create":
      case "ping":
        // No Google answer naming a model: the endpoint itself is not there (a wrong base URL).
        return new UpstreamError(message, true, status, code, undefined, "gone");
      case "follow_up":
        if (google !== undefined && status === 404 && /interaction/i.test(message)) {
          return new UpstreamError(
            "Google no longer has the video this starts from, so it cannot be changed there.",
            false,
            404,
            "not_found",
          );
        }
        return new UpstreamError(message, false, status, NOT_OFFERED);
      case "file":
        return new UpstreamError(
          "Google no longer has this video's file (it keeps them for two days).",
          false,
          404,
          "not_found",
        );
      case "read":
        // Not Google's own error: the API is not at this address, which says nothing of the video.
        if (google === undefined) {
          return new UpstreamError(message, true, status, code, undefined, "gone");
        }
        return new UpstreamError(
          "Google no longer has this video (it keeps them for a limited time).",
          false,
          404,
          "not_found",
        );
    }
  }
  return new UpstreamError(message, false, status, code);
}

/** What `fetch` threw (no answer at all), classified; an UpstreamError passes through. */
export function classifyThrown(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const name = (error as Error)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new UpstreamError("Google's Gemini API did not answer in time.", true);
  }
  if (error instanceof TypeError) {
    return new UpstreamError(
      "Google's Gemini API could not be reached.",
      true,
      undefined,
      undefined,
      undefined,
      "unreachable",
    );
  }
  return new UpstreamError(
    `Google's Gemini API answered unexpectedly: ${(error as Error)?.message ?? error}`,
    true,
  );
}

/**
 * Whether Google's answer says the model is gone: "no longer available", or a 404 naming it. On a
 * create, any 404 in Google's own error format means the model (the endpoint answered); a missing
 * endpoint answers Google's HTML page instead.
 */
function modelGone(
  status: number,
  message: string,
  operation: { kind: "create" | "follow_up"; model: string },
): boolean {
  if (/no longer available/i.test(message)) return true;
  if (status !== 404) return false;
  if (new RegExp(`\\b${escape(operation.model)}\\b`).test(message)) return true;
  return operation.kind === "create" && !/interaction/i.test(message);
}

function parseGoogleError(text: string): GoogleError | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    const error = body?.error;
    return typeof error === "object" && error !== null ? error as GoogleError : undefined;
  } catch {
    return undefined;
  }
}

/** Google says when to come back in the body (RetryInfo); a Retry-After header is honoured too. */
function retryDelay(details: GoogleError["details"] & unknown[], headers: Headers) {
  const delay = details.find((d) => typeof d?.retryDelay === "string")?.retryDelay;
  const match = delay ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
  return match ? Math.round(Number(match[1]) * 1000) : retryAfterMs(headers);
}

/** The successor a retirement message names ("… use gemini-omni-1.2-flash instead"), if any. */
function replacementIn(message: string): string | undefined {
  return /\b(?:use|switch to|migrate to)\s+(?:models\/)?([a-z][\w.-]*[a-z0-9])/i.exec(message)?.[1];
}

function sentence(text: string | undefined): string | undefined {
  const trimmed = typeof text === "string" ? text.trim() : "";
  if (!trimmed) return undefined;
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
