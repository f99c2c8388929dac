import { Hono } from "hono";
import { z } from "zod";
import { login, logout, logoutEverywhere } from "../../services/auth/auth.ts";
import { requireBearer } from "../http/authenticate.ts";
import { clientAddress } from "../http/client_address.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { validate } from "../http/validation.ts";

export const credentials = z.object({
  username: z.string({ error: "Give a username." }).min(1, "Give a username.").max(64),
  password: z.string({ error: "Give a password." }).min(1, "Give a password.").max(1024),
});

export const logoutQuery = z.object({
  all: z.enum(["0", "1"], { error: "Use all=1 to end every session, or leave it out." })
    .optional(),
});

export function apiAuthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post("/login", validate("json", credentials), async (c) => {
      const { username, password } = c.req.valid("json");
      const session = await login(deps.auth, username, password, "api", clientAddress(c));
      // A token is a password: no cache (browser, proxy) may keep a copy of this answer.
      c.header("Cache-Control", "no-store");
      return c.json(session);
    })
    .post("/logout", requireBearer(deps), validate("query", logoutQuery), async (c) => {
      if (c.req.valid("query").all === "1") await logoutEverywhere(deps.auth, c.var.user.id);
      else await logout(deps.auth, c.var.token);
      return c.body(null, 204);
    });
}
