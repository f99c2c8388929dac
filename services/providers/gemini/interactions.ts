// The Interactions API's wire format, as far as video goes (field names as in @google/genai 3.3.0's
// types, which mirror the REST API): what a create sends and where a finished video is found.
import type { GeminiShape } from "./catalog.ts";

/** A content item of an input or an output step. */
export interface ContentItem {
  type: string;
  text?: string;
  /** Base64 bytes, for media delivered inline. */
  data?: string;
  uri?: string;
  mime_type?: string;
}

export interface InteractionStep {
  type: string;
  content?: ContentItem[];
  /** google.rpc.Status of a step that failed. */
  error?: { code?: number | string; message?: string; details?: unknown[] };
}

export type VideoTask = "text_to_video" | "image_to_video" | "edit" | "extend";

export interface VideoResponseFormat {
  type: "video";
  aspect_ratio?: string;
  resolution?: string;
  /** A protobuf Duration in JSON: "8s". */
  duration?: string;
  delivery?: "inline" | "uri";
}

/** The body of `POST /{version}/interactions` for a video. */
export interface CreateInteraction {
  model: string;
  input: string | ContentItem[];
  /** Answer at once with the interaction's id and work on; the app polls. */
  background: true;
  previous_interaction_id?: string;
  response_format: VideoResponseFormat;
  generation_config: { video_config: { task: VideoTask } };
}

/** An interaction as `GET /{version}/interactions/{id}` (or the create) answers it. */
export interface Interaction {
  id: string;
  status: string;
  object?: string;
  model?: string;
  /** ISO 8601. */
  created?: string;
  updated?: string;
  previous_interaction_id?: string;
  response_format?: VideoResponseFormat | VideoResponseFormat[];
  errors?: { code?: string; message?: string }[];
  steps?: InteractionStep[];
}

/**
 * Large outputs travel better as a file than as base64 inside the interaction's JSON (which every
 * poll would carry): above 720p the video is asked for by URI.
 */
export function deliveryFor(resolution: string | undefined): "inline" | "uri" {
  return resolution === "1080p" || resolution === "4k" ? "uri" : "inline";
}

function videoFormat(shape: Partial<GeminiShape>, seconds?: string): VideoResponseFormat {
  const format: VideoResponseFormat = { type: "video" };
  if (shape.aspect_ratio) format.aspect_ratio = shape.aspect_ratio;
  if (shape.resolution) format.resolution = shape.resolution;
  if (seconds) format.duration = `${seconds}s`;
  if (deliveryFor(shape.resolution) === "uri") format.delivery = "uri";
  return format;
}

/** A new video from a prompt, and from a start image when there is one. */
export function createBody(
  job: { model: string; prompt: string; seconds: string; image?: { base64: string; type: string } },
  shape: GeminiShape,
): CreateInteraction {
  return {
    model: job.model,
    input: job.image
      ? [
        { type: "text", text: job.prompt },
        { type: "image", data: job.image.base64, mime_type: job.image.type },
      ]
      : job.prompt,
    background: true,
    response_format: videoFormat(shape, job.seconds),
    generation_config: { video_config: { task: job.image ? "image_to_video" : "text_to_video" } },
  };
}

/**
 * A change to a finished video: a new turn of the conversation the source interaction began, so
 * Google has the video in context. The result keeps the source's shape and length, so only the
 * output's kind (and how to deliver it) is asked for.
 */
export function editBody(
  source: { id: string; model: string; resolution?: string },
  prompt: string,
): CreateInteraction {
  return {
    model: source.model,
    input: prompt,
    background: true,
    previous_interaction_id: source.id,
    response_format: followUpFormat(source.resolution),
    generation_config: { video_config: { task: "edit" } },
  };
}

/** A longer video: the source's, with `seconds` more appended; the answer is the whole clip. */
export function extendBody(
  source: { id: string; model: string; resolution?: string },
  prompt: string,
  seconds: string,
): CreateInteraction {
  return {
    model: source.model,
    input: prompt,
    background: true,
    previous_interaction_id: source.id,
    response_format: followUpFormat(source.resolution, seconds),
    generation_config: { video_config: { task: "extend" } },
  };
}

/** A follow-up turn keeps the source's shape: only its new length and delivery are said. */
function followUpFormat(resolution: string | undefined, seconds?: string): VideoResponseFormat {
  const format: VideoResponseFormat = { type: "video" };
  if (seconds) format.duration = `${seconds}s`;
  if (deliveryFor(resolution) === "uri") format.delivery = "uri";
  return format;
}

/**
 * The video this interaction made: the last video of the last model output after the last user
 * input (a stored interaction may carry earlier turns, whose videos are not this one's).
 */
export function outputVideo(interaction: Interaction): ContentItem | undefined {
  const steps = Array.isArray(interaction.steps) ? interaction.steps : [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (step?.type === "user_input") return undefined;
    if (step?.type !== "model_output" || !Array.isArray(step.content)) continue;
    for (let j = step.content.length - 1; j >= 0; j--) {
      const item = step.content[j];
      if (item?.type === "video" && (item.data || item.uri)) return item;
    }
  }
  return undefined;
}

/** What the model said in words in its last turn (a model that declines says why). */
export function outputText(interaction: Interaction): string {
  const steps = Array.isArray(interaction.steps) ? interaction.steps : [];
  const parts: string[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (step?.type === "user_input") break;
    if (step?.type !== "model_output" || !Array.isArray(step.content)) continue;
    for (const item of step.content) {
      if (item?.type === "text" && typeof item.text === "string") parts.unshift(item.text);
    }
  }
  return parts.join(" ").trim();
}

/** The video response format an interaction was made with, from its echoed request. */
export function videoFormatOf(interaction: Interaction): VideoResponseFormat | undefined {
  const formats = Array.isArray(interaction.response_format)
    ? interaction.response_format
    : interaction.response_format
    ? [interaction.response_format]
    : [];
  return formats.find((f) => f?.type === "video");
}
