// What a predictLongRunning request asks the Vertex AI simulator for, once its instance and
// parameters are checked the way Veo 3.1 on Vertex AI checks them; or the 400 it gets.
import { Buffer } from "node:buffer";
import { invalidArgument } from "./google_errors.ts";

export const ASPECT_RATIOS = ["16:9", "9:16"];
export const RESOLUTIONS = ["720p", "1080p", "4k"];
export const DURATIONS = [4, 6, 8];
/** Veo appends this many seconds to a video per extension. */
export const EXTENSION_SECONDS = 7;
/** Vertex AI extends videos of 1 to 30 seconds. */
export const MAX_EXTENSION_SOURCE_SECONDS = 30;

/** A finished video of this simulator, as an extension request may name it. */
export interface SourceVideo {
  name: string;
  model: string;
  completed: boolean;
  aspectRatio: string;
  resolution: string;
  seconds: number;
}

export interface VideoPlan {
  prompt: string;
  aspectRatio: string;
  resolution: string;
  /** Length of the resulting video (an extension's: the source's plus EXTENSION_SECONDS). */
  seconds: number;
  /** Seconds of new footage, which set how long the operation takes. */
  workSeconds: number;
  audio: boolean;
  sampleCount: number;
  negativePrompt?: string;
  image?: { mimeType: string; bytes: number };
  /** The operation whose video an extension continues. */
  source?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function planRequest(
  model: string,
  body: unknown,
  findSource: (bytes: Uint8Array) => SourceVideo | undefined,
): VideoPlan | Response {
  if (!isObject(body) || !Array.isArray(body.instances) || body.instances.length === 0) {
    return invalidArgument("instances must hold one instance.");
  }
  if (body.instances.length > 1) return invalidArgument("Only one instance is supported.");
  const instance = body.instances[0];
  const parameters = body.parameters ?? {};
  if (!isObject(instance)) return invalidArgument("The instance must be an object.");
  if (!isObject(parameters)) return invalidArgument("parameters must be an object.");
  if (instance.prompt !== undefined && typeof instance.prompt !== "string") {
    return invalidArgument("prompt must be a string.");
  }
  const prompt = (instance.prompt as string | undefined) ?? "";

  const image = instance.image === undefined ? undefined : media(instance.image, "image", "image/");
  if (image instanceof Response) return image;
  const video = instance.video === undefined ? undefined : media(instance.video, "video", "video/");
  if (video instanceof Response) return video;
  if (image && video) return invalidArgument("An instance can have an image or a video, not both.");
  if (!prompt.trim() && !image && !video) {
    return invalidArgument("A text prompt is required unless an image is given.");
  }

  const common = commonParameters(parameters);
  if (common instanceof Response) return common;
  if (video) return planExtension(model, prompt, video.bytes, parameters, common, findSource);

  const aspectRatio = parameters.aspectRatio ?? "16:9";
  const resolution = parameters.resolution ?? "720p";
  const duration = parameters.durationSeconds ?? 8;
  if (typeof aspectRatio !== "string" || !ASPECT_RATIOS.includes(aspectRatio)) {
    return invalidArgument(`Unsupported aspect ratio: ${aspectRatio}. Use 16:9 or 9:16.`);
  }
  if (typeof resolution !== "string" || !RESOLUTIONS.includes(resolution)) {
    return invalidArgument(`Unsupported resolution: ${resolution}. Use 720p, 1080p or 4k.`);
  }
  if (typeof duration !== "number" || !DURATIONS.includes(duration)) {
    return invalidArgument(`Unsupported duration: ${duration} seconds. Use 4, 6 or 8.`);
  }
  return {
    ...common,
    prompt,
    aspectRatio,
    resolution,
    seconds: duration,
    workSeconds: duration,
    image: image ? { mimeType: image.mimeType, bytes: image.bytes.byteLength } : undefined,
  };
}

function commonParameters(parameters: Json) {
  const { sampleCount = 1, generateAudio = true, negativePrompt, storageUri } = parameters;
  if (
    typeof sampleCount !== "number" || !Number.isInteger(sampleCount) || sampleCount < 1 ||
    sampleCount > 4
  ) {
    return invalidArgument("sampleCount must be a whole number from 1 to 4.");
  }
  if (typeof generateAudio !== "boolean") {
    return invalidArgument("generateAudio must be true or false.");
  }
  if (negativePrompt !== undefined && typeof negativePrompt !== "string") {
    return invalidArgument("negativePrompt must be a string.");
  }
  if (storageUri !== undefined) {
    return invalidArgument(
      "This simulator has no Cloud Storage: leave storageUri out and read the video from the operation.",
    );
  }
  return {
    sampleCount,
    audio: generateAudio,
    negativePrompt: negativePrompt as string | undefined,
  };
}

/** An image or video given inline: its bytes and MIME type (Cloud Storage URIs are not read). */
function media(
  value: unknown,
  field: string,
  kind: string,
): { bytes: Uint8Array; mimeType: string } | Response {
  if (!isObject(value)) return invalidArgument(`${field} must be an object.`);
  if (value.gcsUri !== undefined) {
    return invalidArgument(
      `${field}.gcsUri: this simulator has no Cloud Storage; send bytesBase64Encoded.`,
    );
  }
  if (typeof value.bytesBase64Encoded !== "string" || !value.bytesBase64Encoded) {
    return invalidArgument(`${field} needs bytesBase64Encoded.`);
  }
  if (typeof value.mimeType !== "string" || !value.mimeType.startsWith(kind)) {
    return invalidArgument(`${field}.mimeType must be a ${kind}* type.`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.bytesBase64Encoded)) {
    return invalidArgument(`${field}.bytesBase64Encoded is not base64.`);
  }
  return {
    bytes: new Uint8Array(Buffer.from(value.bytesBase64Encoded, "base64")),
    mimeType: value.mimeType,
  };
}

/**
 * An extension continues a finished 720p video this simulator made, of at most 30 seconds, in
 * its aspect ratio, by EXTENSION_SECONDS; the result is one video, the source and the new part.
 */
function planExtension(
  model: string,
  prompt: string,
  bytes: Uint8Array,
  parameters: Json,
  common: { sampleCount: number; audio: boolean; negativePrompt?: string },
  findSource: (bytes: Uint8Array) => SourceVideo | undefined,
): VideoPlan | Response {
  if (!model.startsWith("veo-3.1")) {
    return invalidArgument(`${model} does not support video extension; use a Veo 3.1 model.`);
  }
  const source = findSource(bytes);
  if (!source?.completed) {
    return invalidArgument("Only videos Veo generated can be extended; this video was not.");
  }
  if (source.resolution !== "720p") {
    return invalidArgument("Only 720p videos can be extended.");
  }
  if (parameters.resolution !== undefined && parameters.resolution !== "720p") {
    return invalidArgument(`Unsupported resolution for video extension: ${parameters.resolution}.`);
  }
  if (parameters.aspectRatio !== undefined && parameters.aspectRatio !== source.aspectRatio) {
    return invalidArgument(
      `An extension keeps the video's aspect ratio (${source.aspectRatio}), not ${parameters.aspectRatio}.`,
    );
  }
  if (source.seconds > MAX_EXTENSION_SOURCE_SECONDS) {
    return invalidArgument(
      `Videos longer than ${MAX_EXTENSION_SOURCE_SECONDS} seconds cannot be extended; this one is ${source.seconds} seconds.`,
    );
  }
  return {
    ...common,
    prompt,
    aspectRatio: source.aspectRatio,
    resolution: "720p",
    seconds: source.seconds + EXTENSION_SECONDS,
    workSeconds: EXTENSION_SECONDS,
    source: source.name,
  };
}
