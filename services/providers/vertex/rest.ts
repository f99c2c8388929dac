import type { Fetch } from "../options.ts";
import { UpstreamError } from "../upstream.ts";
import { networkError, type VertexCall, vertexError } from "./errors.ts";
import type { TokenSource } from "./token.ts";

export interface VertexRestOptions {
  /** `https://{location}-aiplatform.googleapis.com`, or a stand-in's origin. */
  baseUrl: string;
  fetch: Fetch;
  /** Until the answer's headers; the body is then watched for stalls by whoever reads it. */
  timeoutMs: number;
  tokens: TokenSource;
}

/**
 * Vertex AI's REST API (v1) with a service account's bearer token: one request at a time, a time
 * limit on each, Google's errors classified. A 401 is answered once with a fresh token (the old
 * one was revoked, or a stand-in restarted) before the credentials are called refused.
 */
export class VertexRest {
  readonly #options: VertexRestOptions;
  readonly #base: string;

  constructor(options: VertexRestOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, "");
  }

  get base(): string {
    return this.#base;
  }

  /** Sends a request under `/v1/`, answering the response once its status is a success. */
  async send(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    call: VertexCall,
    signal?: AbortSignal,
  ): Promise<Response> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1;; attempt++) {
      const token = await this.#options.tokens.token();
      const headers = new AbortController();
      const timer = setTimeout(
        () => headers.abort(new UpstreamError("Vertex AI did not answer in time.", true)),
        this.#options.timeoutMs,
      );
      try {
        let response: Response;
        try {
          response = await this.#options.fetch(`${this.#base}/v1/${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(payload === undefined ? {} : { "content-type": "application/json" }),
            },
            body: payload,
            signal: signal ? AbortSignal.any([signal, headers.signal]) : headers.signal,
          });
        } catch (error) {
          throw networkError(headers.signal.aborted ? headers.signal.reason : error);
        }
        if (response.ok) return response;
        if (response.status === 401 && attempt === 1) {
          await response.body?.cancel();
          this.#options.tokens.invalidate(token);
          continue;
        }
        // The error's body is small; the timer still guards reading it.
        throw await vertexError(response, call);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
