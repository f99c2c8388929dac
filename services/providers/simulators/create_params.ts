import type { VideoModel, VideoSeconds, VideoSize } from "openai/resources/videos";
import type { BodyFields } from "./request_body.ts";
import { invalidRequest } from "./responses.ts";

export const MODELS = ["sora-2", "sora-2-pro"] as const;
export const SECONDS = ["4", "8", "12"] as const;
/** Sizes every model renders; the tall and wide 1024/1792 ones are sora-2-pro only. */
export const STANDARD_SIZES = ["720x1280", "1280x720"] as const;
export const PRO_SIZES = [...STANDARD_SIZES, "1024x1792", "1792x1024"] as const;

export const DEFAULT_MODEL: VideoModel = "sora-2";
export const DEFAULT_SIZE: VideoSize = "720x1280";
export const DEFAULT_SECONDS: VideoSeconds = "4";

export interface CreateParams {
  prompt: string;
  model: VideoModel;
  size: VideoSize;
  seconds: VideoSeconds;
}

/** Validates a create body the way OpenAI does, answering its 400 shape with `param` set. */
export function parseCreateParams(fields: BodyFields): CreateParams | Response {
  const prompt = parsePrompt(fields);
  if (prompt instanceof Response) return prompt;

  const model = optionalString(fields, "model") ?? DEFAULT_MODEL;
  if (model instanceof Response) return model;
  if (!isOneOf(model, MODELS)) return invalidValue("model", model, MODELS);

  const sizes = model === "sora-2-pro" ? PRO_SIZES : STANDARD_SIZES;
  const size = optionalString(fields, "size") ?? DEFAULT_SIZE;
  if (size instanceof Response) return size;
  if (!isOneOf(size, sizes)) return invalidValue("size", size, sizes, model);

  const seconds = optionalString(fields, "seconds") ?? DEFAULT_SECONDS;
  if (seconds instanceof Response) return seconds;
  if (!isOneOf(seconds, SECONDS)) return invalidValue("seconds", seconds, SECONDS);

  const reference = fields["input_reference"];
  // The simulator ignores the reference's content, but a plain string is a client bug
  // worth surfacing: uploads must be files, references must be objects.
  if (reference !== undefined && typeof reference === "string") {
    return invalidRequest(
      "Invalid type for 'input_reference': expected a file upload or an object.",
      "input_reference",
      "invalid_type",
    );
  }

  return { prompt, model, size, seconds };
}

/** `prompt` is required and non-blank on both create and remix. */
export function parsePrompt(fields: BodyFields): string | Response {
  const prompt = fields["prompt"];
  if (prompt === undefined || prompt === null) {
    return invalidRequest(
      "Missing required parameter: 'prompt'.",
      "prompt",
      "missing_required_parameter",
    );
  }
  if (typeof prompt !== "string") return invalidType("prompt");
  if (prompt.trim() === "") {
    return invalidRequest(
      "Invalid 'prompt': string must not be empty.",
      "prompt",
      "empty_string",
    );
  }
  return prompt;
}

function optionalString(fields: BodyFields, param: string): string | undefined | Response {
  const value = fields[param];
  if (value === undefined || value === null) return undefined;
  // Like the API, numbers are not coerced: `seconds` is the string "4", never 4.
  if (typeof value !== "string") return invalidType(param);
  return value;
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

function invalidType(param: string): Response {
  return invalidRequest(
    `Invalid type for '${param}': expected a string.`,
    param,
    "invalid_type",
  );
}

function invalidValue(
  param: string,
  value: string,
  allowed: readonly string[],
  model?: string,
): Response {
  const list = allowed.map((v) => `'${v}'`).join(", ");
  const scope = model ? ` for model '${model}'` : "";
  return invalidRequest(
    `Invalid value: '${value}'. Supported values${scope} are: ${list}.`,
    param,
    "invalid_value",
  );
}

/** Lengths (seconds) an extension may add to a video. */
export const EXTENSION_SECONDS = ["4", "8", "12", "16", "20"] as const;
export type ExtensionSeconds = typeof EXTENSION_SECONDS[number];

/** A derived video (extension or edit) starts from a completed video made here. */
export interface DeriveParams {
  prompt: string;
  /** Id of the source video. */
  videoId: string;
}

export interface ExtendParams extends DeriveParams {
  /** Length of the new segment, not of the result. */
  seconds: ExtensionSeconds;
}

/** Validates an extension body: `prompt`, `seconds` (of the new segment) and `video`. */
export function parseExtendParams(fields: BodyFields): ExtendParams | Response {
  const prompt = parsePrompt(fields);
  if (prompt instanceof Response) return prompt;
  const seconds = optionalString(fields, "seconds");
  if (seconds instanceof Response) return seconds;
  if (seconds === undefined) return missingParameter("seconds");
  if (!isOneOf(seconds, EXTENSION_SECONDS)) {
    return invalidValue("seconds", seconds, EXTENSION_SECONDS);
  }
  const videoId = parseVideoReference(fields, "extends");
  if (videoId instanceof Response) return videoId;
  return { prompt, seconds, videoId };
}

/** Validates an edit body: `prompt` and `video`. */
export function parseEditParams(fields: BodyFields): DeriveParams | Response {
  const prompt = parsePrompt(fields);
  if (prompt instanceof Response) return prompt;
  const videoId = parseVideoReference(fields, "edits");
  if (videoId instanceof Response) return videoId;
  return { prompt, videoId };
}

/**
 * The source video's id: `video[id]` in a multipart body (how the SDK flattens the nested
 * object), `video.id` in a JSON one. An uploaded file is refused: the simulator has no way
 * to render from someone else's footage, only from the jobs it ran itself.
 */
function parseVideoReference(fields: BodyFields, verb: "extends" | "edits"): string | Response {
  const video = fields["video"];
  if (video instanceof Blob) {
    return invalidRequest(
      `The simulator only ${verb} videos it made, referenced by id ({"video": {"id": "video_…"}}); ` +
        "uploading a video file is not supported.",
      "video",
      "invalid_request",
    );
  }
  const flat = fields["video[id]"];
  if (video === undefined || video === null) {
    if (flat === undefined || flat === null) return missingParameter("video");
    return typeof flat === "string" && flat.trim() !== "" ? flat : invalidVideoReference();
  }
  if (typeof video !== "object" || Array.isArray(video)) return invalidVideoReference();
  const id = (video as Record<string, unknown>)["id"];
  if (id === undefined || id === null) return missingParameter("video");
  return typeof id === "string" && id.trim() !== "" ? id : invalidVideoReference();
}

function invalidVideoReference(): Response {
  return invalidRequest(
    "Invalid type for 'video': expected an object with a non-empty string 'id'.",
    "video",
    "invalid_type",
  );
}

function missingParameter(param: string): Response {
  return invalidRequest(
    `Missing required parameter: '${param}'.`,
    param,
    "missing_required_parameter",
  );
}
