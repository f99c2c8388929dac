// Answers the way Google's APIs give them (../google_responses.ts), in the Gemini API's words,
// and the API key check.
import type { FaultRule } from "../faults.ts";
import { googleError, googleStatusFault } from "../google_responses.ts";

export const invalid = (message: string) => googleError(400, message);
export const notFound = (message: string) => googleError(404, message);
export const failedPrecondition = (message: string) =>
  googleError(400, message, { status: "FAILED_PRECONDITION" });

/** A "status" fault, worded as the Gemini API words it. */
export function statusFault(rule: Readonly<FaultRule>): Response {
  return googleStatusFault(
    rule,
    (code) =>
      code === 429
        ? "Resource has been exhausted (e.g. check quota)."
        : code >= 500
        ? "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
        : `Simulated error with status ${code}.`,
  );
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
