/**
 * Builds DATA_DIRs (or PostgreSQL databases) for the benchmarks directly through the app's
 * Database class (no HTTP, no password hashing): users, page sessions and API tokens, libraries of finished videos, media files.
 * The servers are started on the prepared folder afterwards, so their memory holds none of this.
 */
import { join } from "node:path";
import { startSession } from "../services/auth/auth.ts";
import { openDatabase } from "../services/stores/open_database.ts";

/** The same secret is given to the server (SESSION_SECRET), so the tokens minted here are valid. */
export const SESSION_SECRET = "bench-session-secret-0123456789abcdef0123456789";

export interface SeededUser {
  id: number;
  username: string;
  cookie: string;
  bearer: string;
  /** Video ids of this user, newest first. */
  videos: string[];
}

const WORDS = [
  "a red fox",
  "in fresh snow",
  "slow dolly shot",
  "golden hour",
  "over a misty lake",
  "a paper boat",
  "drifting down a rain gutter",
  "macro lens",
  "neon city at night",
  "a lighthouse keeper",
  "handheld camera",
  "35mm film grain",
  "a hummingbird",
  "hovering by a flower",
  "aerial view",
  "desert canyon",
];

function prompt(i: number): string {
  const parts: string[] = [];
  for (let k = 0; k < 6 + (i % 7); k++) parts.push(WORDS[(i * 7 + k * 3) % WORDS.length]);
  return `${parts.join(", ")} (take ${i})`;
}

function videoId(n: number): string {
  return "vid_" + n.toString(16).padStart(24, "0");
}

export interface SeedOptions {
  users: number;
  /** Finished videos per user. */
  videosPerUser: number;
  /** Give every video these byte sizes (the files themselves are not written). */
  status?: "completed" | "in_progress";
  /** Seed this PostgreSQL database instead of the SQLite file in `dataDir`. */
  databaseUrl?: string;
}

/** Users with sessions and libraries of finished (or, for `in_progress`, idle) videos. */
export async function seed(dataDir: string, options: SeedOptions): Promise<SeededUser[]> {
  Deno.mkdirSync(dataDir, { recursive: true });
  const { db, client } = await openDatabase(
    join(dataDir, "sora-studio.db"),
    options.databaseUrl,
  );
  const users: SeededUser[] = [];
  const now = Date.now();
  let n = 1;
  try {
    await db.transaction(async (tx) => {
      const ctx = { db: tx, secret: SESSION_SECRET };
      for (let u = 0; u < options.users; u++) {
        const username = `bench${u}`;
        // Nobody logs in with a password here; sessions are minted below.
        const id = await tx.insertUser(username, "scrypt$unused", "user", now);
        const user: SeededUser = {
          id,
          username,
          cookie: await startSession(ctx, id, "web"),
          bearer: await startSession(ctx, id, "api"),
          videos: [],
        };
        for (let v = 0; v < options.videosPerUser; v++, n++) {
          const vid = videoId(n);
          const created = now - (v + 1) * 60_000;
          await tx.insertVideo({
            id: vid,
            user_id: id,
            prompt: prompt(n),
            model: v % 5 === 0 ? "sora-2-pro" : "sora-2",
            size: v % 3 === 0 ? "1280x720" : "720x1280",
            seconds: ["4", "8", "12"][v % 3],
            remixed_from: null,
            source_upstream_id: null,
            reference_key: null,
            reference_type: null,
            idempotency_key: crypto.randomUUID(),
            created_at: created,
          });
          const failed = options.status !== "in_progress" && v % 50 === 7;
          await tx.updateVideo(
            vid,
            options.status === "in_progress"
              ? {
                status: "in_progress",
                progress: 10,
                next_poll_at: null,
                upstream_id: `up_${vid}`,
              }
              : failed
              ? {
                status: "failed",
                next_poll_at: null,
                error_code: "moderation_blocked",
                error_message: "Your request was blocked by our moderation system.",
                upstream_id: `up_${vid}`,
              }
              : {
                status: "completed",
                progress: 100,
                completed_at: created + 45_000,
                next_poll_at: null,
                upstream_id: `up_${vid}`,
                video_bytes: 42_819,
                thumbnail_bytes: 4_028,
                spritesheet_bytes: 29_131,
              },
            created + 45_000,
          );
          user.videos.push(vid);
        }
        users.push(user);
      }
    });
  } finally {
    await client.close();
  }
  return users;
}

/** Writes a file of `bytes` pseudo-random bytes (incompressible, like real video) in 1 MB steps. */
export async function writeBigFile(path: string, bytes: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const block = new Uint8Array(1 << 20);
    for (let i = 0; i < block.length; i += 65536) {
      crypto.getRandomValues(block.subarray(i, i + 65536));
    }
    for (let written = 0; written < bytes;) {
      const chunk = block.subarray(0, Math.min(block.length, bytes - written));
      // Vary each megabyte a little so no layer can deduplicate it.
      chunk[0] = written & 0xff;
      let offset = 0;
      while (offset < chunk.length) offset += await file.write(chunk.subarray(offset));
      written += chunk.length;
    }
  } finally {
    file.close();
  }
}
