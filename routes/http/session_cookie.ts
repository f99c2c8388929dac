import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE } from "./env.ts";

const LIFETIME_SECONDS = 30 * 24 * 3600;

/**
 * Whether the browser reached us over https. Behind a TLS-terminating proxy the app sees plain
 * HTTP; the proxy's header tells the truth. Trusting it is safe here: a forged "https" only makes
 * the client's own cookie stricter (and unreadable to it over plain http).
 */
export function servedOverHttps(c: Context): boolean {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0].trim();
  return new URL(c.req.url).protocol === "https:" || forwarded === "https";
}

/**
 * Over https the cookie is `__Host-sora_session`: the browser then insists on Secure, Path=/ and no
 * Domain, so no sibling subdomain or plain-http page can plant or overwrite it. Over http (a
 * laptop, tests) that prefix would be refused by the browser, so the plain name is used.
 */
function prefix(c: Context): "host" | undefined {
  return servedOverHttps(c) ? "host" : undefined;
}

/** The session token from the cookie of the right name for this request's scheme. */
export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE, prefix(c));
}

export function writeSessionCookie(c: Context, token: string): void {
  const secure = servedOverHttps(c);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/",
    maxAge: LIFETIME_SECONDS,
    prefix: secure ? "host" : undefined,
  });
}

export function clearSessionCookie(c: Context): void {
  const secure = servedOverHttps(c);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure, prefix: secure ? "host" : undefined });
}
