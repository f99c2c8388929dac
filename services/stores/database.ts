import { basename } from "node:path";
import type { Derivation, Role, VideoStatus } from "../types.ts";
import type { SqlQueries, SqlValue } from "./sql/sql_client.ts";

/**
 * The one module that holds the app's queries, the same text for SQLite and PostgreSQL (where they
 * differ, the dialect picks). Every method is async; a transaction is the same object over one
 * connection's transaction.
 */

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: number;
  disabled: 0 | 1;
  monthly_budget: number | null;
}

export interface VideoRow {
  id: string;
  user_id: number;
  status: VideoStatus;
  progress: number;
  prompt: string;
  model: string;
  size: string;
  seconds: string;
  remixed_from: string | null;
  /** The source's upstream id, for a video made by a provider action on it (remix, extend, edit). */
  source_upstream_id: string | null;
  /** The reference image's media key (`uploads/…`), when the video was made from one. */
  reference_key: string | null;
  reference_type: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  upstream_id: string | null;
  upstream_expires_at: number | null;
  idempotency_key: string;
  video_bytes: number | null;
  thumbnail_bytes: number | null;
  spritesheet_bytes: number | null;
  next_poll_at: number | null;
  attempts: number;
  upstream_calls: number;
  retry_reason: string | null;
  /** `openai` or `google`; null only for a row written by an older app (then its model tells). */
  provider: string | null;
  negative_prompt: string | null;
  /** USD, fixed when the video was made (0 for videos made before costs were recorded). */
  estimated_cost: number;
  /** How it came from `remixed_from`; null for a video made from a prompt alone. */
  derivation: Derivation | null;
  /** For an extension: the length of the appended segment (`seconds` is the whole video's). */
  extension_seconds: string | null;
  /** 1 sound on, 0 off, null the model's default (models without a choice). */
  audio: 0 | 1 | null;
  /** Measured from the downloaded MP4 (null until then, or when it could not be measured). */
  media_width: number | null;
  media_height: number | null;
  media_seconds: number | null;
  /** When reading the job's status upstream first failed, in the current run of failures. */
  unreadable_since: number | null;
  /** The instance working on the job and until when (ms); another may take it over after. */
  lease_owner: string | null;
  lease_until: number | null;
  /** Its live share link's token (`/s/<token>`), and when the link was made; null when none. */
  share_token: string | null;
  share_created_at: number | null;
}

/** A live share link, as the admin page lists it. */
export interface ShareRow {
  video_id: string;
  prompt: string;
  share_token: string;
  share_created_at: number;
  username: string;
}

/** An API token as its owner sees it: never its hash. */
export interface ApiTokenRow {
  id: string;
  name: string | null;
  created_at: number;
  last_used_at: number | null;
  expires_at: number;
}

/** An upstream copy that a delete could not remove: kept upstream, shown to admins. */
export interface LeftoverRow {
  video_id: string;
  provider: string;
  model: string;
  upstream_id: string;
  reason: string;
  at: number;
}

export type NewVideo = Pick<
  VideoRow,
  | "id"
  | "user_id"
  | "prompt"
  | "model"
  | "size"
  | "seconds"
  | "remixed_from"
  | "source_upstream_id"
  | "reference_key"
  | "reference_type"
  | "idempotency_key"
  | "created_at"
>;

/** A new video with its provider and provider-specific inputs. */
export type NewVideoJob = NewVideo & Pick<VideoRow, "negative_prompt"> & {
  audio?: 0 | 1 | null;
  provider: string;
  derivation?: Derivation | null;
  extension_seconds?: string | null;
  /** USD, from the price table when the video is made; 0 when unknown. */
  estimated_cost?: number;
};

/** Spend of one user on one model in a period; failed videos count as free. */
export interface SpendRow {
  user_id: number;
  model: string;
  videos: number;
  usd: number;
}

/** Columns a job's progress may change; anything left out keeps its value. */
export type VideoUpdate = Partial<
  Pick<
    VideoRow,
    | "status"
    | "progress"
    | "error_code"
    | "error_message"
    | "completed_at"
    | "upstream_id"
    | "upstream_expires_at"
    | "video_bytes"
    | "thumbnail_bytes"
    | "spritesheet_bytes"
    | "next_poll_at"
    | "attempts"
    | "reference_key"
    | "reference_type"
    | "retry_reason"
    | "media_width"
    | "media_height"
    | "media_seconds"
    | "unreadable_since"
  >
>;

export interface LibraryQuery {
  userId: number;
  limit: number;
  status?: VideoStatus;
  model?: string;
  q?: string;
  /** Position after which to continue, newest first. */
  before?: { createdAt: number; id: string };
}

const UPDATABLE = new Set<string>([
  "status",
  "progress",
  "error_code",
  "error_message",
  "completed_at",
  "upstream_id",
  "upstream_expires_at",
  "video_bytes",
  "thumbnail_bytes",
  "spritesheet_bytes",
  "next_poll_at",
  "attempts",
  "reference_key",
  "reference_type",
  "retry_reason",
  "media_width",
  "media_height",
  "media_seconds",
  "unreadable_since",
]);

/**
 * Videos that cost nothing: failed ones, except those a person cancelled, which cost what the
 * cancel recorded (0 unless the provider could not stop it).
 */
const FREE = "status = 'failed' AND coalesce(error_code, '') <> 'cancelled'";

/** A database-level handle: the queries, and transactions over them. */
export interface SqlEngine extends SqlQueries {
  transaction<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T>;
}

export class Database {
  constructor(readonly sql: SqlQueries, readonly engine?: SqlEngine) {}

  get dialect() {
    return this.sql.dialect;
  }

  /** Runs `work` in one write transaction: all of it lands, or none. */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    if (!this.engine) return work(this); // already inside one
    return this.engine.transaction((tx) => work(new Database(tx)));
  }

  // --- users -------------------------------------------------------------------------------

  async countUsers(): Promise<number> {
    return (await this.sql.get<{ n: number }>("SELECT count(*) AS n FROM users"))!.n;
  }

  async insertUser(username: string, passwordHash: string, role: Role, now: number) {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)
       RETURNING id`,
      username,
      passwordHash,
      role,
      now,
    );
    return row!.id;
  }

  /** Usernames are unique whatever their case, on both engines. */
  userByName(username: string): Promise<UserRow | undefined> {
    return this.sql.get<UserRow>("SELECT * FROM users WHERE lower(username) = lower(?)", username);
  }

  userById(id: number): Promise<UserRow | undefined> {
    return this.sql.get<UserRow>("SELECT * FROM users WHERE id = ?", id);
  }

  listUsers(): Promise<UserRow[]> {
    return this.sql.all<UserRow>("SELECT * FROM users ORDER BY lower(username)");
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.sql.run("UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, userId);
  }

  async setUserDisabled(userId: number, disabled: boolean): Promise<void> {
    await this.sql.run("UPDATE users SET disabled = ? WHERE id = ?", disabled ? 1 : 0, userId);
  }

  /**
   * Spend per user and model of the videos made from `since` on (failed ones are free, but a
   * cancelled one costs what its cancel recorded: 0 unless its provider could not stop it).
   */
  spendSince(since: number): Promise<SpendRow[]> {
    return this.sql.all<SpendRow>(
      `SELECT user_id, model, count(*) AS videos,
         sum(CASE WHEN ${FREE} THEN 0 ELSE estimated_cost END) AS usd
       FROM videos WHERE created_at >= ? GROUP BY user_id, model ORDER BY user_id, model`,
      since,
    );
  }

  /** What one user (or, with null, everyone) has spent from `since` on, in-flight videos included. */
  async spentSince(userId: number | null, since: number): Promise<number> {
    const base = `SELECT coalesce(sum(estimated_cost), 0) AS usd FROM videos
       WHERE created_at >= ? AND NOT (${FREE})`;
    const row = userId === null
      ? await this.sql.get<{ usd: number }>(base, since)
      : await this.sql.get<{ usd: number }>(`${base} AND user_id = ?`, since, userId);
    return Number(row!.usd);
  }

  async setUserBudget(userId: number, usd: number | null): Promise<void> {
    await this.sql.run("UPDATE users SET monthly_budget = ? WHERE id = ?", usd, userId);
  }

  async setting(key: string): Promise<string | undefined> {
    return (await this.sql.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", key))
      ?.value;
  }

  async setSetting(key: string, value: string | null): Promise<void> {
    if (value === null) await this.sql.run("DELETE FROM settings WHERE key = ?", key);
    else {
      await this.sql.run(
        `INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        key,
        value,
      );
    }
  }

  /** Sets `key` unless it is set already (two instances starting at once agree on one value). */
  async insertSettingOnce(key: string, value: string): Promise<void> {
    await this.sql.run(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
      key,
      value,
    );
  }

  videoCounts(): Promise<{ user_id: number; videos: number }[]> {
    return this.sql.all("SELECT user_id, count(*) AS videos FROM videos GROUP BY user_id");
  }

  /** Jobs by status, for the admin status page. */
  statusCounts(): Promise<{ status: string; videos: number }[]> {
    return this.sql.all("SELECT status, count(*) AS videos FROM videos GROUP BY status");
  }

  async deleteUser(userId: number): Promise<void> {
    await this.sql.run("DELETE FROM users WHERE id = ?", userId);
  }

  // --- sessions and API tokens ----------------------------------------------------------------

  async insertSession(
    tokenHash: string,
    userId: number,
    kind: "web" | "api",
    now: number,
    expiresAt: number,
    named: { id: string; name: string | null },
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at, id, name)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      tokenHash,
      userId,
      kind,
      now,
      expiresAt,
      named.id,
      named.name,
    );
  }

  /** The session's user, and when the session was last used (its use is noted now and then). */
  userBySession(tokenHash: string, kind: "web" | "api", now: number) {
    return this.sql.get<UserRow & { session_last_used_at: number | null }>(
      `SELECT users.*, sessions.last_used_at AS session_last_used_at
       FROM sessions JOIN users ON users.id = sessions.user_id
       WHERE sessions.token_hash = ? AND sessions.kind = ? AND sessions.expires_at > ?
         AND users.disabled = 0`,
      tokenHash,
      kind,
      now,
    );
  }

  async userIdOfSession(tokenHash: string): Promise<number | undefined> {
    const row = await this.sql.get<{ user_id: number }>(
      "SELECT user_id FROM sessions WHERE token_hash = ?",
      tokenHash,
    );
    return row?.user_id;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.sql.run("DELETE FROM sessions WHERE token_hash = ?", tokenHash);
  }

  async deleteSessionsOfUser(userId: number): Promise<void> {
    await this.sql.run("DELETE FROM sessions WHERE user_id = ?", userId);
  }

  async deleteExpiredSessions(now: number): Promise<void> {
    await this.sql.run("DELETE FROM sessions WHERE expires_at <= ?", now);
  }

  async noteSessionUsed(tokenHash: string, now: number): Promise<void> {
    await this.sql.run("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?", now, tokenHash);
  }

  /** Ends every session of the user but one (kept, with a new expiry): a password change. */
  async deleteOtherSessions(userId: number, keptHash: string, keptUntil: number): Promise<void> {
    await this.sql.run(
      "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
      userId,
      keptHash,
    );
    await this.sql.run(
      "UPDATE sessions SET expires_at = ? WHERE token_hash = ? AND user_id = ?",
      keptUntil,
      keptHash,
      userId,
    );
  }

  /** A user's live API tokens, newest first (at most `limit`). */
  apiTokensOfUser(userId: number, now: number, limit: number): Promise<ApiTokenRow[]> {
    return this.sql.all<ApiTokenRow>(
      `SELECT id, name, created_at, last_used_at, expires_at FROM sessions
       WHERE user_id = ? AND kind = 'api' AND expires_at > ?
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      userId,
      now,
      limit,
    );
  }

  async countApiTokens(userId: number, now: number): Promise<number> {
    const row = await this.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM sessions WHERE user_id = ? AND kind = 'api' AND expires_at > ?",
      userId,
      now,
    );
    return Number(row?.n ?? 0);
  }

  /** Deletes the user's API token by its public id; false when they have none by that id. */
  async deleteApiToken(userId: number, id: string): Promise<boolean> {
    const { changes } = await this.sql.run(
      "DELETE FROM sessions WHERE id = ? AND user_id = ? AND kind = 'api'",
      id,
      userId,
    );
    return changes > 0;
  }

  // --- videos ----------------------------------------------------------------------------------

  /**
   * Inside a transaction: waits for any other create in progress on any instance, so checks of
   * limits and budgets followed by an insert are one step (SQLite's write lock does this alone).
   */
  async serializeCreates(): Promise<void> {
    if (this.dialect === "postgres") await this.sql.run("SELECT pg_advisory_xact_lock(7242025)");
  }

  /** A job without a provider of its own is OpenAI's, as every video before providers was. */
  insertVideo(video: NewVideo): Promise<void> {
    return this.insertVideoJob({ ...video, provider: "openai", negative_prompt: null });
  }

  /** Inserts a new job (status `queued`, due now), recording its provider. */
  async insertVideoJob(video: NewVideoJob): Promise<void> {
    await this.sql.run(
      `INSERT INTO videos (id, user_id, status, progress, prompt, model, size, seconds, remixed_from,
         source_upstream_id, reference_key, reference_type, idempotency_key, created_at, updated_at,
         next_poll_at, provider, negative_prompt, estimated_cost, derivation, extension_seconds, audio)
       VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      video.id,
      video.user_id,
      video.prompt,
      video.model,
      video.size,
      video.seconds,
      video.remixed_from,
      video.source_upstream_id,
      video.reference_key,
      video.reference_type,
      video.idempotency_key,
      video.created_at,
      video.created_at,
      video.created_at,
      video.provider,
      video.negative_prompt,
      video.estimated_cost ?? 0,
      video.derivation ?? null,
      video.extension_seconds ?? null,
      video.audio ?? null,
    );
  }

  /** A video only when it belongs to `userId`: ownership is part of every lookup. */
  videoOfUser(id: string, userId: number): Promise<VideoRow | undefined> {
    return this.sql.get<VideoRow>("SELECT * FROM videos WHERE id = ? AND user_id = ?", id, userId);
  }

  videoById(id: string): Promise<VideoRow | undefined> {
    return this.sql.get<VideoRow>("SELECT * FROM videos WHERE id = ?", id);
  }

  videoByUpstreamId(upstreamId: string): Promise<VideoRow | undefined> {
    return this.sql.get<VideoRow>("SELECT * FROM videos WHERE upstream_id = ?", upstreamId);
  }

  /** The videos made from this one (remixes, extensions, edits, continuations), newest first. */
  madeFrom(id: string, userId: number): Promise<VideoRow[]> {
    return this.sql.all<VideoRow>(
      "SELECT * FROM videos WHERE remixed_from = ? AND user_id = ? ORDER BY created_at DESC",
      id,
      userId,
    );
  }

  /** One page of a user's library, newest first; asks for one extra row to know if more follow. */
  library(query: LibraryQuery): Promise<VideoRow[]> {
    const where = ["user_id = ?"];
    const params: SqlValue[] = [query.userId];
    if (query.status) {
      where.push("status = ?");
      params.push(query.status);
    }
    if (query.model) {
      where.push("model = ?");
      params.push(query.model);
    }
    if (query.q) {
      // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII.
      where.push("lower(prompt) LIKE lower(?) ESCAPE '\\'");
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => "\\" + c)}%`);
    }
    if (query.before) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      params.push(query.before.createdAt, query.before.createdAt, query.before.id);
    }
    params.push(query.limit);
    return this.sql.all<VideoRow>(
      `SELECT * FROM videos WHERE ${where.join(" AND ")}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...params,
    );
  }

  /** Videos of a user changed after `since`, for a reconnecting live stream. */
  videosUpdatedSince(userId: number, since: number): Promise<VideoRow[]> {
    return this.sql.all<VideoRow>(
      "SELECT * FROM videos WHERE user_id = ? AND updated_at > ? ORDER BY updated_at LIMIT 500",
      userId,
      since,
    );
  }

  unfinishedVideosOf(userId: number): Promise<VideoRow[]> {
    return this.sql.all<VideoRow>(
      "SELECT * FROM videos WHERE user_id = ? AND next_poll_at IS NOT NULL ORDER BY created_at",
      userId,
    );
  }

  /** How many of the user's videos are being made (queued, in progress or downloading). */
  async inFlightCountOf(userId: number): Promise<number> {
    return (await this.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM videos WHERE user_id = ? AND next_poll_at IS NOT NULL",
      userId,
    ))!.n;
  }

  /**
   * Due jobs, at most `perOwner` of each user's soonest: every owner's first before anyone's
   * second, so one user's backlog cannot push another's job past the limit.
   */
  dueVideosByOwner(now: number, perOwner: number, limit: number): Promise<VideoRow[]> {
    return this.sql.all<VideoRow>(
      `SELECT * FROM (
         SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY next_poll_at, id) AS turn
         FROM videos WHERE next_poll_at IS NOT NULL AND next_poll_at <= ?) AS due
       WHERE turn <= ? ORDER BY turn, next_poll_at LIMIT ?`,
      now,
      perOwner,
      limit,
    );
  }

  /** Jobs whose next check is due, soonest first. */
  dueVideos(now: number, limit: number): Promise<VideoRow[]> {
    return this.sql.all<VideoRow>(
      `SELECT * FROM videos WHERE next_poll_at IS NOT NULL AND next_poll_at <= ?
       ORDER BY next_poll_at LIMIT ?`,
      now,
      limit,
    );
  }

  /**
   * Claims due jobs for `owner` until `until`: jobs no instance holds (or whose holder's lease ran
   * out), at most `perOwner` per user in turn. On PostgreSQL rows another instance is claiming
   * right now are skipped, not waited for; SQLite has one writer, so a claim is atomic anyway.
   */
  async claimDue(
    owner: string,
    now: number,
    until: number,
    perOwner: number,
    limit: number,
  ): Promise<VideoRow[]> {
    const free = "next_poll_at IS NOT NULL AND next_poll_at <= ? AND " +
      "(lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)";
    const lock = this.dialect === "postgres" ? "FOR UPDATE SKIP LOCKED" : "";
    const rows = await this.sql.all<VideoRow & { turn: number }>(
      `WITH candidates AS (
         SELECT id, user_id, next_poll_at FROM videos WHERE ${free} ${lock}),
       picked AS (
         SELECT id, turn FROM (
           SELECT id, next_poll_at,
             row_number() OVER (PARTITION BY user_id ORDER BY next_poll_at, id) AS turn
           FROM candidates) AS due
         WHERE turn <= ? ORDER BY turn, next_poll_at LIMIT ?)
       UPDATE videos SET lease_owner = ?, lease_until = ?
       WHERE id IN (SELECT id FROM picked)
       RETURNING *, (SELECT turn FROM picked WHERE picked.id = videos.id) AS turn`,
      now,
      now,
      owner,
      perOwner,
      limit,
      owner,
      until,
    );
    return rows
      .sort((a, b) => a.turn - b.turn || (a.next_poll_at ?? 0) - (b.next_poll_at ?? 0))
      .map(({ turn: _, ...row }) => row as VideoRow);
  }

  /** Claims one job now (a create's first step), unless another instance holds it. */
  claimOne(id: string, owner: string, now: number, until: number) {
    return this.sql.get<VideoRow>(
      `UPDATE videos SET lease_owner = ?, lease_until = ?
       WHERE id = ? AND next_poll_at IS NOT NULL
         AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)
       RETURNING *`,
      owner,
      until,
      id,
      now,
      owner,
    );
  }

  /** Keeps holding a job during long work; false when another instance has taken it over. */
  async renewLease(id: string, owner: string, until: number): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE videos SET lease_until = ? WHERE id = ? AND lease_owner = ?",
      until,
      id,
      owner,
    );
    return result.changes === 1;
  }

  /**
   * Lets go of every lease. Only for SQLite, where one process owns the data folder: leases held
   * by a process that died (a `kill -9`) would otherwise keep its jobs waiting a whole lease.
   */
  async releaseAllLeases(): Promise<void> {
    await this.sql.run(
      "UPDATE videos SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
    );
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.sql.run(
      "UPDATE videos SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
      id,
      owner,
    );
  }

  /**
   * Applies `changes` and stamps `updated_at`; `expectedStatus` guards against a concurrent writer
   * having moved the job on. Returns the updated row, or undefined when nothing matched.
   */
  updateVideo(
    id: string,
    changes: VideoUpdate,
    now: number,
    expectedStatus?: VideoStatus,
  ): Promise<VideoRow | undefined> {
    const columns = Object.keys(changes).filter((key) => UPDATABLE.has(key));
    const sets = columns.map((column) => `${column} = ?`);
    const values = columns.map((column) =>
      (changes as Record<string, SqlValue | undefined>)[column] ?? null
    );
    const guard = expectedStatus ? " AND status = ?" : "";
    const params: SqlValue[] = [...values, now, id];
    if (expectedStatus) params.push(expectedStatus);
    return this.sql.get<VideoRow>(
      `UPDATE videos SET ${
        [...sets, "updated_at = ?"].join(", ")
      } WHERE id = ?${guard} RETURNING *`,
      ...params,
    );
  }

  /**
   * Moves a job's next check without marking the video as changed. Never a failed one's: a step
   * that read the job before it was cancelled must not make it due again.
   */
  async reschedule(id: string, nextPollAt: number | null, attempts: number): Promise<void> {
    await this.sql.run(
      "UPDATE videos SET next_poll_at = ?, attempts = ? WHERE id = ? AND status <> 'failed'",
      nextPollAt,
      attempts,
      id,
    );
  }

  /** Makes every job waiting to retry after a failure due now. */
  async retryWaitingNow(now: number): Promise<void> {
    await this.sql.run(
      "UPDATE videos SET next_poll_at = ? WHERE next_poll_at > ? AND attempts > 0",
      now,
      now,
    );
  }

  /** Proves the database takes writes (disk not full, file not read-only). */
  async touchHealth(now: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO health (id, checked_at) VALUES (1, ?)
       ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`,
      now,
    );
  }

  /**
   * Schedules another try after a failure, keeping its reason for the person waiting. When the
   * failure was a status read, the start of the run of unreadable statuses is kept too. Never
   * a failed job's (cancelled while the step ran): undefined then.
   */
  retryLater(
    id: string,
    nextPollAt: number,
    attempts: number,
    reason: string,
    now: number,
    statusUnreadable = false,
  ): Promise<VideoRow | undefined> {
    return this.sql.get<VideoRow>(
      `UPDATE videos SET next_poll_at = ?, attempts = ?, retry_reason = ?, updated_at = ?,
         unreadable_since = ${statusUnreadable ? "coalesce(unreadable_since, ?)" : "?"}
       WHERE id = ? AND status <> 'failed' RETURNING *`,
      nextPollAt,
      attempts,
      reason,
      now,
      statusUnreadable ? now : null,
      id,
    );
  }

  /**
   * Marks a job cancelled by its owner, only while it is as the cancel saw it (same status, same
   * upstream id or none): a step the runner saved meanwhile, here or on another instance, is never
   * overwritten, and the cancel looks again. `cost` is what is still charged.
   */
  cancelVideo(
    seen: Pick<VideoRow, "id" | "status" | "upstream_id">,
    cancel: { message: string; cost: number },
    now: number,
  ): Promise<VideoRow | undefined> {
    return this.sql.get<VideoRow>(
      `UPDATE videos SET status = 'failed', error_code = 'cancelled', error_message = ?,
         estimated_cost = ?, next_poll_at = NULL, retry_reason = NULL, updated_at = ?
       WHERE id = ? AND status = ? AND coalesce(upstream_id, '') = ? RETURNING *`,
      cancel.message,
      cancel.cost,
      now,
      seen.id,
      seen.status,
      seen.upstream_id ?? "",
    );
  }

  /**
   * Records the upstream job of a video cancelled while its create was on the way, and what that
   * costs; only while it is still cancelled without one.
   */
  settleCancelled(
    id: string,
    sent: { upstream_id: string; estimated_cost: number; error_message: string },
    now: number,
  ): Promise<VideoRow | undefined> {
    return this.sql.get<VideoRow>(
      `UPDATE videos SET upstream_id = ?, estimated_cost = ?, error_message = ?, updated_at = ?
       WHERE id = ? AND status = 'failed' AND error_code = 'cancelled' AND upstream_id IS NULL
       RETURNING *`,
      sent.upstream_id,
      sent.estimated_cost,
      sent.error_message,
      now,
      id,
    );
  }

  /** Remembers an upstream copy that a delete could not remove. */
  async addLeftover(leftover: LeftoverRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO upstream_leftovers (video_id, provider, model, upstream_id, reason, at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      leftover.video_id,
      leftover.provider,
      leftover.model,
      leftover.upstream_id,
      leftover.reason,
      leftover.at,
    );
  }

  /** The latest upstream copies kept after a delete, newest first. */
  leftovers(limit = 50): Promise<LeftoverRow[]> {
    return this.sql.all<LeftoverRow>(
      "SELECT * FROM upstream_leftovers ORDER BY at DESC LIMIT ?",
      limit,
    );
  }

  /** The earliest check still to come after `now`. */
  async nextPollAfter(now: number): Promise<number | null> {
    const row = await this.sql.get<{ at: number | null }>(
      "SELECT min(next_poll_at) AS at FROM videos WHERE next_poll_at > ?",
      now,
    );
    return row?.at ?? null;
  }

  async countUpstreamCall(id: string): Promise<void> {
    await this.sql.run("UPDATE videos SET upstream_calls = upstream_calls + 1 WHERE id = ?", id);
  }

  /** Gives a completed video of the user a share link, unless it has one: the row, or undefined. */
  shareVideo(id: string, userId: number, token: string, now: number) {
    return this.sql.get<VideoRow>(
      `UPDATE videos SET share_token = ?, share_created_at = ?
       WHERE id = ? AND user_id = ? AND status = 'completed' AND share_token IS NULL RETURNING *`,
      token,
      now,
      id,
      userId,
    );
  }

  async unshareVideo(id: string): Promise<void> {
    await this.sql.run(
      "UPDATE videos SET share_token = NULL, share_created_at = NULL WHERE id = ?",
      id,
    );
  }

  /** The completed video a live link shares, with its author; none while the author is disabled. */
  sharedVideo(token: string) {
    return this.sql.get<VideoRow & { author: string }>(
      `SELECT videos.*, users.username AS author FROM videos JOIN users ON users.id = videos.user_id
       WHERE videos.share_token = ? AND videos.status = 'completed' AND users.disabled = 0`,
      token,
    );
  }

  /** Every live share link, newest first (at most `limit`). */
  liveShares(limit: number): Promise<ShareRow[]> {
    return this.sql.all<ShareRow>(
      `SELECT videos.id AS video_id, videos.prompt, videos.share_token, videos.share_created_at,
         users.username
       FROM videos JOIN users ON users.id = videos.user_id
       WHERE videos.share_token IS NOT NULL
       ORDER BY videos.share_created_at DESC, videos.id DESC LIMIT ?`,
      limit,
    );
  }

  async deleteVideo(id: string, userId: number): Promise<void> {
    await this.sql.run("DELETE FROM videos WHERE id = ? AND user_id = ?", id, userId);
  }

  /** Each video of the user with its reference image's key, to remove their media. */
  mediaOfUser(userId: number): Promise<{ id: string; reference_key: string | null }[]> {
    return this.sql.all("SELECT id, reference_key FROM videos WHERE user_id = ?", userId);
  }

  async videoIdsOfUser(userId: number): Promise<string[]> {
    const rows = await this.sql.all<{ id: string }>(
      "SELECT id FROM videos WHERE user_id = ?",
      userId,
    );
    return rows.map((row) => row.id);
  }

  // --- webhooks --------------------------------------------------------------------------------

  /** Records a delivery id; false when it was seen before (a replay). */
  async recordWebhookDelivery(id: string, now: number): Promise<boolean> {
    const result = await this.sql.run(
      "INSERT INTO webhook_deliveries (id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
      id,
      now,
    );
    return result.changes === 1;
  }

  /** Forgets deliveries older than the signature tolerance: those are refused as stale anyway. */
  async pruneWebhookDeliveries(before: number): Promise<void> {
    await this.sql.run("DELETE FROM webhook_deliveries WHERE received_at < ?", before);
  }
}

/** A reference image kept by an older version as a path in its data folder becomes its key. */
export function referenceKeyOf(stored: string): string {
  return stored.startsWith("/") ? `uploads/${basename(stored)}` : stored;
}
