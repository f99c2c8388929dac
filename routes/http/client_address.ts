import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

/**
 * The client's address for rate limits. A reverse proxy on the same machine connects from
 * loopback, so only then is its X-Forwarded-For believed (its last hop is the proxy's peer).
 */
export function clientAddress(c: Context): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined; // no connection info (e.g. app.request in tests)
  }
  const loopback = !peer || peer === "::1" || peer.startsWith("127.");
  const forwarded = c.req.header("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(
    Boolean,
  );
  if (loopback && forwarded?.length) return forwarded[forwarded.length - 1];
  return peer ?? "unknown";
}
