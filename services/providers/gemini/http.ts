// Plain HTTP to the Gemini API: the key header, a time limit on every request, and no retries of
// its own (the poller retries with its budget and backoff; a retried create would bill twice).
import type { Fetch } from "../options.ts";
import { UpstreamError } from "../upstream.ts";
import { classifyAnswer, classifyThrown, type Operation } from "./errors.ts";

export interface GeminiHttpOptions {
  apiKey: string;
  /** The API's origin, e.g. https://generativelanguage.googleapis.com. */
  baseUrl: string;
  /** `v1` as @google/genai 3.x uses (`v1beta` for 2.x). */
  version: string;
  fetch: Fetch;
  /** Until an answer's headers, and then between chunks of its body. */
  timeoutMs: number;
}

export class GeminiHttp {
  readonly #o: GeminiHttpOptions;
  readonly #origin: string;

  constructor(options: GeminiHttpOptions) {
    this.#o = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
    this.#origin = new URL(this.#o.baseUrl).origin;
  }

  /**
   * `{base}/{version}/{path}`; a base that already names a version (`…/v1beta`, as some proxies
   * are written down) is used as it is.
   */
  url(path: string): string {
    const versioned = /\/v\d+(alpha|beta)?\d*$/.test(this.#o.baseUrl);
    return versioned
      ? `${this.#o.baseUrl}/${path}`
      : `${this.#o.baseUrl}/${this.#o.version}/${path}`;
  }

  /** Whether a URL is on the API's own host (the only one the key is sent to). */
  onApiHost(url: string): boolean {
    return new URL(url).origin === this.#origin;
  }

  /** A JSON call; a non-2xx answer is thrown as a classified UpstreamError. */
  async json<T>(method: string, path: string, operation: Operation, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.send(this.url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }, operation);
    const text = await this.#readText(response);
    if (!text.trim()) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UpstreamError(
        "Google's Gemini API answered with something that is not JSON.",
        true,
      );
    }
  }

  /**
   * One request, its answer's headers awaited within the time limit; the body is the caller's to
   * read. The key goes only to the API's own host, never to another a URI may point at.
   */
  async send(
    url: string,
    init: RequestInit & { headers?: Record<string, string> },
    operation: Operation,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.onApiHost(url)) headers["x-goog-api-key"] = this.#o.apiKey;
    const timer = new AbortController();
    const timeout = setTimeout(
      () => timer.abort(new UpstreamError("Google's Gemini API did not answer in time.", true)),
      this.#o.timeoutMs,
    );
    let response: Response;
    try {
      response = await this.#o.fetch(url, {
        ...init,
        headers,
        signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      throw classifyThrown(timer.signal.aborted ? timer.signal.reason : error);
    } finally {
      clearTimeout(timeout);
    }
    if (response.ok) return response;
    const text = await this.#readText(response).catch(() => "");
    throw classifyAnswer(response.status, response.headers, text, operation);
  }

  /** The body as text, giving up when it stalls for the time limit (a big inline video is slow). */
  async #readText(response: Response): Promise<string> {
    if (!response.body) return "";
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parts: string[] = [];
    for (;;) {
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timeout = setTimeout(
          () => reject(new UpstreamError("Google's Gemini API stopped sending its answer.", true)),
          this.#o.timeoutMs,
        );
      });
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) break;
        parts.push(decoder.decode(value, { stream: true }));
      } catch (error) {
        await reader.cancel().catch(() => {});
        throw classifyThrown(error);
      } finally {
        clearTimeout(timeout);
      }
    }
    parts.push(decoder.decode());
    return parts.join("");
  }
}
