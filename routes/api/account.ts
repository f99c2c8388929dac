import { Hono } from "hono";
import { z } from "zod";
import { changeOwnPassword } from "../../services/auth/auth.ts";
import { requireBearer } from "../http/authenticate.ts";
import { clientAddress } from "../http/client_address.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { type LiveRenderer, streamVideoChanges } from "../live.ts";
import { validate } from "../http/validation.ts";

/** The JSON API's live message: the video object itself. */
const videoEvent: LiveRenderer = (video) => ({ event: "video", data: JSON.stringify(video) });

export const passwordChange = z.object({
  current_password: z.string({ error: "Give your current password." })
    .min(1, "Give your current password.").max(1024),
  new_password: z.string({ error: "Give the new password." })
    .min(1, "Give the new password.").max(1024),
});

export function apiAccountRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireBearer(deps))
    .get("/me", (c) => c.json(c.var.user))
    .post("/me/password", validate("json", passwordChange), async (c) => {
      const body = c.req.valid("json");
      await changeOwnPassword(
        deps.auth,
        { user: c.var.user, token: c.var.token, kind: "api" },
        body.current_password,
        body.new_password,
        clientAddress(c),
      );
      c.header("Cache-Control", "no-store");
      return c.body(null, 204);
    })
    // The configured providers' models (in demo mode: both simulated providers').
    .get("/models", (c) => c.json({ data: deps.videos.providers.models }))
    .get(
      "/events",
      (c) => streamVideoChanges(c, deps, videoEvent),
    );
}
