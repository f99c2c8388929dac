import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { sharedFile, sharedVideo } from "../services/videos/sharing.ts";
import { sharePath } from "../services/videos/video_view.ts";
import { SharedVideoPage } from "../views/pages/shared_video.tsx";
import { serveFile } from "./http/content.ts";
import type { AppDeps } from "./http/env.ts";

/**
 * Every answer under a share link, a 404 included: never cached (a revoked link must stop at
 * once), never indexed, and the link is not sent on as a referrer (it is the key).
 */
const shareHeaders = createMiddleware(async (c, next) => {
  await next();
  c.res.headers.set("Cache-Control", "no-store");
  c.res.headers.set("X-Robots-Tag", "noindex, nofollow");
  c.res.headers.set("Referrer-Policy", "no-referrer");
});

/** `/s/:token`: a shared video's page, its MP4 (with ranges) and its poster, without logging in. */
export function shareRoutes(deps: AppDeps) {
  const s = deps.videos;
  return new Hono()
    .use(shareHeaders)
    .get("/:token", async (c) => {
      const token = c.req.param("token");
      const video = await sharedVideo(s, token);
      return c.html(<SharedVideoPage video={video} base={sharePath(token)} />);
    })
    .get("/:token/video", async (c) => {
      return serveFile(c, await sharedFile(s, c.req.param("token"), "video"), false);
    })
    .get("/:token/thumbnail", async (c) => {
      return serveFile(c, await sharedFile(s, c.req.param("token"), "thumbnail"), false);
    });
}
