import { retryAfterMs, UpstreamError } from "../upstream.ts";

/** Google's error body: `{"error": {"code", "message", "status", "details"}}`. */
interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { "@type"?: string; reason?: string; retryDelay?: string }[];
  };
}

/** What was being done, so a refusal can be put in words. */
export type VertexCall = "create" | "check" | "download" | "ping";

/**
 * Turns a failed answer from Vertex AI into an UpstreamError the poller acts on: the credentials
 * refused (401/403) is an outage that holds jobs; 429, 408, 409 and 5xx are retried (after the
 * RetryInfo delay when Google gives one); other 4xx fail the video with Google's own words.
 */
export async function vertexError(response: Response, call: VertexCall): Promise<UpstreamError> {
  const text = await response.text().catch(() => "");
  let body: GoogleErrorBody = {};
  try {
    body = JSON.parse(text);
  } catch {
    // A proxy's HTML page, or nothing: the status alone says what happened.
  }
  const status = response.status;
  const said = body.error?.message?.trim();
  const code = body.error?.status?.toLowerCase();
  const delay = body.error?.details?.find((d) => typeof d.retryDelay === "string")?.retryDelay;
  const wait = delay && /^\d+(\.\d+)?s$/.test(delay)
    ? Number(delay.slice(0, -1)) * 1000
    : retryAfterMs(response.headers);
  if (status === 401 || status === 403) {
    return new UpstreamError(
      `Vertex AI refused the service account's credentials${said ? `: ${said}` : "."}`,
      true,
      status,
      code,
      undefined,
      "refused",
    );
  }
  if (status === 410) {
    return new UpstreamError(
      said ?? "Vertex AI says this is gone.",
      true,
      status,
      code,
      wait,
      "gone",
    );
  }
  const transient = status === 408 || status === 409 || status === 429 || status >= 500;
  if (transient) {
    const what = status === 429
      ? "Vertex AI asked to slow down (quota or rate limit)"
      : `Vertex AI answered HTTP ${status}`;
    return new UpstreamError(said ? `${what}: ${said}` : `${what}.`, true, status, code, wait);
  }
  if (call === "ping") {
    return new UpstreamError(
      `Vertex AI answered HTTP ${status} to the health check, so the credentials cannot be ` +
        `verified${said ? `: ${said}` : "."}`,
      false,
      status,
      code,
    );
  }
  const message = status === 400 && said
    ? `Vertex AI did not accept the request: ${said}`
    : said ?? `Vertex AI answered HTTP ${status}.`;
  return new UpstreamError(message, false, status, code);
}

/** What fetch itself threw (no answer at all), as an UpstreamError. */
export function networkError(error: unknown, what = "Vertex AI"): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const name = (error as Error)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new UpstreamError(`${what} did not answer in time.`, true);
  }
  return new UpstreamError(
    `${what} could not be reached (${(error as Error)?.message ?? error}).`,
    true,
    undefined,
    undefined,
    undefined,
    "unreachable",
  );
}
