import { Hono } from "hono";
import { videoProvenance } from "../../services/videos/provenance.ts";
import { contentFile, referenceFile, type VideoServices } from "../../services/videos/videos.ts";
import { contentQuery, downloadQuery } from "../api/video_params.ts";
import { attachment, serveFile } from "./content.ts";
import type { AppEnv } from "./env.ts";

/**
 * A video's files and its provenance JSON, the same for the JSON API (`/api/videos`, bearer) and
 * the pages (`/videos`, cookie): mounted under each after its authentication.
 */
export function videoDownloadRoutes(s: VideoServices) {
  return new Hono<AppEnv>()
    .get("/:id/content", contentQuery, async (c) => {
      const { variant, download } = c.req.valid("query");
      const file = await contentFile(s, c.var.user.id, c.req.param("id"), variant);
      return serveFile(c, file, download === "1");
    })
    .get("/:id/reference", downloadQuery, async (c) => {
      const file = await referenceFile(s, c.var.user.id, c.req.param("id"));
      return serveFile(c, file, c.req.valid("query").download === "1");
    })
    .get("/:id/provenance", async (c) => {
      const { document, fileName } = await videoProvenance(s, c.var.user.id, c.req.param("id"));
      return c.json(document, 200, { "Content-Disposition": attachment(fileName) });
    });
}
