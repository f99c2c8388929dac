// Answers shaped the way Google's APIs shape them, for the Gemini and Vertex AI simulators: JSON,
// `{"error": {"code", "message", "status"}}` errors, status faults with a RetryInfo, and the HTML
// page Google's front end gives a path no API serves.
import type { FaultRule } from "./faults.ts";
import { jsonResponse } from "./responses.ts";

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

/** A JSON answer as Google sends one (its content type names the charset). */
export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=UTF-8");
  return jsonResponse(body, status, h);
}

/** An error the way Google's APIs answer one: `{"error": {"code", "message", "status"}}`. */
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

/**
 * A "status" fault's answer, in the words `message` gives for its code. Google says when to come
 * back in the body (a RetryInfo detail) as well as in Retry-After.
 */
export function googleStatusFault(
  rule: Readonly<FaultRule>,
  message: (code: number) => string,
): Response {
  const code = rule.status ?? 500;
  const headers = new Headers();
  if (rule.retryAfter !== undefined) headers.set("retry-after", String(rule.retryAfter));
  const details = rule.retryAfter === undefined
    ? undefined
    : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${rule.retryAfter}s` }];
  return googleError(code, message(code), { headers, details });
}

/** What Google's front end answers for a URL no API method serves: an HTML page, not JSON. */
export function notFoundPage(path: string): Response {
  const html =
    "<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 404 (Not Found)!!1" +
    `</title><p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>` +
    `${escapeHtml(path)}</code> was not found on this server. <ins>That’s all we know.</ins>\n`;
  return new Response(html, {
    status: 404,
    headers: { "content-type": "text/html; charset=UTF-8" },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
