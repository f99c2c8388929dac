import type { Context } from "hono";
import type { ContentFile } from "../../services/videos/videos.ts";
import type { DownloadName } from "../../services/videos/download_name.ts";

/**
 * `Content-Disposition` for a download: the ASCII name for old clients and the UTF-8 one as
 * `filename*` (RFC 5987/6266), which browsers prefer, so a prompt in any script names the file.
 */
export function attachment(name: DownloadName): string {
  const utf8 = encodeURIComponent(name.utf8).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${name.ascii}"; filename*=UTF-8''${utf8}`;
}

/**
 * Answers a stored file the way players and download managers expect: length, ETag, conditional
 * requests, and single byte ranges (206, or 416 when the range is outside the file).
 */
export async function serveFile(c: Context, file: ContentFile, download: boolean) {
  const headers = new Headers({
    "Content-Type": file.contentType,
    "Accept-Ranges": "bytes",
    "ETag": file.etag,
    "Cache-Control": "private, max-age=31536000, immutable",
  });
  if (download) headers.set("Content-Disposition", attachment(file.fileName));
  if (c.req.header("if-none-match") === file.etag) {
    return new Response(null, { status: 304, headers });
  }
  const range = parseRange(c.req.header("range"), file.size, c.req.header("if-range"), file.etag);
  if (range === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${file.size}`);
    return new Response(null, { status: 416, headers });
  }
  const [start, end] = range ?? [0, file.size - 1];
  headers.set("Content-Length", String(end - start + 1));
  if (range) headers.set("Content-Range", `bytes ${start}-${end}/${file.size}`);
  const status = range ? 206 : 200;
  if (c.req.method === "HEAD" || file.size === 0) return new Response(null, { status, headers });
  const body = await file.read(start, end);
  if (!body) return new Response(null, { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(body, { status, headers });
}

/** One `bytes=` range, or null for the whole file (no header, several ranges, or a stale If-Range). */
export function parseRange(
  header: string | undefined,
  size: number,
  ifRange?: string,
  etag?: string,
): [number, number] | null | "unsatisfiable" {
  if (!header || (ifRange !== undefined && ifRange !== etag)) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || start > end) return "unsatisfiable";
  return [start, end];
}
