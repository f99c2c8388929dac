import { Hono } from "hono";
import {
  continueVideo,
  createVideo,
  deleteVideo,
  editVideo,
  extendVideo,
  getVideo,
  listVideos,
  remixVideo,
} from "../../services/videos/videos.ts";
import {
  extendSchema,
  libraryQuerySchema,
  remixSchema,
} from "../../services/videos/video_input.ts";
import { cancelVideo } from "../../services/videos/cancel.ts";
import { shareVideo, unshareVideo } from "../../services/videos/sharing.ts";
import { requireBearer } from "../http/authenticate.ts";
import { videoDownloadRoutes } from "../http/downloads.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { validate } from "../http/validation.ts";
import { createBodyLimit, readCreateBody } from "./video_body.ts";
import { videoIdParam } from "./video_params.ts";

export function apiVideoRoutes(deps: AppDeps) {
  const s = deps.videos;
  return new Hono<AppEnv>()
    .use(requireBearer(deps))
    .use("/:id/*", videoIdParam)
    .use("/:id", videoIdParam)
    .post("/", createBodyLimit, async (c) => {
      const { fields, reference } = await readCreateBody(c);
      return c.json(await createVideo(s, c.var.user.id, fields, reference), 201);
    })
    .get("/", validate("query", libraryQuerySchema), async (c) => {
      return c.json(await listVideos(s, c.var.user.id, c.req.valid("query")));
    })
    .get("/:id", async (c) => c.json(await getVideo(s, c.var.user.id, c.req.param("id"))))
    .route("/", videoDownloadRoutes(s))
    .post("/:id/remix", validate("json", remixSchema), async (c) => {
      const { prompt } = c.req.valid("json");
      return c.json(await remixVideo(s, c.var.user.id, c.req.param("id"), prompt), 201);
    })
    .post("/:id/extend", validate("json", extendSchema), async (c) => {
      const request = c.req.valid("json");
      return c.json(await extendVideo(s, c.var.user.id, c.req.param("id"), request), 201);
    })
    .post("/:id/edit", validate("json", remixSchema), async (c) => {
      const { prompt } = c.req.valid("json");
      return c.json(await editVideo(s, c.var.user.id, c.req.param("id"), prompt), 201);
    })
    .post("/:id/continue", validate("json", remixSchema), async (c) => {
      const { prompt } = c.req.valid("json");
      return c.json(await continueVideo(s, c.var.user.id, c.req.param("id"), prompt), 201);
    })
    .post("/:id/cancel", async (c) => c.json(await cancelVideo(s, c.var.user, c.req.param("id"))))
    .post("/:id/share", async (c) => {
      const { share, created } = await shareVideo(s, c.var.user.id, c.req.param("id"));
      return c.json(share, created ? 201 : 200);
    })
    .delete("/:id/share", async (c) => {
      await unshareVideo(s, c.var.user, c.req.param("id"));
      return c.body(null, 204);
    })
    .delete("/:id", async (c) => {
      await deleteVideo(s, c.var.user.id, c.req.param("id"));
      return c.body(null, 204);
    });
}
