import type OpenAI from "openai";
import type { Database } from "../stores/database.ts";
import { AppError } from "../errors.ts";
import type { JobRunner } from "./jobs.ts";
import { openAISdk } from "../providers/openai/provider.ts";
import type { FalProvider } from "../providers/fal/provider.ts";
import { FalWebhookRejected } from "../providers/fal/webhook_verify.ts";

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
  await deps.db.pruneWebhookDeliveries(now - 2 * TOLERANCE_SECONDS * 1000);
  if (!await deps.db.recordWebhookDelivery(deliveryId, now)) {
    return { type: String(event.type), videoId: null, duplicate: true };
  }
  const upstreamId = typeof event.data?.id === "string" ? event.data.id : undefined;
  const isVideoEvent = event.type === "video.completed" || event.type === "video.failed";
  const video = isVideoEvent && upstreamId
    ? await deps.db.videoByUpstreamId(upstreamId)
    : undefined;
  if (video) await deps.jobs.expedite(video.id);
  return { type: String(event.type), videoId: video?.id ?? null, duplicate: false };
}

/**
 * Verifies a signed fal.ai delivery (ED25519 with fal's JWKS, at most 5 minutes old) and makes
 * the job of the request it is about due at once. The body itself is not trusted beyond that:
 * the poller reads the request's status and result as it always does.
 */
export async function handleFalWebhook(
  deps: { db: Database; jobs: JobRunner; provider: FalProvider | undefined },
  body: Uint8Array<ArrayBuffer>,
  headers: Headers,
): Promise<{ requestId: string; videoId: string | null }> {
  if (!deps.provider) {
    throw new AppError(400, "webhooks_disabled", "fal.ai is not set up on this server.");
  }
  let delivery;
  try {
    delivery = await deps.provider.webhooks.verify(body, headers);
  } catch (error) {
    if (!(error instanceof FalWebhookRejected)) throw error;
    throw new AppError(400, "invalid_signature", "The webhook signature could not be verified.");
  }
  let video;
  for (const id of deps.provider.webhooks.upstreamIds(delivery.requestId)) {
    video ??= await deps.db.videoByUpstreamId(id);
  }
  if (video) await deps.jobs.expedite(video.id);
  return { requestId: delivery.requestId, videoId: video?.id ?? null };
}
