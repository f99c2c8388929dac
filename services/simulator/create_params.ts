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
