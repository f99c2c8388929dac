import type { JobContext, UpstreamJob } from "../upstream.ts";
import { UpstreamError } from "../upstream.ts";
import type { OperationBody } from "./operation_body.ts";

/** A Veo long-running operation as `fetchPredictOperation` answers it. */
export interface VertexOperation {
  name?: string;
  done?: boolean;
  /** google.rpc.Status: a numeric code and a message. */
  error?: { code?: number; message?: string };
  response?: {
    "@type"?: string;
    videos?: { bytesBase64Encoded?: string; gcsUri?: string; mimeType?: string }[];
    raiMediaFilteredCount?: number;
    raiMediaFilteredReasons?: string[];
  };
}

/**
 * How long a video usually takes, for the progress Veo does not report: `baseMs + perSecondMs`
 * per second of video. Progress never passes 95 before the operation is done.
 */
export interface ProgressEstimate {
  baseMs: number;
  perSecondMs: number;
}

/** google.rpc.Code names, for the codes an operation's error can carry. */
const RPC_CODES: Record<number, string> = {
  1: "cancelled",
  2: "unknown",
  3: "invalid_argument",
  4: "deadline_exceeded",
  5: "not_found",
  7: "permission_denied",
  8: "resource_exhausted",
  9: "failed_precondition",
  10: "aborted",
  13: "internal",
  14: "unavailable",
};

/** Google words its safety refusals like this when they come as an operation error. */
const SAFETY = /usage guidelines|responsible ai|safety|support codes?:/i;

export function asOperation(body: OperationBody): VertexOperation {
  const op = body.json as VertexOperation;
  if (typeof op !== "object" || op === null || typeof op.name !== "string" || !op.name) {
    throw new UpstreamError("Vertex AI answered with something that is not an operation.", true);
  }
  return op;
}

/** What an operation means for the job: still working, made, or refused and why. */
export function operationJob(
  body: OperationBody,
  estimate: ProgressEstimate,
  now: number,
  context?: JobContext,
): UpstreamJob {
  const op = asOperation(body);
  const base = { id: op.name!, error: null, expires_at: null };
  if (op.error) {
    const message = typeof op.error.message === "string" && op.error.message.trim()
      ? op.error.message.trim()
      : "Veo could not make this video.";
    const code = SAFETY.test(message)
      ? "moderation_blocked"
      : RPC_CODES[op.error.code ?? 2] ?? "generation_failed";
    return { ...base, status: "failed", progress: 0, error: { code, message } };
  }
  if (!op.done) {
    const expected = estimate.baseMs + estimate.perSecondMs * Number(context?.seconds ?? 8);
    const elapsed = context ? now - context.startedAt : 0;
    const progress = expected > 0 ? Math.floor((100 * elapsed) / expected) : 0;
    return { ...base, status: "in_progress", progress: Math.max(0, Math.min(95, progress)) };
  }
  if (body.video && body.video.bytes > 0) {
    return { ...base, status: "completed", progress: 100 };
  }
  const response = op.response ?? {};
  if ((response.raiMediaFilteredCount ?? 0) > 0) {
    const reason = response.raiMediaFilteredReasons?.find((r) => typeof r === "string" && r);
    return {
      ...base,
      status: "failed",
      progress: 0,
      error: {
        code: "moderation_blocked",
        message: reason ?? "Google's safety filters blocked this video.",
      },
    };
  }
  const stored = response.videos?.find((v) => typeof v.gcsUri === "string")?.gcsUri;
  return {
    ...base,
    status: "failed",
    progress: 0,
    error: {
      code: "generation_failed",
      message: stored
        ? `Vertex AI stored this video in Cloud Storage (${stored}), which this server does not read.`
        : "Veo finished without a video.",
    },
  };
}

/** The operation's model resource: `projects/…/publishers/google/models/{model}`. */
export function resourceOf(operationName: string): string {
  const at = operationName.indexOf("/operations/");
  if (at <= 0) {
    throw new UpstreamError(`"${operationName}" is not the name of a Vertex AI operation.`, false);
  }
  return operationName.slice(0, at);
}
