// What an interaction's status means for the app's job: in progress (with an estimate, as the
// API reports none), completed with a video, or failed with a message meant for a person.
import type { VideoError } from "../../types.ts";
import { type JobContext, UpstreamError, type UpstreamJob } from "../upstream.ts";
import { type Interaction, outputText, outputVideo } from "./interactions.ts";

/** How long a video usually takes: `baseMs + perSecondMs * seconds` (a 10 s clip about 24 s). */
export interface Estimate {
  baseMs: number;
  perSecondMs: number;
}

/** Stored interactions are kept 55 days on the paid tier, the only one Omni is offered on. */
export const STORED_SECONDS = 55 * 24 * 3600;
/** A video delivered by URI is a generated file, which the Files API keeps two days. */
export const FILE_SECONDS = 2 * 24 * 3600;

/** The statuses the Interactions API documents (SDK 3.3.0). */
const STATUSES = new Set([
  "queued",
  "in_progress",
  "requires_action",
  "completed",
  "failed",
  "cancelled",
  "incomplete",
  "budget_exceeded",
  "requires_continuation",
]);

export function isKnownStatus(status: unknown): boolean {
  return typeof status === "string" && STATUSES.has(status);
}

const SAFETY = /safety|blocked|prohibited|policy|policies|responsible ai|harm/i;

export function toJob(
  interaction: Interaction,
  now: number,
  estimate: Estimate,
  context?: JobContext,
): UpstreamJob {
  if (!interaction || typeof interaction.id !== "string" || !interaction.id) {
    throw new UpstreamError(
      "Google's Gemini API answered with something that is not an interaction.",
      true,
    );
  }
  const id = interaction.id;
  const failed = (error: VideoError): UpstreamJob => ({
    id,
    status: "failed",
    progress: 0,
    error,
    expires_at: null,
  });
  switch (interaction.status) {
    case "queued":
    case "in_progress": {
      const expected = estimate.baseMs + estimate.perSecondMs * Number(context?.seconds ?? 8);
      const elapsed = context ? now - context.startedAt : 0;
      const progress = expected > 0 ? Math.floor((100 * elapsed) / expected) : 0;
      return {
        id,
        status: interaction.status,
        progress: interaction.status === "queued" ? 0 : Math.max(0, Math.min(95, progress)),
        error: null,
        expires_at: null,
      };
    }
    case "completed": {
      const video = outputVideo(interaction);
      if (!video) {
        const said = outputText(interaction);
        return failed({
          code: "generation_failed",
          message: said
            ? `Gemini Omni answered without a video: ${said}`
            : "Gemini Omni finished without making a video.",
        });
      }
      return {
        id,
        status: "completed",
        progress: 100,
        error: null,
        expires_at: expiry(interaction, now, !video.data),
      };
    }
    case "failed":
      return failed(
        reported(interaction) ?? {
          code: "generation_failed",
          message: "Gemini Omni could not make this video.",
        },
      );
    case "cancelled":
      return failed({
        code: "cancelled",
        message: "The video was cancelled at Google before it was finished.",
      });
    case "incomplete":
      return failed(withCause(interaction, {
        code: "incomplete",
        message: "Gemini Omni stopped before the video was finished.",
      }));
    case "budget_exceeded":
      return failed({
        code: "budget_exceeded",
        message:
          "Gemini Omni stopped because the request reached its budget before the video was finished.",
      });
    case "requires_action":
      return failed({
        code: "unsupported_answer",
        message:
          "Gemini Omni asked for a tool's answer, which a video request never provides; try again.",
      });
    case "requires_continuation":
      return failed({
        code: "unsupported_answer",
        message:
          "Gemini Omni paused and asked to be continued, which this app does not do; try again.",
      });
    default:
      // A status Google added since: not a verdict on the video, so ask again later.
      throw new UpstreamError(
        `Google's Gemini API reported a status this app does not know (${interaction.status}).`,
        true,
      );
  }
}

/** When the video is gone upstream: the stored interaction's lifetime, or its file's. */
function expiry(interaction: Interaction, now: number, byUri: boolean): number {
  const created = Date.parse(interaction.created ?? "");
  const from = Math.floor((Number.isNaN(created) ? now : created) / 1000);
  return byUri ? Math.floor(now / 1000) + FILE_SECONDS : from + STORED_SECONDS;
}

/** The error Google recorded on the interaction, or on its last failed step. */
function reported(interaction: Interaction): VideoError | undefined {
  const errors = Array.isArray(interaction.errors) ? interaction.errors : [];
  const steps = Array.isArray(interaction.steps) ? interaction.steps : [];
  const stepError = [...steps].reverse().find((s) => s?.error)?.error;
  const found = [...errors.map((e) => ({ code: e?.code, message: e?.message })), stepError]
    .find((e) => e && typeof e.message === "string" && e.message.trim());
  if (!found) return undefined;
  const message = String(found.message).trim();
  const code = String(found.code ?? "");
  return {
    code: SAFETY.test(`${code} ${message}`) ? "moderation_blocked" : "generation_failed",
    message,
  };
}

function withCause(interaction: Interaction, fallback: VideoError): VideoError {
  const cause = reported(interaction);
  return cause
    ? { code: fallback.code, message: `${fallback.message} ${cause.message}` }
    : fallback;
}
