import { Hono } from "hono";
import { requireBearer } from "./authenticate.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import { type LiveRenderer, streamVideoChanges } from "./live.ts";

/** The JSON API's live message: the video object itself. */
const videoEvent: LiveRenderer = (video) => ({ event: "video", data: JSON.stringify(video) });

export function apiAccountRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireBearer(deps))
    .get("/me", (c) => c.json(c.var.user))
    // The configured providers' models (in demo mode: both simulated providers').
    .get("/models", (c) => c.json({ data: deps.videos.providers.models }))
    .get(
      "/events",
      (c) => streamVideoChanges(c, deps, videoEvent),
    );
}
