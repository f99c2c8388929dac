import { z } from "zod";
import { secondsFor } from "../models/catalog.ts";
import { controlMessage, forbiddenControl } from "./text_input.ts";
import type { ModelInfo } from "../types.ts";
import { VIDEO_STATUSES } from "../types.ts";

/** The input rules of the contract, shared by the JSON API, the pages and the CLI. */

export const MAX_PROMPT_LENGTH = 4000;
export const MAX_NEGATIVE_PROMPT_LENGTH = 1000;

/** Text without control characters (tab and line breaks allowed), refused naming the field. */
const plainText = (schema: z.ZodString, field: string) =>
  schema.check((ctx) => {
    const character = forbiddenControl(ctx.value);
    if (character) {
      ctx.issues.push({
        code: "custom",
        message: controlMessage(field, character),
        input: ctx.value,
      });
    }
  });

export const promptSchema = plainText(z.string({ error: "Write a prompt." }), "prompt").trim()
  .min(1, "Write a prompt.")
  .max(MAX_PROMPT_LENGTH, `Keep the prompt to ${MAX_PROMPT_LENGTH} characters.`);

/** Form fields arrive as strings and JSON may carry numbers: both mean the same length. */
const secondsSchema = z.union([z.string(), z.number()]).transform(String);

/** Form fields say "on"/"off", "true"/"false"; JSON says true/false. */
const audioSchema = z.union([
  z.boolean(),
  z.enum(["on", "off", "true", "false", "1", "0"]).transform((v) =>
    v === "on" || v === "true" || v === "1"
  ),
], { error: "Say true or false for audio." });

/**
 * A create request. What is allowed follows the chosen model's description (sizes, lengths,
 * inputs), checked by `resolveCreate` against the models this server offers; a field left out
 * takes that model's default, and a request without a model gets the server's default model.
 */
export const createVideoSchema = z.object({
  prompt: promptSchema,
  model: z.string().optional(),
  size: z.string().optional(),
  seconds: secondsSchema.optional(),
  negative_prompt: plainText(
    z.string({ error: "Write the negative prompt as text." }),
    "negative_prompt",
  ).trim()
    .max(
      MAX_NEGATIVE_PROMPT_LENGTH,
      `Keep the negative prompt to ${MAX_NEGATIVE_PROMPT_LENGTH} characters.`,
    )
    .transform((v) => v || undefined).optional(),
  audio: audioSchema.optional(),
});

export type CreateVideoFields = z.infer<typeof createVideoSchema>;

/** A create request with every choice made: the model and what it makes. */
export interface ResolvedCreate {
  model: ModelInfo;
  size: string;
  seconds: string;
  negative_prompt?: string;
  /** Sound on or off, for a model that lets a person choose (`inputs.audio`). */
  audio?: boolean;
}

/**
 * Fills in the model's defaults and checks the request against that model, as its provider
 * describes it: field → message for every rule broken (empty when the request is fine).
 */
export function modelIssues(
  model: ModelInfo,
  input: {
    size?: string;
    seconds?: string;
    negative_prompt?: string;
    audio?: boolean;
    reference?: boolean;
  },
): [string, string][] {
  const issues: [string, string][] = [];
  const size = input.size ?? model.default_size;
  const seconds = input.seconds ?? model.default_seconds;
  if (!model.sizes.includes(size)) {
    issues.push(["size", `${model.id} makes ${model.sizes.join(", ")}.`]);
  } else if (!secondsFor(model, size).includes(seconds)) {
    const allowed = secondsFor(model, size);
    issues.push([
      "seconds",
      allowed.length < model.seconds.length
        ? `${model.id} makes ${size} videos of ${allowed.join(", ")} seconds only.`
        : `Choose ${allowed.join(", ")} seconds.`,
    ]);
  }
  if (input.negative_prompt && !model.inputs.negative_prompt) {
    issues.push(["negative_prompt", `${model.label} takes no negative prompt.`]);
  }
  if (input.audio !== undefined && !model.inputs.audio && input.audio !== model.audio) {
    issues.push([
      "audio",
      `${model.label} videos always come ${model.audio ? "with" : "without"} sound.`,
    ]);
  }
  if (input.reference && !model.inputs.input_reference) {
    issues.push(["input_reference", `${model.label} takes no reference image.`]);
  }
  return issues;
}

/**
 * The request with every choice made, among the models `offered` (the configured providers');
 * `defaultModel` answers a request that names none. Returns the field errors instead when the
 * request cannot be made here.
 */
export function resolveCreate(
  fields: CreateVideoFields,
  offered: readonly ModelInfo[],
  defaultModel: ModelInfo | undefined,
  reference: boolean,
  /** Describes a model that is not offered (retired, or its provider not set up), to say why. */
  describe: (id: string) => ModelInfo | undefined = () => undefined,
): ResolvedCreate | { fields: Record<string, string> } {
  const model = fields.model === undefined
    ? defaultModel
    : offered.find((m) => m.id === fields.model);
  if (!model) {
    const known = fields.model === undefined ? undefined : describe(fields.model);
    const choose = offered.length
      ? `Choose one of ${offered.map((m) => m.id).join(", ")}.`
      : "No video provider is set up on this server.";
    const why = !known
      ? ""
      : known.retired
      ? `${known.provider_name} has retired ${known.label}${
        known.replacement ? `; its successor is ${known.replacement}` : ""
      }. `
      : `${known.provider_name} is not set up on this server. `;
    return { fields: { model: why + choose } };
  }
  const issues = modelIssues(model, { ...fields, reference });
  if (issues.length) return { fields: Object.fromEntries(issues) };
  return {
    model,
    size: fields.size ?? model.default_size,
    seconds: fields.seconds ?? model.default_seconds,
    negative_prompt: fields.negative_prompt,
    audio: model.inputs.audio ? fields.audio ?? model.audio : undefined,
  };
}

export const remixSchema = z.object({ prompt: promptSchema });

/** Extend: what happens next, and optionally the new segment's length (the model's first if not). */
export const extendSchema = z.object({
  prompt: promptSchema,
  seconds: z.preprocess((v) => v === "" ? undefined : v, secondsSchema.optional()),
});

/** Ids are ours and have one shape; anything else cannot name a video. */
export const VIDEO_ID = /^vid_[0-9a-f]{24}$/;

export const libraryQuerySchema = z.object({
  // An empty choice ("all") in a filter form means no filter.
  status: z.preprocess(
    (v) => v === "" ? undefined : v,
    z.enum(VIDEO_STATUSES, { error: `Use one of ${VIDEO_STATUSES.join(", ")}.` }).optional(),
  ),
  q: z.string().trim().max(200, "Search for at most 200 characters.").optional()
    .transform((q) => q || undefined),
  // Any model a video was ever made with may be filtered on, offered today or not.
  model: z.preprocess(
    (v) => v === "" ? undefined : v,
    z.string().max(200, "Name a model in at most 200 characters.").optional(),
  ),
  limit: z.coerce.number({ error: "Use a whole number from 1 to 100." }).int().min(1).max(100)
    .default(20),
  cursor: z.string().max(200).optional(),
});

export type LibraryQueryInput = z.infer<typeof libraryQuerySchema>;

/** Field → first message, the `fields` of an error answer. */
export function fieldErrors(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "body";
    fields[key] ??= issue.message;
  }
  return fields;
}
