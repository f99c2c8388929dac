// Answers the way Google's APIs give them: JSON, `{"error": {"code", "message", "status"}}`
// errors, Google's HTML page for a path no API serves, and the API key check.
import type { FaultRule } from "../faults.ts";

const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=UTF-8");
  h.set("content-length", String(bytes.byteLength));
  return new Response(bytes, { status, headers: h });
}

/** An error as Google's APIs answer one. */
export function googleError(
  code: number,
  message: string,
  extra: { status?: string; details?: unknown[]; headers?: HeadersInit } = {},
): Response {
  const error: Record<string, unknown> = {
    code,
    message,
    status: extra.status ?? GOOGLE_STATUS[code] ?? "UNKNOWN",
  };
  if (extra.details) error.details = extra.details;
  return json({ error }, code, extra.headers);
}

export const invalid = (message: string) => googleError(400, message);
export const notFound = (message: string) => googleError(404, message);
export const failedPrecondition = (message: string) =>
  googleError(400, message, { status: "FAILED_PRECONDITION" });

/** What Google's front end answers for a URL no API method serves: an HTML page, not JSON. */
export function noSuchPage(method: string, path: string): Response {
  const body = `<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)!!1</title>` +
    `<p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>${escapeHtml(path)}` +
    `</code> was not found on this server (${escapeHtml(method)}). <ins>That’s all we know.</ins>`;
  return new Response(body, {
    status: 404,
    headers: { "content-type": "text/html; charset=UTF-8" },
  });
}

/** A "status" fault, worded as Google words it; the retry delay goes in the body, not a header. */
export function statusFault(rule: Readonly<FaultRule>): Response {
  const code = rule.status ?? 500;
  const headers = new Headers();
  if (rule.retryAfter !== undefined) headers.set("retry-after", String(rule.retryAfter));
  const message = code === 429
    ? "Resource has been exhausted (e.g. check quota)."
    : code >= 500
    ? "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
    : `Simulated error with status ${code}.`;
  const details = rule.retryAfter === undefined
    ? undefined
    : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${rule.retryAfter}s` }];
  return googleError(code, message, { headers, details });
}

/** The API key check: none given → 403; a wrong one (when the simulator has one) → 400. */
export function checkKey(req: Request, url: URL, apiKey: string | undefined): Response | undefined {
  const key = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
  if (!key) {
    return googleError(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). " +
        "Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  if (apiKey !== undefined && key !== apiKey) {
    return googleError(400, "API key not valid. Please pass a valid API key.", {
      details: [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
      }],
    });
  }
  return undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
