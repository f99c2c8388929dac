import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { userForToken } from "../services/auth.ts";
import { unauthorized } from "../services/errors.ts";
import { type AppDeps, type AppEnv, SESSION_COOKIE } from "./env.ts";

/** The JSON API accepts bearer tokens only, so a browser's cookies can never act on it. */
export function requireBearer(deps: AppDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
    const user = userForToken(deps.auth, token, "api");
    if (!user) throw unauthorized("Send a valid token as 'Authorization: Bearer <token>'.");
    c.set("user", user);
    c.set("token", token);
    await next();
  });
}

/** Pages use the session cookie; without one, a person is sent to the login page. */
export function requireSession(deps: AppDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE) ?? "";
    const user = userForToken(deps.auth, token, "web");
    if (!user) throw unauthorized();
    c.set("user", user);
    c.set("token", token);
    await next();
  });
}
