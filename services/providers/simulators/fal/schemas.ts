// The input schemas of the curated fal endpoints, as fal documents them (the model pages' API
// tabs and the generated endpoint types of @fal-ai/client), and a validator that answers the way
// fal's Pydantic models do: a 422 whose `detail` lists `{loc, msg, type}` per problem. Fields a
// schema does not name are ignored, as Pydantic does by default.

type Field =
  | { type: "string"; enum?: readonly string[]; required?: boolean; maxLength?: number }
  | { type: "integer"; enum?: readonly number[]; required?: boolean }
  | { type: "number"; min?: number; max?: number; required?: boolean }
  | { type: "boolean"; required?: boolean }
  | { type: "array"; required?: boolean }
  /** A URL fal downloads (a data: URI works too). */
  | { type: "file"; required?: boolean; media?: "image" | "video" | "audio" };

export interface EndpointSchema {
  fields: Record<string, Field>;
  /** What a request without `duration` gets, in seconds (for how long the job takes). */
  defaultSeconds: number;
  /** Fields of which at least one must be given (Kling's prompt or multi_prompt…). */
  oneOf?: readonly string[];
}

export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const SAFETY = ["1", "2", "3", "4", "5", "6"] as const;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

const VEO_T2V: Record<string, Field> = {
  prompt: { type: "string", required: true },
  aspect_ratio: { type: "string", enum: ["16:9", "9:16"] },
  duration: { type: "string", enum: ["4s", "6s", "8s"] },
  negative_prompt: { type: "string" },
  resolution: { type: "string", enum: ["720p", "1080p", "4k"] },
  generate_audio: { type: "boolean" },
  seed: { type: "integer" },
  auto_fix: { type: "boolean" },
  safety_tolerance: { type: "string", enum: SAFETY },
};

const VEO_I2V: Record<string, Field> = {
  ...VEO_T2V,
  aspect_ratio: { type: "string", enum: ["auto", "16:9", "9:16"] },
  image_url: { type: "file", required: true, media: "image" },
};

const VEO_EXTEND: Record<string, Field> = {
  prompt: { type: "string", required: true },
  video_url: { type: "file", required: true, media: "video" },
  aspect_ratio: { type: "string", enum: ["auto", "16:9", "9:16"] },
  duration: { type: "string", enum: ["7s"] },
  negative_prompt: { type: "string" },
  resolution: { type: "string", enum: ["720p", "1080p"] },
  generate_audio: { type: "boolean" },
  seed: { type: "integer" },
  auto_fix: { type: "boolean" },
  safety_tolerance: { type: "string", enum: SAFETY },
};

const KLING_DURATIONS = range(3, 15).map(String);
const KLING_COMMON: Record<string, Field> = {
  prompt: { type: "string", maxLength: 2500 },
  multi_prompt: { type: "array" },
  duration: { type: "string", enum: KLING_DURATIONS },
  generate_audio: { type: "boolean" },
  shot_type: { type: "string", enum: ["customize", "intelligent"] },
  negative_prompt: { type: "string" },
  cfg_scale: { type: "number", min: 0, max: 1 },
};

const SEEDANCE_T2V: Record<string, Field> = {
  prompt: { type: "string", required: true },
  aspect_ratio: { type: "string", enum: ["auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"] },
  duration: { type: "string", enum: ["auto", ...range(4, 15).map(String)] },
  resolution: { type: "string", enum: ["480p", "720p", "1080p", "4k"] },
  generate_audio: { type: "boolean" },
  seed: { type: "integer" },
  bitrate_mode: { type: "string", enum: ["standard", "high"] },
  end_user_id: { type: "string" },
};

const WAN_COMMON: Record<string, Field> = {
  prompt: { type: "string", maxLength: 5000 },
  duration: { type: "integer", enum: range(2, 15) },
  resolution: { type: "string", enum: ["720p", "1080p"] },
  negative_prompt: { type: "string", maxLength: 500 },
  seed: { type: "integer" },
  enable_prompt_expansion: { type: "boolean" },
  enable_safety_checker: { type: "boolean" },
  audio_url: { type: "file", media: "audio" },
};

const HAILUO_T2V: Record<string, Field> = {
  prompt: { type: "string", required: true },
  duration: { type: "string", enum: ["6", "10"] },
  prompt_optimizer: { type: "boolean" },
};

export const ENDPOINT_SCHEMAS: Readonly<Record<string, EndpointSchema>> = {
  "fal-ai/veo3.1": { fields: VEO_T2V, defaultSeconds: 8 },
  "fal-ai/veo3.1/image-to-video": { fields: VEO_I2V, defaultSeconds: 8 },
  "fal-ai/veo3.1/extend-video": { fields: VEO_EXTEND, defaultSeconds: 7 },
  "fal-ai/veo3.1/fast": { fields: VEO_T2V, defaultSeconds: 8 },
  "fal-ai/veo3.1/fast/image-to-video": { fields: VEO_I2V, defaultSeconds: 8 },
  "fal-ai/veo3.1/fast/extend-video": { fields: VEO_EXTEND, defaultSeconds: 7 },
  "fal-ai/kling-video/v3/pro/text-to-video": {
    fields: { ...KLING_COMMON, aspect_ratio: { type: "string", enum: ["16:9", "9:16", "1:1"] } },
    defaultSeconds: 5,
    oneOf: ["prompt", "multi_prompt"],
  },
  "fal-ai/kling-video/v3/pro/image-to-video": {
    fields: {
      ...KLING_COMMON,
      start_image_url: { type: "file", required: true, media: "image" },
      end_image_url: { type: "file", media: "image" },
      elements: { type: "array" },
    },
    defaultSeconds: 5,
    oneOf: ["prompt", "multi_prompt"],
  },
  "bytedance/seedance-2.0/text-to-video": { fields: SEEDANCE_T2V, defaultSeconds: 5 },
  "bytedance/seedance-2.0/image-to-video": {
    fields: {
      ...SEEDANCE_T2V,
      image_url: { type: "file", required: true, media: "image" },
      end_image_url: { type: "file", media: "image" },
    },
    defaultSeconds: 5,
  },
  "fal-ai/wan/v2.7/text-to-video": {
    fields: {
      ...WAN_COMMON,
      prompt: { type: "string", required: true, maxLength: 5000 },
      aspect_ratio: { type: "string", enum: ["16:9", "9:16", "1:1", "4:3", "3:4"] },
    },
    defaultSeconds: 5,
  },
  "fal-ai/wan/v2.7/image-to-video": {
    fields: {
      ...WAN_COMMON,
      image_url: { type: "file", media: "image" },
      end_image_url: { type: "file", media: "image" },
      video_url: { type: "file", media: "video" },
    },
    defaultSeconds: 5,
    oneOf: ["image_url", "video_url"],
  },
  "fal-ai/minimax/hailuo-2.3/standard/text-to-video": { fields: HAILUO_T2V, defaultSeconds: 6 },
  "fal-ai/minimax/hailuo-2.3/standard/image-to-video": {
    fields: { ...HAILUO_T2V, image_url: { type: "file", required: true, media: "image" } },
    defaultSeconds: 6,
  },
};

/** Every problem with an input, as fal lists them; empty when it is valid. */
export function validateInput(schema: EndpointSchema, input: unknown): ValidationDetail[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return [{ loc: ["body"], msg: "Input should be a valid dictionary", type: "dict_type" }];
  }
  const values = input as Record<string, unknown>;
  const problems: ValidationDetail[] = [];
  for (const [name, field] of Object.entries(schema.fields)) {
    const value = values[name];
    if (value === undefined || value === null) {
      if (field.required) {
        problems.push({ loc: ["body", name], msg: "Field required", type: "missing" });
      }
      continue;
    }
    const problem = checkField(field, value);
    if (problem) problems.push({ loc: ["body", name], ...problem });
  }
  if (schema.oneOf && !schema.oneOf.some((name) => values[name] !== undefined)) {
    problems.push({
      loc: ["body"],
      msg: `Value error, one of ${schema.oneOf.join(" or ")} must be provided`,
      type: "value_error",
    });
  }
  return problems;
}

function checkField(field: Field, value: unknown): { msg: string; type: string } | undefined {
  switch (field.type) {
    case "string":
      if (typeof value !== "string") {
        return { msg: "Input should be a valid string", type: "string_type" };
      }
      if (field.enum && !field.enum.includes(value)) {
        return { msg: `Input should be ${choices(field.enum.map((v) => `'${v}'`))}`, type: "enum" };
      }
      if (field.maxLength !== undefined && value.length > field.maxLength) {
        return {
          msg: `String should have at most ${field.maxLength} characters`,
          type: "string_too_long",
        };
      }
      return undefined;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return { msg: "Input should be a valid integer", type: "int_type" };
      }
      if (field.enum && !field.enum.includes(value)) {
        return { msg: `Input should be ${choices(field.enum.map(String))}`, type: "literal_error" };
      }
      return undefined;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return { msg: "Input should be a valid number", type: "float_type" };
      }
      if (field.min !== undefined && value < field.min) {
        return {
          msg: `Input should be greater than or equal to ${field.min}`,
          type: "greater_than_equal",
        };
      }
      if (field.max !== undefined && value > field.max) {
        return {
          msg: `Input should be less than or equal to ${field.max}`,
          type: "less_than_equal",
        };
      }
      return undefined;
    case "boolean":
      return typeof value === "boolean"
        ? undefined
        : { msg: "Input should be a valid boolean", type: "bool_type" };
    case "array":
      return Array.isArray(value)
        ? undefined
        : { msg: "Input should be a valid list", type: "list_type" };
    case "file":
      if (typeof value !== "string") {
        return { msg: "Input should be a valid string", type: "string_type" };
      }
      if (/^https?:\/\//i.test(value)) return undefined;
      if (field.media && new RegExp(`^data:${field.media}/[\\w.+-]+;base64,`, "i").test(value)) {
        return undefined;
      }
      return {
        msg: `Input should be a URL or a data URI of ${field.media ?? "a file"}`,
        type: "file_download_error",
      };
  }
}

/** `'4s', '6s' or '8s'`, the way Pydantic lists allowed values. */
function choices(values: string[]): string {
  return values.length <= 1
    ? values.join("")
    : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/** A request's length in seconds, for how long the simulated job takes. */
export function secondsOf(schema: EndpointSchema, input: Record<string, unknown>): number {
  const value = input.duration;
  const seconds = typeof value === "number" ? value : parseInt(String(value ?? ""), 10);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : schema.defaultSeconds;
}
