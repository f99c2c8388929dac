/**
 * Where to go after logging in. Only a path on this site is kept: `//host`, `/\host` (browsers
 * read a backslash as a slash), a scheme or anything unreadable would make the login page an open
 * redirect, so they all become `/`.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2000) return "/";
  // One leading slash, then no slash or backslash; no backslash, space or control anywhere.
  if (!/^\/(?![/\\])/.test(next) || /[\\\s\p{Cc}]/u.test(next)) return "/";
  // What the browser would make of it must still be this site.
  const base = "http://studio.invalid";
  try {
    const url = new URL(next, base);
    if (url.origin !== base) return "/";
    return url.pathname + url.search + url.hash;
  } catch {
    return "/";
  }
}

/** The login page that comes back here afterwards (`/` needs no `next`). */
export function loginPathFor(path: string): string {
  const next = safeNextPath(path);
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}
