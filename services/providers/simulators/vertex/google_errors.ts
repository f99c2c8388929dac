// Answers the way Google's APIs give them (../google_responses.ts), in Vertex AI's words.
import type { FaultRule } from "../faults.ts";
import { googleError, googleStatusFault } from "../google_responses.ts";

export function invalidArgument(message: string): Response {
  return googleError(400, message);
}

/** A fault rule's status answer, worded as Vertex AI words it. */
export function faultStatus(rule: Readonly<FaultRule>): Response {
  return googleStatusFault(
    rule,
    (code) =>
      code === 429
        ? "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model " +
          "with base model: veo. Please submit a quota increase request."
        : code === 401
        ? UNAUTHENTICATED_MESSAGE
        : code === 403
        ? "Permission 'aiplatform.endpoints.predict' denied on resource (or it may not exist)."
        : code >= 500
        ? "Internal error encountered."
        : `Simulated error with status ${code}.`,
  );
}

export const UNAUTHENTICATED_MESSAGE =
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie " +
  "or other valid authentication credential. See " +
  "https://developers.google.com/identity/sign-in/web/devconsole-project.";
