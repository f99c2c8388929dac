import { z } from "zod";
import { CONTENT_VARIANTS } from "../../services/types.ts";
import { VIDEO_ID } from "../../services/videos/video_input.ts";
import { validate } from "../http/validation.ts";
import { notFound } from "../../services/errors.ts";
import { createMiddleware } from "hono/factory";

/** An id that cannot be ours names no video: 404, like any other missing one. */
export const videoIdParam = createMiddleware(async (c, next) => {
  if (!VIDEO_ID.test(c.req.param("id") ?? "")) throw notFound();
  await next();
});

export const contentQuerySchema = z.object({
  variant: z.enum(CONTENT_VARIANTS, { error: "Use video, thumbnail or spritesheet." })
    .default("video"),
  download: z.enum(["0", "1"]).optional(),
});
export const contentQuery = validate("query", contentQuerySchema);

/** `?download=1` asks for a file to be saved (Content-Disposition) rather than shown. */
export const downloadQuerySchema = z.object({
  download: z.enum(["0", "1"], { error: "Use download=1 or 0." }).optional(),
});
export const downloadQuery = validate("query", downloadQuerySchema);
