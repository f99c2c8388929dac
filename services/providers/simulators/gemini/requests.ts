// Reads a create request (`POST /{version}/interactions`) the way the Interactions API does, and
// answers Google's error for every argument it would refuse.
import { ASPECT_RATIOS, DEFAULT_SECONDS, EXTENSION, isRetired, OMNI_MODELS } from "./models.ts";
import { failedPrecondition, invalid, notFound } from "./responses.ts";

export const TASKS = [
  "text_to_video",
  "image_to_video",
  "reference_to_video",
  "edit",
  "extend",
  "upscale",
] as const;
export type Task = typeof TASKS[number];

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"];

export interface ContentItem {
  type: string;
  text?: string;
  data?: string;
  uri?: string;
  mime_type?: string;
}

/** What the store knows of the interaction a follow-up names. */
export type SourceLookup =
  | { state: "missing" | "in_progress" | "no_video" }
  | { state: "video"; model: string; aspect_ratio: string; resolution: string; seconds: number };

/** A valid create, ready to be stored. */
export interface CreatePlan {
  model: string;
  prompt: string;
  /** The input's content items, as received (the stored interaction's user input). */
  input: ContentItem[];
  images: { mime_type: string; bytes: number }[];
  task: Task;
  previousId?: string;
  aspect_ratio: string;
  resolution: string;
  /** Length of the video made (for an extension, source and extension together). */
  seconds: number;
  /** Seconds of new footage, which set how long the work takes. */
  workSeconds: number;
  delivery: "inline" | "uri";
  background: boolean;
  /** Echoed back on the interaction, as sent. */
  responseFormat: unknown;
  generationConfig: unknown;
}

export interface PlanContext {
  version: string;
  retired: readonly string[];
  lookup(id: string): SourceLookup;
}

type Fields = Record<string, unknown>;

export function planCreate(body: unknown, ctx: PlanContext): CreatePlan | Response {
  if (!isObject(body)) return invalid("Invalid JSON payload received. Expected an object.");
  const rawModel = body.model;
  if (typeof rawModel !== "string" || !rawModel.trim()) {
    return invalid("model is required.");
  }
  const model = rawModel.trim().replace(/^models\//, "");
  if (isRetired(model, ctx.retired)) return notFound(`models/${model} is no longer available.`);
  const limits = OMNI_MODELS[model];
  if (!limits) {
    return notFound(
      `models/${model} is not found for API version ${ctx.version}, or is not supported for ` +
        "interactions. Call ListModels to see the list of available models.",
    );
  }
  if (body.stream === true) return invalid("Streaming is not supported for video output.");
  if (body.background !== undefined && typeof body.background !== "boolean") {
    return invalid("background must be a boolean.");
  }

  const input = readInput(body.input);
  if (input instanceof Response) return input;
  const prompt = input.filter((i) => i.type === "text").map((i) => i.text!).join("\n").trim();
  const images = input.filter((i) => i.type === "image").map((i) => ({
    mime_type: i.mime_type!,
    bytes: i.data ? base64Length(i.data) : 0,
  }));
  const previousId = body.previous_interaction_id;
  if (previousId !== undefined && (typeof previousId !== "string" || !previousId)) {
    return invalid("previous_interaction_id must be an interaction's id.");
  }
  if (!prompt && input.length === 0) return invalid("input is required.");

  const format = readVideoFormat(body.response_format);
  if (format instanceof Response) return format;
  const task = readTask(body.generation_config, images.length, previousId !== undefined);
  if (task instanceof Response) return task;

  const shape = {
    aspect_ratio: format.aspect_ratio ?? "16:9",
    resolution: format.resolution ?? "720p",
  };
  if (!ASPECT_RATIOS.includes(shape.aspect_ratio)) {
    return invalid(`Unsupported aspect_ratio "${shape.aspect_ratio}". Use "16:9" or "9:16".`);
  }
  if (!limits.resolutions.includes(shape.resolution)) {
    return invalid(
      `Unsupported resolution "${shape.resolution}" for models/${model}. Supported: ` +
        `${limits.resolutions.join(", ")}.`,
    );
  }
  const common = {
    model,
    prompt,
    input,
    images,
    task,
    previousId,
    delivery: format.delivery ?? "inline",
    background: body.background === true,
    responseFormat: body.response_format,
    generationConfig: body.generation_config,
  } as const;

  if (task === "upscale") return invalid(`Task upscale is not supported for models/${model}.`);
  if (task === "image_to_video" && images.length === 0) {
    return invalid("Task image_to_video needs an image in the input.");
  }
  if (task === "text_to_video" && images.length > 0) {
    return invalid("An image was given with task text_to_video; use image_to_video.");
  }

  if (task === "edit" || task === "extend") {
    if (previousId === undefined) {
      return invalid(
        `Task ${task} needs previous_interaction_id: the interaction that made the video.`,
      );
    }
    const source = ctx.lookup(previousId);
    if (source.state === "missing") return notFound(`Interaction ${previousId} was not found.`);
    if (source.state === "in_progress") {
      return failedPrecondition(`Interaction ${previousId} has not completed yet.`);
    }
    if (source.state !== "video") {
      return invalid(`Interaction ${previousId} made no video to ${task}.`);
    }
    if (task === "edit") {
      // An edit keeps the source's frame, resolution and length.
      return {
        ...common,
        aspect_ratio: source.aspect_ratio,
        resolution: source.resolution,
        seconds: source.seconds,
        workSeconds: source.seconds,
      };
    }
    return planExtension(common, source, format.duration);
  }

  if (previousId !== undefined) {
    const source = ctx.lookup(previousId);
    if (source.state === "missing") return notFound(`Interaction ${previousId} was not found.`);
  }
  const seconds = readSeconds(format.duration, DEFAULT_SECONDS);
  if (seconds instanceof Response) return seconds;
  if (seconds < limits.minSeconds || seconds > limits.maxSeconds) {
    return invalid(
      `Unsupported duration "${seconds}s" for models/${model}: use ${limits.minSeconds}s to ` +
        `${limits.maxSeconds}s.`,
    );
  }
  return { ...common, ...shape, seconds, workSeconds: seconds };
}

function planExtension(
  common: Omit<CreatePlan, "aspect_ratio" | "resolution" | "seconds" | "workSeconds">,
  source: Extract<SourceLookup, { state: "video" }>,
  duration: string | undefined,
): CreatePlan | Response {
  const limits = OMNI_MODELS[common.model];
  if (!limits.extends) {
    return invalid(`models/${common.model} does not support video extension.`);
  }
  if (!EXTENSION.resolutions.includes(source.resolution)) {
    return invalid(
      `Only ${EXTENSION.resolutions.join(" and ")} videos can be extended; this one is ` +
        `${source.resolution}.`,
    );
  }
  const added = readSeconds(duration, EXTENSION.defaultSeconds);
  if (added instanceof Response) return added;
  if (added < EXTENSION.minSeconds || added > EXTENSION.maxSeconds) {
    return invalid(
      `An extension adds ${EXTENSION.minSeconds}s to ${EXTENSION.maxSeconds}s, not ${added}s.`,
    );
  }
  const total = source.seconds + added;
  if (total > EXTENSION.maxTotalSeconds) {
    return invalid(
      `An extended video can be at most ${EXTENSION.maxTotalSeconds} seconds long; this one ` +
        `would be ${total}.`,
    );
  }
  return {
    ...common,
    aspect_ratio: source.aspect_ratio,
    resolution: source.resolution,
    seconds: total,
    workSeconds: added,
  };
}

/** A string, one content item, content items, or user-input steps holding them. */
function readInput(raw: unknown): ContentItem[] | Response {
  if (raw === undefined) return [];
  if (typeof raw === "string") return [{ type: "text", text: raw }];
  const list = Array.isArray(raw) ? raw : [raw];
  const items: ContentItem[] = [];
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.type !== "string") {
      return invalid("Every input item needs a type.");
    }
    if (entry.type === "user_input") {
      const content = Array.isArray(entry.content) ? entry.content : [];
      const inner = readInput(content);
      if (inner instanceof Response) return inner;
      items.push(...inner);
      continue;
    }
    const item = checkItem(entry);
    if (item instanceof Response) return item;
    items.push(item);
  }
  return items;
}

function checkItem(entry: Fields): ContentItem | Response {
  const type = entry.type as string;
  if (type === "text") {
    return typeof entry.text === "string"
      ? { type, text: entry.text }
      : invalid("A text item needs text.");
  }
  if (type === "image" || type === "video" || type === "audio" || type === "document") {
    const { data, uri, mime_type } = entry;
    if (data === undefined && uri === undefined) {
      return invalid(`An ${type} item needs data (base64) or a uri.`);
    }
    if (data !== undefined && (typeof data !== "string" || !isBase64(data))) {
      return invalid(`The ${type} item's data is not valid base64.`);
    }
    if (uri !== undefined && typeof uri !== "string") {
      return invalid(`The ${type} item's uri must be a string.`);
    }
    if (type === "image" && (typeof mime_type !== "string" || !IMAGE_TYPES.includes(mime_type))) {
      return invalid(
        `Unsupported image mime_type ${JSON.stringify(mime_type ?? null)}; use one of ` +
          `${IMAGE_TYPES.join(", ")}.`,
      );
    }
    const item: ContentItem = { type };
    if (typeof data === "string") item.data = data;
    if (typeof uri === "string") item.uri = uri;
    if (typeof mime_type === "string") item.mime_type = mime_type;
    return item;
  }
  return invalid(`Unsupported input type "${type}".`);
}

interface VideoFormat {
  aspect_ratio?: string;
  resolution?: string;
  duration?: string;
  delivery?: "inline" | "uri";
}

function readVideoFormat(raw: unknown): VideoFormat | Response {
  if (raw === undefined) return {};
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.some((f) => !isObject(f) || typeof f.type !== "string")) {
    return invalid("Every response_format needs a type.");
  }
  const video = (list as Fields[]).find((f) => f.type === "video");
  if (!video) return {};
  const out: VideoFormat = {};
  for (const key of ["aspect_ratio", "resolution", "duration"] as const) {
    const value = video[key];
    if (value === undefined) continue;
    if (typeof value !== "string") return invalid(`response_format.${key} must be a string.`);
    out[key] = value;
  }
  if (video.delivery !== undefined) {
    if (video.delivery !== "inline" && video.delivery !== "uri") {
      return invalid(`Unsupported delivery "${video.delivery}". Use "inline" or "uri".`);
    }
    out.delivery = video.delivery;
  }
  return out;
}

function readTask(
  config: unknown,
  images: number,
  followUp: boolean,
): Task | Response {
  const videoConfig = isObject(config) && isObject(config.video_config) ? config.video_config : {};
  const task = videoConfig.task;
  if (task === undefined) {
    // The model infers the task from the request, as Google documents.
    if (followUp) return "edit";
    return images === 0 ? "text_to_video" : images === 1 ? "image_to_video" : "reference_to_video";
  }
  if (typeof task !== "string" || !(TASKS as readonly string[]).includes(task)) {
    return invalid(`Unsupported task ${JSON.stringify(task)}. Use one of ${TASKS.join(", ")}.`);
  }
  return task as Task;
}

/** A protobuf Duration in JSON ("8s"); Omni takes whole seconds. */
function readSeconds(duration: string | undefined, fallback: number): number | Response {
  if (duration === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  if (!match) return invalid(`Invalid duration "${duration}": write it as seconds, e.g. "8s".`);
  const seconds = Number(match[1]);
  if (!Number.isInteger(seconds)) return invalid(`Omni makes whole seconds, not "${duration}".`);
  return seconds;
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

function base64Length(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}
