import { Buffer } from "node:buffer";
import type { CreateJob } from "../upstream.ts";
import { UpstreamError } from "../upstream.ts";
import type { DurationFormat, FalModelSpec } from "./catalog.ts";

/** The endpoint a create goes to and the input it sends, in that endpoint's own terms. */
export interface FalSubmission {
  endpoint: string;
  input: Record<string, unknown>;
}

/**
 * Builds the input of a create: the text-to-video endpoint, or its image-to-video twin when there
 * is a reference image (sent inline as a data: URI, which fal accepts wherever it takes a URL).
 * Only fields the endpoint documents are sent.
 */
export function createSubmission(spec: FalModelSpec, job: CreateJob): FalSubmission {
  const shape = spec.shapes[job.size];
  if (!shape) {
    throw new UpstreamError(`${spec.label} on fal.ai does not make ${job.size} videos.`, false);
  }
  if (!spec.seconds.includes(job.seconds)) {
    throw new UpstreamError(
      `${spec.label} on fal.ai does not make ${job.seconds}-second videos.`,
      false,
    );
  }
  const withImage = !!job.reference;
  const input: Record<string, unknown> = {
    prompt: job.prompt,
    duration: durationValue(spec.duration, job.seconds),
  };
  if (shape.aspect_ratio && (!withImage || spec.imageToVideo.aspectRatio)) {
    input.aspect_ratio = shape.aspect_ratio;
  }
  if (shape.resolution) input.resolution = shape.resolution;
  if (spec.negativePrompt && job.negative_prompt) input.negative_prompt = job.negative_prompt;
  if (spec.generateAudio && job.audio !== undefined) input.generate_audio = job.audio;
  if (job.reference) {
    input[spec.imageToVideo.imageField] = dataUri(job.reference.bytes, job.reference.type);
  }
  return { endpoint: withImage ? spec.imageToVideo.endpoint : spec.id, input };
}

/** The input of an extension: the finished video by its URL, and the new segment's length. */
export function extendSubmission(
  spec: FalModelSpec,
  prompt: string,
  seconds: string,
  videoUrl: string,
): FalSubmission {
  const extend = spec.extend;
  if (!extend) {
    throw new UpstreamError(`fal.ai offers no way to extend ${spec.label} videos.`, false);
  }
  const length = extend.seconds.includes(seconds) ? seconds : extend.seconds[0];
  return {
    endpoint: extend.endpoint,
    input: { prompt, video_url: videoUrl, duration: durationValue("seconds-suffix", length) },
  };
}

export function durationValue(format: DurationFormat, seconds: string): string | number {
  switch (format) {
    case "seconds-suffix":
      return `${seconds}s`;
    case "number":
      return Number(seconds);
    default:
      return seconds;
  }
}

function dataUri(bytes: Uint8Array, type: string): string {
  return `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;
}
