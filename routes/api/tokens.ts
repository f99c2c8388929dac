import { Hono } from "hono";
import { z } from "zod";
import {
  createApiToken,
  listApiTokens,
  MAX_TOKEN_NAME,
  revokeApiToken,
} from "../../services/auth/api_tokens.ts";
import { requireBearer } from "../http/authenticate.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { validate } from "../http/validation.ts";

export const newToken = z.object({
  // Trimmed first, as the service does, so the limit documented is the one applied.
  name: z.string({ error: "Give the token a name." }).trim()
    .min(1, "Give the token a name.")
    .max(MAX_TOKEN_NAME, `Use at most ${MAX_TOKEN_NAME} characters.`),
});

/** `/api/me/tokens`: the user's API tokens — list, make one (answered once), revoke. */
export function apiTokenRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireBearer(deps))
    .get("/", async (c) => c.json({ data: await listApiTokens(deps.auth, c.var.user.id) }))
    .post("/", validate("json", newToken), async (c) => {
      const made = await createApiToken(deps.auth, c.var.user.id, c.req.valid("json").name);
      // A token is a password: no cache (browser, proxy) may keep a copy of this answer.
      c.header("Cache-Control", "no-store");
      return c.json(made, 201);
    })
    .delete("/:id", async (c) => {
      await revokeApiToken(deps.auth, c.var.user.id, c.req.param("id"));
      return c.body(null, 204);
    });
}
