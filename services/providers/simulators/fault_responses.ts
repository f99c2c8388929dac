import type { FaultRule } from "./faults.ts";
import { errorResponse } from "./responses.ts";

const DEFAULT_SLOW_DELAY_MS = 100;
const DEFAULT_SLOW_CHUNK_BYTES = 16 * 1024;

// Both entry points take the Request rather than its signal: Deno.serve warns about its
// legacy abort semantics as soon as request.signal is read, so only the faults that wait
// on it (hang, slow) touch it.

/**
 * Answers a fault that replaces the response entirely; a "status" one through `statusError`, the
 * API's own error shape (OpenAI's by default).
 */
export function replacementResponse(
  rule: Readonly<FaultRule>,
  req: Request,
  statusError: (rule: Readonly<FaultRule>) => Response = openAIStatusError,
): Promise<Response> {
  switch (rule.kind) {
    case "hang":
      return hang(req.signal);
    case "malformed_json":
      return Promise.resolve(malformedJson());
    default:
      return Promise.resolve(statusError(rule));
  }
}

/** Applies a fault that degrades a real response's body. */
export async function degradedResponse(
  rule: Readonly<FaultRule>,
  response: Response,
  req: Request,
): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  // Both faults keep the honest Content-Length: the client is told what to expect and
  // must notice it did not get it (truncate) or keep waiting for it (slow).
  headers.set("content-length", String(bytes.byteLength));
  const body = rule.kind === "truncate"
    ? truncatedStream(bytes, rule.bytes ?? Math.floor(bytes.byteLength / 2))
    : slowStream(
      bytes,
      rule.bytes ?? DEFAULT_SLOW_CHUNK_BYTES,
      rule.delayMs ?? DEFAULT_SLOW_DELAY_MS,
      req.signal,
    );
  return new Response(body, { status: response.status, headers });
}

export function wrapsResponse(rule: Readonly<FaultRule>): boolean {
  return rule.kind === "truncate" || rule.kind === "slow";
}

/** A "status" fault as OpenAI words it: 429 rate limit, 5xx server error, else a plain error. */
function openAIStatusError(rule: Readonly<FaultRule>): Response {
  const status = rule.status ?? 500;
  const headers = new Headers();
  if (rule.retryAfter !== undefined) headers.set("retry-after", String(rule.retryAfter));
  if (status === 429) {
    return errorResponse(429, {
      message: "Rate limit reached for requests. Please try again later.",
      type: "requests",
      code: "rate_limit_exceeded",
      headers,
    });
  }
  if (status >= 500) {
    return errorResponse(status, {
      message: "The server had an error while processing your request. Sorry about that!",
      type: "server_error",
      headers,
    });
  }
  return errorResponse(status, { message: `Simulated error with status ${status}.`, headers });
}

// Never settles on its own: only the caller giving up (timeout, abort, disconnect) ends it,
// which is exactly what a client's timeout handling has to cope with.
function hang(signal: AbortSignal): Promise<Response> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function malformedJson(): Response {
  // Cut off mid-object: valid UTF-8, invalid JSON.
  const body = new TextEncoder().encode('{"id": "video_');
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": String(body.byteLength) },
  });
}

// The partial chunk and the error go out in separate pulls: erroring a stream discards
// whatever is still queued, and the reader should see the partial bytes first, as it
// would when a connection drops.
function truncatedStream(bytes: Uint8Array, keep: number): ReadableStream<Uint8Array> {
  const cut = Math.max(0, Math.min(keep, bytes.byteLength - 1));
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent && cut > 0) {
        sent = true;
        controller.enqueue(bytes.slice(0, cut));
        return;
      }
      controller.error(
        new TypeError(`connection closed after ${cut} of ${bytes.byteLength} body bytes`),
      );
    },
  }, { highWaterMark: 0 });
}

// highWaterMark 0 means a chunk is only timed when someone reads, so an unread body
// leaves no timer behind; cancel and abort clear the pending one.
function slowStream(
  bytes: Uint8Array,
  chunkBytes: number,
  delayMs: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const size = Math.max(1, Math.floor(chunkBytes));
  let offset = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = () => {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        onAbort = () => {
          stop();
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        timer = setTimeout(() => {
          stop();
          controller.enqueue(bytes.slice(offset, offset + size));
          offset += size;
          if (offset >= bytes.byteLength) controller.close();
          resolve();
        }, delayMs);
      });
    },
    cancel: stop,
  }, { highWaterMark: 0 });
}
