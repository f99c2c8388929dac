import type { MiddlewareHandler } from "hono";

/**
 * Pages, fragments and JSON answers are one user's data (prompts, tokens, the library): no browser
 * or proxy cache may keep them. Answers that chose their own caching keep it — the static assets
 * (`no-cache` with an ETag) and media downloads (private, immutable, with ETag and Range) — so
 * this only fills in `no-store` where a route said nothing.
 */
export function noStoreByDefault(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.res.headers.set("Cache-Control", "no-store");
  };
}
