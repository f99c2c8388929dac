import { z } from "zod";
import { DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE, findModel, MODELS } from "./models.ts";
import { VIDEO_STATUSES } from "./types.ts";

/** The input rules of the contract, shared by the JSON API, the pages and the CLI. */

export const MAX_PROMPT_LENGTH = 4000;

export const promptSchema = z.string({ error: "Write a prompt." }).trim()
  .min(1, "Write a prompt.")
  .max(MAX_PROMPT_LENGTH, `Keep the prompt to ${MAX_PROMPT_LENGTH} characters.`);

const modelIds = MODELS.map((m) => m.id);

/** Form fields arrive as strings and JSON may carry numbers: both mean the same length. */
const secondsSchema = z.union([z.string(), z.number()]).transform(String);

export const createVideoSchema = z.object({
  prompt: promptSchema,
  model: z.string().default(DEFAULT_MODEL),
  size: z.string().default(DEFAULT_SIZE),
  seconds: secondsSchema.default(DEFAULT_SECONDS),
}).superRefine((input, ctx) => {
  const model = findModel(input.model);
  if (!model) {
    ctx.addIssue({
      code: "custom",
      path: ["model"],
      message: `Choose one of ${modelIds.join(", ")}.`,
    });
    return;
  }
  if (!model.sizes.includes(input.size)) {
    ctx.addIssue({
      code: "custom",
      path: ["size"],
      message: `${model.id} makes ${model.sizes.join(", ")}.`,
    });
  }
  if (!model.seconds.includes(input.seconds)) {
    ctx.addIssue({
      code: "custom",
      path: ["seconds"],
      message: `Choose ${model.seconds.join(", ")} seconds.`,
    });
  }
});

export type CreateVideoFields = z.infer<typeof createVideoSchema>;

export const remixSchema = z.object({ prompt: promptSchema });

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
