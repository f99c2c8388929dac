import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "../../app/config.ts";
import { CONTENT_VARIANTS, type ModelInfo } from "../../types.ts";

const SIZE = /^\d{2,5}x\d{2,5}$/;
const SECONDS = /^\d{1,3}$/;

/** One model an OpenAI-compatible endpoint serves, as `OPENAI_MODELS` declares it (API.md). */
const declaredModel = z.strictObject({
  id: z.string().trim().min(1).max(200),
  label: z.string().trim().min(1).max(200).optional(),
  sizes: z.array(z.string().regex(SIZE, "sizes are WIDTHxHEIGHT, such as 1280x720")).min(1),
  seconds: z.array(z.string().regex(SECONDS, "seconds are whole numbers as strings")).min(1),
  price_per_second: z.record(z.string(), z.number().min(0).max(1000)),
  actions: z.strictObject({
    remix: z.boolean().default(false),
    extend: z.boolean().default(false),
    edit: z.boolean().default(false),
  }).default({ remix: false, extend: false, edit: false }),
  extension: z.strictObject({
    seconds: z.array(z.string().regex(SECONDS, "seconds are whole numbers as strings")).min(1),
  }).optional(),
  variants: z.array(z.enum(CONTENT_VARIANTS)).min(1).default(["video"]),
}).superRefine((model, ctx) => {
  for (const size of model.sizes) {
    if (model.price_per_second[size] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["price_per_second"],
        message: `needs a price for ${size}`,
      });
    }
  }
  if (model.actions.extend && !model.extension) {
    ctx.addIssue({
      code: "custom",
      path: ["extension"],
      message: "is needed when actions.extend is true",
    });
  }
  if (!model.variants.includes("video")) {
    ctx.addIssue({ code: "custom", path: ["variants"], message: "must include video" });
  }
});

const declaredModels = z.array(declaredModel).min(1, "declare at least one model").superRefine(
  (models, ctx) => {
    const ids = models.map((m) => m.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) ctx.addIssue({ code: "custom", message: `declares ${twice} twice` });
  },
);

/** The day the declaration was read: the operator's prices are as of then. */
const today = () => new Date().toISOString().slice(0, 10);

/**
 * The models an OpenAI-compatible endpoint serves, from `OPENAI_MODELS`: a JSON file path, or
 * inline JSON when the value starts with `[`. A bad declaration stops the start with one line.
 */
export function declaredOpenAIModels(value: string, providerName: string): ModelInfo[] {
  const text = value.trimStart().startsWith("[") ? value : readDeclaration(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`OPENAI_MODELS is not valid JSON: ${(error as Error).message}.`);
  }
  const parsed = declaredModels.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new ConfigError(`OPENAI_MODELS${where}: ${issue.message}.`);
  }
  const asOf = today();
  return parsed.data.map((m) => ({
    id: m.id,
    provider: "openai",
    provider_name: providerName,
    label: m.label ?? m.id,
    sizes: m.sizes,
    seconds: m.seconds,
    price_per_second: m.price_per_second,
    price: { unit: "second", source: "list", as_of: asOf },
    default_size: m.sizes[0],
    default_seconds: m.seconds[0],
    actions: m.actions,
    unavailable: Object.fromEntries(
      (["remix", "extend", "edit"] as const).filter((a) => !m.actions[a]).map((a) => [
        a,
        `${m.label ?? m.id} at this endpoint does not ${a} videos.`,
      ]),
    ),
    ...(m.extension ? { extension: { seconds: m.extension.seconds } } : {}),
    // The Videos API's create takes a start image; nothing more is claimed for a declared model.
    inputs: { input_reference: true, negative_prompt: false, audio: false },
    audio: false,
    variants: m.variants,
  }));
}

function readDeclaration(path: string): string {
  if (!existsSync(path)) {
    throw new ConfigError(
      `OPENAI_MODELS=${
        JSON.stringify(path)
      } is not valid: use a JSON file path, or inline JSON starting with [.`,
    );
  }
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `OPENAI_MODELS file ${path} cannot be read: ${(error as Error).message}.`,
    );
  }
}
