import { createMiddleware } from "hono/factory";
import { userForToken } from "../../services/auth/auth.ts";
import { unauthorized } from "../../services/errors.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import { readSessionCookie } from "./session_cookie.ts";

/** The JSON API accepts bearer tokens only, so a browser's cookies can never act on it. */
export function requireBearer(deps: AppDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
    const user = await userForToken(deps.auth, token, "api");
    if (!user) throw unauthorized("Send a valid token as 'Authorization: Bearer <token>'.");
    c.set("user", user);
    c.set("token", token);
    await next();
  });
}

/** Pages use the session cookie; without one, a person is sent to the login page. */
export function requireSession(deps: AppDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = readSessionCookie(c) ?? "";
    const user = await userForToken(deps.auth, token, "web");
    if (!user) throw unauthorized();
    c.set("user", user);
    c.set("token", token);
    await next();
  });
}
