import type { VideoRow } from "./db.ts";
import type { Video } from "./types.ts";

/** A stored row as the public video object of the contract. */
export function toVideo(row: VideoRow): Video {
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    prompt: row.prompt,
    model: row.model,
    size: row.size,
    seconds: row.seconds,
    remixed_from: row.remixed_from,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? "" } : null,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    completed_at: row.completed_at === null ? null : iso(row.completed_at),
    upstream_id: row.upstream_id,
  };
}

/** ISO strings by time: formatting costs about a microsecond, and lists repeat the same times. */
const isoStrings = new Map<number, string>();
const MAX_ISO_STRINGS = 10_000;

function iso(ms: number): string {
  let text = isoStrings.get(ms);
  if (text === undefined) {
    if (isoStrings.size >= MAX_ISO_STRINGS) isoStrings.clear();
    text = new Date(ms).toISOString();
    isoStrings.set(ms, text);
  }
  return text;
}

/** Cursors are opaque to clients: the position of the last row they saw. */
export function encodeCursor(row: Pick<VideoRow, "created_at" | "id">): string {
  return btoa(`${row.created_at}:${row.id}`).replaceAll("=", "");
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } | null {
  try {
    const [createdAt, id] = atob(cursor).split(":");
    if (!/^\d+$/.test(createdAt) || !id) return null;
    return { createdAt: Number(createdAt), id };
  } catch {
    return null;
  }
}
