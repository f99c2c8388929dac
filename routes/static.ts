import { Hono } from "hono";
import htmx from "htmx.org/dist/htmx.min.js" with { type: "text" };
import htmxSse from "htmx.org/dist/ext/hx-sse.min.js" with { type: "text" };
import alpine from "@alpinejs/csp/dist/cdn.min.js" with { type: "text" };
import appCss from "../static/app.css" with { type: "text" };
import appJs from "../static/app.js" with { type: "text" };

/**
 * Browser assets, imported as text so they are pinned by deno.lock and embedded in the compiled
 * binary: nothing is read from the source tree at run time.
 */
const ASSETS = new Map<string, { body: string; type: string }>([
  ["htmx.js", { body: htmx, type: "text/javascript" }],
  ["hx-sse.js", { body: htmxSse, type: "text/javascript" }],
  ["alpine.js", { body: alpine, type: "text/javascript" }],
  ["app.css", { body: appCss, type: "text/css" }],
  ["app.js", { body: appJs, type: "text/javascript" }],
]);

async function etagOf(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  return `"${btoa(String.fromCharCode(...new Uint8Array(digest).subarray(0, 12)))}"`;
}

// A Map, not an object: a name such as `constructor` or `__proto__` must not find a prototype member.
const ETAGS = new Map(
  await Promise.all([...ASSETS].map(async ([name, a]) => [name, await etagOf(a.body)] as const)),
);

export function staticRoutes() {
  return new Hono().get("/:name", (c) => {
    const name = c.req.param("name");
    const asset = ASSETS.get(name);
    const etag = ETAGS.get(name);
    if (!asset || !etag) return c.notFound();
    const headers = {
      "Content-Type": `${asset.type}; charset=utf-8`,
      "Cache-Control": "no-cache",
      "ETag": etag,
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(asset.body, 200, headers);
  });
}
