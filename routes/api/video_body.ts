import type { Context } from "hono";
import { AppError, invalid } from "../../services/errors.ts";
import { controlCharacterFields } from "../../services/videos/text_input.ts";
import {
  type CreateVideoFields,
  createVideoSchema,
  fieldErrors,
} from "../../services/videos/video_input.ts";
import type { ReferenceImage } from "../../services/videos/videos.ts";
import { routeBodyLimit } from "../http/body_limits.ts";

/**
 * Refuses a body over the image limit (plus room for the form) while it streams in; the global
 * 64 KB limit leaves these paths to it (routes/body_limits.ts).
 */
export const createBodyLimit = routeBodyLimit("create");

/** A create request as JSON or as multipart with an optional `input_reference` file. */
export async function readCreateBody(
  c: Context,
): Promise<{ fields: CreateVideoFields; reference?: ReferenceImage }> {
  const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
  let raw: Record<string, unknown>;
  let file: unknown;
  if (type === "application/json") {
    raw = await c.req.json().catch(() => {
      throw invalid({ body: "The body is not valid JSON." }, "The body is not valid JSON.");
    });
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      throw invalid({ body: "Send a JSON object." }, "Send a JSON object.");
    }
  } else if (type === "multipart/form-data" || type === "application/x-www-form-urlencoded") {
    const form = await c.req.parseBody().catch(() => {
      throw invalid({ body: "The form could not be read." }, "The form could not be read.");
    });
    ({ input_reference: file, ...raw } = form);
  } else {
    throw new AppError(
      415,
      "unsupported_media_type",
      "Send application/json or multipart/form-data.",
    );
  }
  const parsed = createVideoSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw invalid(fields, Object.values(fields)[0]);
  }
  const controls = controlCharacterFields(parsed.data);
  if (Object.keys(controls).length) throw invalid(controls, Object.values(controls)[0]);
  const reference = file instanceof File && file.size > 0
    ? { bytes: new Uint8Array(await file.arrayBuffer()) }
    : undefined;
  if (file !== undefined && file !== "" && !(file instanceof File)) {
    throw invalid({ input_reference: "Send the image as a file." });
  }
  return { fields: parsed.data, reference };
}
