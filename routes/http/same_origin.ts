import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../services/errors.ts";
import { forMachines } from "./errors.tsx";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Pages act on the session cookie, which a browser sends along with any site's request: every
 * request that may change something must come from this app's own pages, whatever its content
 * type (Hono's `csrf()` checks form types only, so a cross-site JSON or text/plain body got in).
 *
 * The origin is read from `Origin`; a browser that sends none (old ones, on some same-origin
 * requests) is judged by `Sec-Fetch-Site`, then by `Referer`. A request with none of the three is
 * refused: every browser sends at least one on a POST, and scripts use the JSON API with a bearer
 * token, which this check leaves alone (as it does signed webhooks and MCP).
 */
export function sameOrigin(options: { publicUrl?: string }): MiddlewareHandler {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || forMachines(c.req.path)) return await next();
    const refusal = crossOriginRefusal(c, ownOrigins(c, publicOrigin));
    if (refusal) throw new AppError(403, "cross_origin", refusal);
    await next();
  };
}

/**
 * The app's own origins as the browser sees them: `PUBLIC_URL` when set, and the request's host
 * with the scheme the proxy reports (`X-Forwarded-Proto`) or the one it arrived with. A browser
 * always sends the Host it addressed, so a cross-site page cannot make these match.
 */
function ownOrigins(c: Context, publicOrigin: string | undefined): Set<string> {
  const url = new URL(c.req.url);
  const origins = new Set([url.origin]);
  if (publicOrigin) origins.add(publicOrigin);
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  if (proto === "https" || proto === "http") origins.add(`${proto}://${url.host}`);
  return origins;
}

/** Why the request is not from this app's pages, or undefined when it is. */
function crossOriginRefusal(c: Context, own: Set<string>): string | undefined {
  const again = "Reload the page and try again from this site.";
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    return own.has(origin)
      ? undefined
      : `This request came from another site, so it was refused. ${again}`;
  }
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) {
    return site === "same-origin"
      ? undefined
      : `This request did not come from this site's own pages, so it was refused. ${again}`;
  }
  const referer = c.req.header("referer");
  if (referer !== undefined) {
    return own.has(originOf(referer) ?? "")
      ? undefined
      : `This request came from another site, so it was refused. ${again}`;
  }
  return "This request does not say which site sent it (no Origin, Sec-Fetch-Site or Referer), " +
    "so it was refused. Use a browser, or the JSON API with a token for scripts.";
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
