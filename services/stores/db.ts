import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { Derivation, Role, VideoStatus } from "../types.ts";

/**
 * The one module that holds SQL. Every statement is prepared once and reused; the schema grows by
 * appending to MIGRATIONS, whose position is the `PRAGMA user_version` it brings the file to.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     username TEXT NOT NULL UNIQUE COLLATE NOCASE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
     created_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_user ON sessions(user_id);
   CREATE TABLE videos (
     id TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     status TEXT NOT NULL,
     progress INTEGER NOT NULL DEFAULT 0,
     prompt TEXT NOT NULL,
     model TEXT NOT NULL,
     size TEXT NOT NULL,
     seconds TEXT NOT NULL,
     remixed_from TEXT,
     remix_upstream_id TEXT,
     reference_path TEXT,
     reference_type TEXT,
     error_code TEXT,
     error_message TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     completed_at INTEGER,
     upstream_id TEXT,
     upstream_expires_at INTEGER,
     idempotency_key TEXT NOT NULL,
     video_bytes INTEGER,
     thumbnail_bytes INTEGER,
     spritesheet_bytes INTEGER,
     next_poll_at INTEGER,
     attempts INTEGER NOT NULL DEFAULT 0,
     upstream_calls INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX videos_library ON videos(user_id, created_at DESC, id DESC);
   CREATE INDEX videos_due ON videos(next_poll_at) WHERE next_poll_at IS NOT NULL;
   CREATE INDEX videos_remixed_from ON videos(remixed_from) WHERE remixed_from IS NOT NULL;`,
  `CREATE TABLE webhook_deliveries (
     id TEXT PRIMARY KEY,
     received_at INTEGER NOT NULL
   );`,
  // Why the last attempt at a job failed while it waits to try again (null once it goes on).
  `ALTER TABLE videos ADD COLUMN retry_reason TEXT;`,
  `CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);`,
  `ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;`,
  // Which provider makes a video (every video before this was OpenAI's), and what it must not show.
  `ALTER TABLE videos ADD COLUMN provider TEXT;
   UPDATE videos SET provider = 'openai' WHERE provider IS NULL;
   ALTER TABLE videos ADD COLUMN negative_prompt TEXT;`,
  // The library filtered by model stays an index walk, however large it grows.
  `CREATE INDEX videos_library_model ON videos(user_id, model, created_at DESC, id DESC);`,
  // Budgets: what each video was estimated to cost when it was made, each user's monthly budget,
  // and app-wide settings such as the team's budget.
  `ALTER TABLE videos ADD COLUMN estimated_cost REAL NOT NULL DEFAULT 0;
   ALTER TABLE users ADD COLUMN monthly_budget REAL;
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE INDEX videos_created ON videos(created_at);`,
  // How a video came from its source (`remixed_from`): remix, extend, edit or continue; the
  // upstream id the provider's action works on; the length of an extension's new segment.
  `ALTER TABLE videos RENAME COLUMN remix_upstream_id TO source_upstream_id;
   ALTER TABLE videos ADD COLUMN derivation TEXT;
   UPDATE videos SET derivation = CASE WHEN source_upstream_id IS NOT NULL THEN 'remix'
     ELSE 'continue' END WHERE remixed_from IS NOT NULL;
   ALTER TABLE videos ADD COLUMN extension_seconds TEXT;`,
  // Sound on or off where the model lets a person choose; what the file really is (measured from
  // the MP4); since when its status could not be read; upstream copies a delete could not remove.
  `ALTER TABLE videos ADD COLUMN audio INTEGER;
   ALTER TABLE videos ADD COLUMN media_width INTEGER;
   ALTER TABLE videos ADD COLUMN media_height INTEGER;
   ALTER TABLE videos ADD COLUMN media_seconds REAL;
   ALTER TABLE videos ADD COLUMN unreadable_since INTEGER;
   CREATE TABLE upstream_leftovers (
     video_id TEXT NOT NULL,
     provider TEXT NOT NULL,
     model TEXT NOT NULL,
     upstream_id TEXT NOT NULL,
     reason TEXT NOT NULL,
     at INTEGER NOT NULL
   );`,
];

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
  reference_path: string | null;
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
  | "reference_path"
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
    | "reference_path"
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

/**
 * SQLite would create a missing database file 0644 (its default, less the umask). Made empty here
 * with 0600 first, the file is private from the moment it exists, and SQLite gives its -wal and
 * -shm files the main file's mode. An existing file is left as it is.
 */
function createPrivately(path: string): void {
  if (path === "" || path === ":memory:" || path.startsWith("file:")) return;
  try {
    Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
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
  "reference_path",
  "reference_type",
  "retry_reason",
  "media_width",
  "media_height",
  "media_seconds",
  "unreadable_since",
]);

export class Database {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    createPrivately(path);
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    this.#migrate();
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Runs `work` in one write transaction: all of it lands, or none. */
  transaction<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** A consistent copy of the whole database in one file, safe while the app runs. */
  backupTo(path: string): void {
    this.#db.prepare("VACUUM INTO ?").run(path);
  }

  schemaVersion(): number {
    return (this.#db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
  }

  // --- users -------------------------------------------------------------------------------

  countUsers(): number {
    return (this.#get("SELECT count(*) AS n FROM users") as { n: number }).n;
  }

  insertUser(username: string, passwordHash: string, role: Role, now: number): number {
    const result = this.#run(
      "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
      username,
      passwordHash,
      role,
      now,
    );
    return Number(result.lastInsertRowid);
  }

  userByName(username: string): UserRow | undefined {
    return this.#get("SELECT * FROM users WHERE username = ?", username) as UserRow | undefined;
  }

  userById(id: number): UserRow | undefined {
    return this.#get("SELECT * FROM users WHERE id = ?", id) as UserRow | undefined;
  }

  listUsers(): UserRow[] {
    return this.#all("SELECT * FROM users ORDER BY username") as unknown as UserRow[];
  }

  setPasswordHash(userId: number, passwordHash: string): void {
    this.#run("UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, userId);
  }

  setUserDisabled(userId: number, disabled: boolean): void {
    this.#run("UPDATE users SET disabled = ? WHERE id = ?", disabled ? 1 : 0, userId);
  }

  /** Spend per user and model of the videos made from `since` on (failed ones are free). */
  spendSince(since: number): SpendRow[] {
    return this.#all(
      `SELECT user_id, model, count(*) AS videos,
         sum(CASE WHEN status = 'failed' THEN 0 ELSE estimated_cost END) AS usd
       FROM videos WHERE created_at >= ? GROUP BY user_id, model ORDER BY user_id, model`,
      since,
    ) as unknown as SpendRow[];
  }

  /** What one user (or, with null, everyone) has spent from `since` on, in-flight videos included. */
  spentSince(userId: number | null, since: number): number {
    const row = this.#get(
      `SELECT coalesce(sum(estimated_cost), 0) AS usd FROM videos
       WHERE created_at >= ? AND status != 'failed' AND (? IS NULL OR user_id = ?)`,
      since,
      userId,
      userId,
    ) as { usd: number };
    return row.usd;
  }

  setUserBudget(userId: number, usd: number | null): void {
    this.#run("UPDATE users SET monthly_budget = ? WHERE id = ?", usd, userId);
  }

  setting(key: string): string | undefined {
    return (this.#get("SELECT value FROM settings WHERE key = ?", key) as
      | { value: string }
      | undefined)?.value;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.#run("DELETE FROM settings WHERE key = ?", key);
    else {
      this.#run(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value,
      );
    }
  }

  videoCounts(): { user_id: number; videos: number }[] {
    return this.#all(
      "SELECT user_id, count(*) AS videos FROM videos GROUP BY user_id",
    ) as unknown as {
      user_id: number;
      videos: number;
    }[];
  }

  /** Jobs by status, for the admin status page. */
  statusCounts(): { status: string; videos: number }[] {
    return this.#all(
      "SELECT status, count(*) AS videos FROM videos GROUP BY status",
    ) as unknown as {
      status: string;
      videos: number;
    }[];
  }

  deleteUser(userId: number): void {
    this.#run("DELETE FROM users WHERE id = ?", userId);
  }

  // --- sessions and API tokens ----------------------------------------------------------------

  insertSession(
    tokenHash: string,
    userId: number,
    kind: "web" | "api",
    now: number,
    expiresAt: number,
  ): void {
    this.#run(
      "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      tokenHash,
      userId,
      kind,
      now,
      expiresAt,
    );
  }

  userBySession(tokenHash: string, kind: "web" | "api", now: number): UserRow | undefined {
    return this.#get(
      `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
       WHERE sessions.token_hash = ? AND sessions.kind = ? AND sessions.expires_at > ?
         AND users.disabled = 0`,
      tokenHash,
      kind,
      now,
    ) as UserRow | undefined;
  }

  deleteSession(tokenHash: string): void {
    this.#run("DELETE FROM sessions WHERE token_hash = ?", tokenHash);
  }

  deleteSessionsOfUser(userId: number): void {
    this.#run("DELETE FROM sessions WHERE user_id = ?", userId);
  }

  deleteExpiredSessions(now: number): void {
    this.#run("DELETE FROM sessions WHERE expires_at <= ?", now);
  }

  // --- videos ----------------------------------------------------------------------------------

  /** A job without a provider of its own is OpenAI's, as every video before providers was. */
  insertVideo(video: NewVideo): void {
    this.insertVideoJob({ ...video, provider: "openai", negative_prompt: null });
  }

  /** Inserts a new job (status `queued`, due now), recording its provider. */
  insertVideoJob(video: NewVideoJob): void {
    this.#run(
      `INSERT INTO videos (id, user_id, status, progress, prompt, model, size, seconds, remixed_from,
         source_upstream_id, reference_path, reference_type, idempotency_key, created_at, updated_at,
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
      video.reference_path,
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
  videoOfUser(id: string, userId: number): VideoRow | undefined {
    return this.#get("SELECT * FROM videos WHERE id = ? AND user_id = ?", id, userId) as
      | VideoRow
      | undefined;
  }

  videoById(id: string): VideoRow | undefined {
    return this.#get("SELECT * FROM videos WHERE id = ?", id) as VideoRow | undefined;
  }

  videoByUpstreamId(upstreamId: string): VideoRow | undefined {
    return this.#get("SELECT * FROM videos WHERE upstream_id = ?", upstreamId) as
      | VideoRow
      | undefined;
  }

  /** The videos made from this one (remixes, extensions, edits, continuations), newest first. */
  madeFrom(id: string, userId: number): VideoRow[] {
    return this.#all(
      "SELECT * FROM videos WHERE remixed_from = ? AND user_id = ? ORDER BY created_at DESC",
      id,
      userId,
    ) as unknown as VideoRow[];
  }

  /** One page of a user's library, newest first; asks for one extra row to know if more follow. */
  library(query: LibraryQuery): VideoRow[] {
    const where = ["user_id = ?"];
    const params: SQLInputValue[] = [query.userId];
    if (query.status) {
      where.push("status = ?");
      params.push(query.status);
    }
    if (query.model) {
      where.push("model = ?");
      params.push(query.model);
    }
    if (query.q) {
      where.push("prompt LIKE ? ESCAPE '\\'");
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => "\\" + c)}%`);
    }
    if (query.before) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      params.push(query.before.createdAt, query.before.createdAt, query.before.id);
    }
    params.push(query.limit);
    return this.#all(
      `SELECT * FROM videos WHERE ${where.join(" AND ")}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...params,
    ) as unknown as VideoRow[];
  }

  /** Videos of a user changed after `since`, for a reconnecting live stream. */
  videosUpdatedSince(userId: number, since: number): VideoRow[] {
    return this.#all(
      "SELECT * FROM videos WHERE user_id = ? AND updated_at > ? ORDER BY updated_at LIMIT 500",
      userId,
      since,
    ) as unknown as VideoRow[];
  }

  unfinishedVideosOf(userId: number): VideoRow[] {
    return this.#all(
      "SELECT * FROM videos WHERE user_id = ? AND next_poll_at IS NOT NULL ORDER BY created_at",
      userId,
    ) as unknown as VideoRow[];
  }

  /** How many of the user's videos are being made (queued, in progress or downloading). */
  inFlightCountOf(userId: number): number {
    return (this.#get(
      "SELECT count(*) AS n FROM videos WHERE user_id = ? AND next_poll_at IS NOT NULL",
      userId,
    ) as { n: number }).n;
  }

  /**
   * Due jobs, at most `perOwner` of each user's soonest: every owner's first before anyone's
   * second, so one user's backlog cannot push another's job past the limit.
   */
  dueVideosByOwner(now: number, perOwner: number, limit: number): VideoRow[] {
    return this.#all(
      `SELECT * FROM (
         SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY next_poll_at, id) AS turn
         FROM videos WHERE next_poll_at IS NOT NULL AND next_poll_at <= ?)
       WHERE turn <= ? ORDER BY turn, next_poll_at LIMIT ?`,
      now,
      perOwner,
      limit,
    ) as unknown as VideoRow[];
  }

  /** Jobs whose next check is due, soonest first. */
  dueVideos(now: number, limit: number): VideoRow[] {
    return this.#all(
      `SELECT * FROM videos WHERE next_poll_at IS NOT NULL AND next_poll_at <= ?
       ORDER BY next_poll_at LIMIT ?`,
      now,
      limit,
    ) as unknown as VideoRow[];
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
  ): VideoRow | undefined {
    const columns = Object.keys(changes).filter((key) => UPDATABLE.has(key));
    const sets = columns.map((column) => `${column} = ?`);
    const values = columns.map((column) =>
      (changes as Record<string, SQLInputValue>)[column] ?? null
    );
    const guard = expectedStatus ? " AND status = ?" : "";
    const params: SQLInputValue[] = [...values, now, id];
    if (expectedStatus) params.push(expectedStatus);
    return this.#get(
      `UPDATE videos SET ${
        [...sets, "updated_at = ?"].join(", ")
      } WHERE id = ?${guard} RETURNING *`,
      ...params,
    ) as VideoRow | undefined;
  }

  /** Moves a job's next check without marking the video as changed. */
  reschedule(id: string, nextPollAt: number | null, attempts: number): void {
    this.#run(
      "UPDATE videos SET next_poll_at = ?, attempts = ? WHERE id = ?",
      nextPollAt,
      attempts,
      id,
    );
  }

  /** Makes every job waiting to retry after a failure due now. */
  retryWaitingNow(now: number): void {
    this.#run(
      "UPDATE videos SET next_poll_at = ? WHERE next_poll_at > ? AND attempts > 0",
      now,
      now,
    );
  }

  /** Proves the database takes writes (disk not full, file not read-only). */
  touchHealth(now: number): void {
    this.#run(
      "INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
      now,
    );
  }

  /**
   * Schedules another try after a failure, keeping its reason for the person waiting. When the
   * failure was a status read, the start of the run of unreadable statuses is kept too.
   */
  retryLater(
    id: string,
    nextPollAt: number,
    attempts: number,
    reason: string,
    now: number,
    statusUnreadable = false,
  ) {
    return this.#get(
      `UPDATE videos SET next_poll_at = ?, attempts = ?, retry_reason = ?, updated_at = ?,
         unreadable_since = CASE WHEN ? THEN coalesce(unreadable_since, ?) ELSE unreadable_since END
       WHERE id = ? RETURNING *`,
      nextPollAt,
      attempts,
      reason,
      now,
      statusUnreadable ? 1 : 0,
      now,
      id,
    ) as VideoRow | undefined;
  }

  /** Remembers an upstream copy that a delete could not remove. */
  addLeftover(leftover: LeftoverRow): void {
    this.#run(
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
  leftovers(limit = 50): LeftoverRow[] {
    return this.#all(
      "SELECT * FROM upstream_leftovers ORDER BY at DESC LIMIT ?",
      limit,
    ) as unknown as LeftoverRow[];
  }

  /** The earliest check still to come after `now`. */
  nextPollAfter(now: number): number | null {
    return (this.#get("SELECT min(next_poll_at) AS at FROM videos WHERE next_poll_at > ?", now) as {
      at: number | null;
    }).at;
  }

  countUpstreamCall(id: string): void {
    this.#run("UPDATE videos SET upstream_calls = upstream_calls + 1 WHERE id = ?", id);
  }

  deleteVideo(id: string, userId: number): void {
    this.#run("DELETE FROM videos WHERE id = ? AND user_id = ?", id, userId);
  }

  videoIdsOfUser(userId: number): string[] {
    return (this.#all("SELECT id FROM videos WHERE user_id = ?", userId) as { id: string }[])
      .map((row) => row.id);
  }

  // --- webhooks --------------------------------------------------------------------------------

  /** Records a delivery id; false when it was seen before (a replay). */
  recordWebhookDelivery(id: string, now: number): boolean {
    const result = this.#run(
      "INSERT INTO webhook_deliveries (id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
      id,
      now,
    );
    return Number(result.changes) === 1;
  }

  /** Forgets deliveries older than the signature tolerance: those are refused as stale anyway. */
  pruneWebhookDeliveries(before: number): void {
    this.#run("DELETE FROM webhook_deliveries WHERE received_at < ?", before);
  }

  // --- internals -------------------------------------------------------------------------------

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get(sql: string, ...params: SQLInputValue[]) {
    return this.#statement(sql).get(...params);
  }

  #all(sql: string, ...params: SQLInputValue[]) {
    return this.#statement(sql).all(...params);
  }

  #run(sql: string, ...params: SQLInputValue[]) {
    return this.#statement(sql).run(...params);
  }

  #migrate(): void {
    const current = this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new Error(
        `The database is from a newer Sora Studio (schema ${current}); upgrade the app.`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.transaction(() => {
        this.#db.exec(MIGRATIONS[version]);
        this.#db.exec(`PRAGMA user_version = ${version + 1}`);
      });
    }
  }
}
