// Answers shaped the way Google's APIs shape them, for the Vertex AI simulator.
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

export function invalidArgument(message: string): Response {
  return googleError(400, message);
}

/** A fault rule's status answer, worded as Vertex AI words it. */
export function faultStatus(rule: Readonly<FaultRule>): Response {
  const code = rule.status ?? 500;
  const headers = new Headers();
  if (rule.retryAfter !== undefined) headers.set("retry-after", String(rule.retryAfter));
  const message = code === 429
    ? "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model " +
      "with base model: veo. Please submit a quota increase request."
    : code === 401
    ? UNAUTHENTICATED_MESSAGE
    : code === 403
    ? "Permission 'aiplatform.endpoints.predict' denied on resource (or it may not exist)."
    : code >= 500
    ? "Internal error encountered."
    : `Simulated error with status ${code}.`;
  // Google says when to come back in the body (RetryInfo) as well as in Retry-After.
  const details = rule.retryAfter === undefined
    ? undefined
    : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${rule.retryAfter}s` }];
  return googleError(code, message, { headers, details });
}

export const UNAUTHENTICATED_MESSAGE =
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie " +
  "or other valid authentication credential. See " +
  "https://developers.google.com/identity/sign-in/web/devconsole-project.";

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=UTF-8");
  h.set("content-length", String(bytes.byteLength));
  return new Response(bytes, { status, headers: h });
}
