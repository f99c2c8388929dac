import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { invalid } from "../../services/errors.ts";
import { controlCharacterFields } from "../../services/videos/text_input.ts";
import { fieldErrors } from "../../services/videos/video_input.ts";

/**
 * zod validation whose refusal is the app's 400 answer, naming every bad field. Every string the
 * schema lets through is also checked for control characters here, once for every route, so no
 * schema can forget it (NUL and the like: see services/text_input.ts).
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const fields = fieldErrors(result.error);
      throw invalid(fields, Object.values(fields)[0]);
    }
    const controls = controlCharacterFields(result.data);
    if (Object.keys(controls).length) throw invalid(controls, Object.values(controls)[0]);
  });
}
