import type OpenAI from "openai";
import type { Database } from "./db.ts";
import { AppError } from "./errors.ts";
import type { JobRunner } from "./jobs.ts";
import { openAISdk } from "./providers/openai.ts";

/** Signatures older (or newer) than this are refused, so a captured delivery cannot be replayed later. */
const TOLERANCE_SECONDS = 300;

let verifier: OpenAI | undefined;

export interface WebhookOutcome {
  type: string;
  videoId: string | null;
  duplicate: boolean;
}

/**
 * Verifies a signed OpenAI webhook (standard-webhooks headers) with the SDK and, for a video that
 * finished or failed, makes its job due at once instead of at the next poll. The poller stays the
 * one place that changes a job, so a webhook can never disagree with it.
 */
export async function handleOpenAIWebhook(
  deps: { db: Database; jobs: JobRunner; secret: string; now: () => number },
  payload: string,
  headers: Headers,
): Promise<WebhookOutcome> {
  let event: { type?: string; data?: { id?: unknown } };
  verifier ??= new (await openAISdk()).default({ apiKey: "webhook-verification-only" });
  try {
    event = await verifier.webhooks.unwrap(payload, headers, deps.secret, TOLERANCE_SECONDS) as {
      type?: string;
      data?: { id?: unknown };
    };
  } catch {
    throw new AppError(400, "invalid_signature", "The webhook signature could not be verified.");
  }
  const deliveryId = headers.get("webhook-id")!;
  const now = deps.now();
  deps.db.pruneWebhookDeliveries(now - 2 * TOLERANCE_SECONDS * 1000);
  if (!deps.db.recordWebhookDelivery(deliveryId, now)) {
    return { type: String(event.type), videoId: null, duplicate: true };
  }
  const upstreamId = typeof event.data?.id === "string" ? event.data.id : undefined;
  const isVideoEvent = event.type === "video.completed" || event.type === "video.failed";
  const video = isVideoEvent && upstreamId ? deps.db.videoByUpstreamId(upstreamId) : undefined;
  if (video) deps.jobs.expedite(video.id);
  return { type: String(event.type), videoId: video?.id ?? null, duplicate: false };
}
