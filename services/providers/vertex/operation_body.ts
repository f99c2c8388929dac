import { Buffer } from "node:buffer";
import { UpstreamError } from "../upstream.ts";

/**
 * Without a Cloud Storage bucket, Vertex AI hands the finished video back inside the operation, as
 * base64 in `response.videos[0].bytesBase64Encoded`: tens of megabytes of JSON. This reads such an
 * answer as it arrives, decoding that one string to bytes on the way and parsing only the rest,
 * so a poll never holds the text, the string and the bytes at once (and a poll that only wants
 * the status keeps none of the video at all).
 */
export interface OperationBody {
  /** The answer's JSON with the inline video's base64 replaced by "". */
  json: unknown;
  /** The inline video's length in bytes, and its bytes when asked to keep them. */
  video?: { bytes: number; chunks?: Uint8Array[] };
}

const KEY = /"bytesBase64Encoded"\s*:\s*"/g;
/** Long enough to hold the key and its colon split over two chunks. */
const KEY_OVERLAP = 64;
/** The rest of an operation is small; more than this is not an operation. */
const MAX_JSON_CHARS = 8 * 1024 * 1024;

export async function readOperationBody(
  body: ReadableStream<Uint8Array>,
  options: { keepVideo: boolean; idleMs: number },
): Promise<OperationBody> {
  let state: "seek" | "video" | "after" = "seek";
  let json = "";
  let searchFrom = 0;
  let carry = "";
  let escape = "";
  let found = false;
  let bytes = 0;
  const chunks: Uint8Array[] = [];

  const decode = (base64: string, last: boolean) => {
    carry += base64;
    const usable = last ? carry.length : carry.length - (carry.length % 4);
    if (usable === 0) return;
    const buffer = Buffer.from(carry.slice(0, usable), "base64");
    carry = carry.slice(usable);
    bytes += buffer.byteLength;
    if (options.keepVideo) {
      chunks.push(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    }
  };
  const grow = (text: string) => {
    json += text;
    if (json.length > MAX_JSON_CHARS) {
      throw new UpstreamError("Vertex AI answered with an operation too large to read.", false);
    }
  };

  for await (let text of idleTextChunks(body, options.idleMs)) {
    while (text) {
      if (state === "seek") {
        grow(text);
        text = "";
        KEY.lastIndex = searchFrom;
        const match = KEY.exec(json);
        if (!match) {
          searchFrom = Math.max(0, json.length - KEY_OVERLAP);
          continue;
        }
        const end = match.index + match[0].length;
        text = json.slice(end);
        json = json.slice(0, end);
        state = "video";
        found = true;
      } else if (state === "video") {
        if (escape) {
          // JSON may escape "/" (and, rarely, anything as \uXXXX) inside the string.
          escape += text[0];
          text = text.slice(1);
          const complete = (escape.length === 2 && escape[1] !== "u") || escape.length === 6;
          if (complete) {
            const char: string = JSON.parse(`"${escape}"`);
            decode(char.replace(/[^A-Za-z0-9+/=]/g, ""), false);
            escape = "";
          }
          continue;
        }
        const stop = text.search(/["\\]/);
        decode(stop < 0 ? text : text.slice(0, stop), false);
        if (stop < 0) {
          text = "";
        } else if (text[stop] === "\\") {
          escape = "\\";
          text = text.slice(stop + 1);
        } else {
          decode("", true);
          state = "after";
          text = text.slice(stop);
        }
      } else {
        grow(text);
        text = "";
      }
    }
  }
  if (state === "video") {
    throw new UpstreamError("Vertex AI's answer broke off in the middle of the video.", true);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new UpstreamError("Vertex AI answered with something that is not JSON.", true);
  }
  return {
    json: parsed,
    video: found ? { bytes, chunks: options.keepVideo ? chunks : undefined } : undefined,
  };
}

/**
 * The body as text, giving up when no chunk has come for `idleMs` (a stalled connection must not
 * hold a job); the whole body may take longer than that, as long as it keeps coming.
 */
async function* idleTextChunks(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    while (true) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new UpstreamError("Vertex AI stopped sending its answer.", true)),
          idleMs,
        );
      });
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await Promise.race([reader.read(), stalled]);
      } catch (error) {
        if (error instanceof UpstreamError) throw error;
        throw new UpstreamError(
          `Vertex AI's answer broke off (${(error as Error)?.message ?? error}).`,
          true,
        );
      } finally {
        clearTimeout(timer);
      }
      if (result.done) {
        const rest = decoder.decode();
        if (rest) yield rest;
        return;
      }
      yield decoder.decode(result.value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
