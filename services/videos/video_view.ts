import { priceOf } from "../models/catalog.ts";
import type { VideoRow } from "../stores/database.ts";
import type { Video } from "../types.ts";
import { audioOf, remakeOf, type VideoFacts } from "./video_facts.ts";

/** A stored row as the public video object of the contract, with what the catalog says of it. */
export function toVideo(row: VideoRow, facts: VideoFacts): Video {
  const model = facts.model(row);
  const measured = row.media_width !== null && row.media_height !== null &&
    row.media_seconds !== null && row.video_bytes !== null;
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    prompt: row.prompt,
    model: row.model,
    size: row.size,
    seconds: row.seconds,
    remixed_from: row.remixed_from,
    // Rows from before derivations were recorded have only the source's id: those are remixes.
    derivation: row.derivation ?? (row.remixed_from ? "remix" : null),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? "" } : null,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    completed_at: row.completed_at === null ? null : iso(row.completed_at),
    upstream_id: row.upstream_id,
    provider: row.provider ?? model?.provider ?? "unknown",
    model_label: model?.label ?? row.model,
    provider_name: model?.provider_name ?? row.provider ?? "Unknown provider",
    cost: facts.cost(row),
    audio: audioOf(row) ?? null,
    negative_prompt: row.negative_prompt,
    reference: referenceOf(row),
    variants: facts.variants(row),
    media: measured
      ? {
        width: row.media_width!,
        height: row.media_height!,
        seconds: row.media_seconds!,
        bytes: row.video_bytes!,
      }
      : null,
    actions: facts.actions(row),
    rerun_cost: priceOf(facts.providers.findModel(row.model), {
      size: row.size,
      seconds: row.seconds,
      audio: audioOf(row),
    }),
    remake_with: remakeOf(facts, row),
    share: row.share_token && row.share_created_at !== null
      ? { url: sharePath(row.share_token), created_at: iso(row.share_created_at) }
      : null,
  };
}

/** Where a share link plays: the one place its path is made. */
export function sharePath(token: string): string {
  return `/s/${token}`;
}

/**
 * The image it was made from: its type, and where its owner gets it while it is kept (null for
 * videos whose image was deleted once sent, before reference images were kept).
 */
function referenceOf(row: VideoRow): Video["reference"] {
  if (!row.reference_type) return null;
  const url = row.reference_key ? `/api/videos/${encodeURIComponent(row.id)}/reference` : null;
  return { type: row.reference_type, url };
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
