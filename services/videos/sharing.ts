import { AppError, notFound } from "../errors.ts";
import { CONTENT_TYPES } from "../stores/media/files.ts";
import { mediaKey } from "../stores/media/media_store.ts";
import type { ShareRow, VideoRow } from "../stores/database.ts";
import type { User } from "../types.ts";
import { downloadName } from "./download_name.ts";
import { sharePath, toVideo } from "./video_view.ts";
import type { ContentFile, VideoServices } from "./videos.ts";

/**
 * Share links: `/s/<token>` plays one completed video to anyone holding the link, without logging
 * in, until its owner or an admin revokes it (or the video is deleted).
 *
 * The token is 256 random bits and is kept as it is, not as a hash like session tokens: its owner
 * must be able to see and copy the link again (the detail page, the video's `share`), and pressing
 * Share again must answer the same link rather than break the one already sent around. That is
 * fine for what it is: a read-only capability for one video its owner chose to show to whoever
 * has the link — never a login — which is revoked at once, and which a copy of the database
 * (whose backups hold the media too) would add little to.
 */

const TOKEN_BYTES = 32;
/** What a token looks like (base64url of `TOKEN_BYTES`); anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The most live links the admin page lists. */
const LISTED_SHARES = 200;

export interface Share {
  /** The link's path, `/s/<token>` (the page makes it absolute for the person copying it). */
  url: string;
  token: string;
  created_at: string;
}

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}

function shareOf(row: VideoRow): Share {
  return {
    url: sharePath(row.share_token!),
    token: row.share_token!,
    created_at: new Date(row.share_created_at!).toISOString(),
  };
}

/**
 * The video's share link, made now unless it has one (`created` says which). Only its owner may
 * (another's video is 404, admins included), and only once it is completed (409 saying why).
 */
export async function shareVideo(
  s: VideoServices,
  userId: number,
  id: string,
): Promise<{ share: Share; created: boolean }> {
  const row = await s.db.videoOfUser(id, userId);
  if (!row) throw notFound();
  if (row.share_token) return { share: shareOf(row), created: false };
  if (row.status !== "completed") {
    throw new AppError(
      409,
      "not_shareable",
      "Only a finished video can be shared. Share it once it is completed.",
    );
  }
  const shared = await s.db.shareVideo(row.id, userId, newToken(), s.now());
  // Shared by another request meanwhile: that link is the one.
  const current = shared ?? await s.db.videoOfUser(id, userId);
  if (!current?.share_token) throw notFound();
  return { share: shareOf(current), created: !!shared };
}

/**
 * Ends the video's share link: its owner's, or any video's for an admin (who cannot otherwise see
 * others' videos). 404 for a video the user may not touch; nothing to do when it has no link.
 * Returns the video as its owner sees it.
 */
export async function unshareVideo(s: VideoServices, user: User, id: string) {
  const row = user.role === "admin"
    ? await s.db.videoById(id)
    : await s.db.videoOfUser(id, user.id);
  if (!row) throw notFound();
  if (row.share_token) await s.db.unshareVideo(row.id);
  return toVideo({ ...row, share_token: null, share_created_at: null }, s.facts);
}

/** What a share link's page shows: the prompt, who made it, and whether it has a poster. */
export interface SharedVideo {
  prompt: string;
  author: string;
  hasThumbnail: boolean;
  size: string;
}

async function sharedRow(s: VideoServices, token: string) {
  // An unknown, revoked or malformed token, a video no longer completed, a disabled author: all
  // the same 404, so a link tells nothing about why.
  const row = TOKEN_SHAPE.test(token) ? await s.db.sharedVideo(token) : undefined;
  if (!row) throw notFound("This shared video");
  return row;
}

export async function sharedVideo(s: VideoServices, token: string): Promise<SharedVideo> {
  const row = await sharedRow(s, token);
  return {
    prompt: row.prompt,
    author: row.author,
    hasThumbnail: row.thumbnail_bytes !== null,
    size: row.size,
  };
}

/** The shared video's MP4 or thumbnail, for the link's player. */
export async function sharedFile(
  s: VideoServices,
  token: string,
  variant: "video" | "thumbnail",
): Promise<ContentFile> {
  const row = await sharedRow(s, token);
  const key = mediaKey(row.id, variant);
  const size = (await s.media.stat(key))?.size ?? null;
  if (size === null) throw notFound(`The ${variant} of this shared video`);
  return {
    key,
    read: (start, end) => s.media.read(key, start, end),
    size,
    contentType: CONTENT_TYPES[variant],
    // Not the video's id: the link reveals nothing but the video itself.
    etag: `"shared-${row.share_created_at}-${variant}-${size}"`,
    fileName: downloadName(row, key.slice(key.lastIndexOf("."))),
  };
}

/** Every live link, for admins to see what is shared and revoke it. */
export function liveShares(s: VideoServices): Promise<ShareRow[]> {
  return s.db.liveShares(LISTED_SHARES);
}
