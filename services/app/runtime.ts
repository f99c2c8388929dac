import { join } from "node:path";
import type { AuthContext } from "../auth/auth.ts";
import type { UsersContext } from "../auth/users.ts";
import type { Config } from "./config.ts";
import type { Database } from "../stores/database.ts";
import { openDatabase } from "../stores/open_database.ts";
import type { SqlClient } from "../stores/sql/sql_client.ts";
import type { PostgresClient } from "../stores/sql/postgres_client.ts";
import type { MediaStore } from "../stores/media/media_store.ts";
import { openMediaStore } from "../stores/open_media.ts";
import { sessionSecret } from "../stores/session_secret.ts";
import { VideoEvents } from "../live/events.ts";
import { PostgresVideoEvents } from "../live/postgres_events.ts";
import { toVideo } from "../videos/video_view.ts";
import { JobRunner } from "../videos/jobs.ts";
import { createLogger, type Logger } from "./log.ts";
import { DEFAULT_LIMITS, LoginThrottle } from "../auth/login_throttle.ts";
import { makePrivateDir } from "../stores/media/files.ts";
import { openAIProvider } from "../providers/openai/provider.ts";
import { ProviderSet } from "../providers/registry.ts";
import { falProvider } from "../providers/fal/provider.ts";
import { geminiProvider } from "../providers/gemini/provider.ts";
import { vertexProvider } from "../providers/vertex/provider.ts";
import type { Fetch } from "../providers/options.ts";
import { createFalSimulator, type FalSimulator } from "../providers/simulators/fal/simulator.ts";
import {
  createGeminiSimulator,
  type GeminiSimulator,
} from "../providers/simulators/gemini/simulator.ts";
import {
  createVertexSimulator,
  type VertexSimulator,
} from "../providers/simulators/vertex/simulator.ts";
import type { RequestBudget } from "../providers/request_budget.ts";
import { MemoryStreamRegistry, type StreamRegistry } from "../live/stream_registry.ts";
import type { UpstreamHealth } from "../providers/upstream_health.ts";
import { createSoraSimulator, type SoraSimulator } from "../providers/simulators/simulator.ts";
import type { Provider } from "../providers/upstream.ts";
import type { VideoServices } from "../videos/videos.ts";
import { VideoFacts } from "../videos/video_facts.ts";
import { userLimits } from "../videos/user_limits.ts";
import { ffmpegInstalled } from "../media/video_frames.ts";
import { sharedState } from "../stores/shared/shared_state.ts";

/** The services of one running app, wired from its configuration. */
export interface Runtime {
  config: Config;
  /** This instance's name in job leases: unique per process, so a restart is another holder. */
  instance: string;
  db: Database;
  /** The SQL engine under `db` (SQLite in this process, or PostgreSQL). */
  sql: SqlClient;
  /** Videos, thumbnails, storyboards and reference images: DATA_DIR or an S3 bucket. */
  media: MediaStore;
  events: VideoEvents;
  auth: AuthContext;
  /** What managing users needs (their media goes with them; their streams close). */
  users: UsersContext;
  videos: VideoServices;
  jobs: JobRunner;
  /** The configured providers (in demo mode: every one, simulated). */
  providers: ProviderSet;
  /** Present in demo mode: the in-process stand-in for OpenAI's Videos API. */
  simulator?: SoraSimulator;
  /** Present in demo mode: the in-process stand-ins for fal.ai, Gemini Omni and Vertex AI. */
  simulators: Simulators;
  /** Aborts when the app begins to shut down, so long-lived streams end. */
  closing: AbortSignal;
  log: Logger;
  /** What the catalog and this server say of each video (cost, actions). */
  facts: VideoFacts;
  /** Every provider's health as one (each provider also keeps its own, in `providers`). */
  health: UpstreamHealth;
  budget: RequestBudget;
  /** The live streams open in this process (per-user cap; woken when sessions end). */
  streams: StreamRegistry;
  close(): Promise<void>;
}

/** The simulators of demo mode, one per provider that has one. */
export interface Simulators {
  fal?: FalSimulator;
  gemini?: GeminiSimulator;
  vertex?: VertexSimulator;
}

export interface RuntimeOptions {
  /** Simulators to use in demo mode instead of new ones (tests add faults to them). */
  simulators?: Simulators;
  /** HTTP clients per provider (tests point them at stand-ins). */
  fetches?: { fal?: Fetch; gemini?: Fetch; vertex?: Fetch };
  log?: Logger;
  /** Overrides OpenAI's HTTP client (tests point it at a simulator with faults). */
  upstreamFetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  simulator?: SoraSimulator;
  now?: () => number;
}

export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  await makePrivateDir(config.DATA_DIR);
  const now = options.now ?? Date.now;
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  await warnIfShared(config.DATA_DIR, log);
  const simulator = config.simulate
    ? options.simulator ?? createSoraSimulator({ timeScale: config.SIMULATOR_TIME_SCALE })
    : undefined;
  const timeScale = config.SIMULATOR_TIME_SCALE;
  const simulators: Simulators = config.simulate
    ? {
      fal: options.simulators?.fal ?? createFalSimulator({ timeScale }),
      gemini: options.simulators?.gemini ?? createGeminiSimulator({ timeScale }),
      vertex: options.simulators?.vertex ?? createVertexSimulator({ timeScale }),
    }
    : {};
  const fetches = options.fetches ?? {};
  const common = { log, now };
  // Each provider decides from the configuration whether it is on (and simulated or real).
  const providers = new ProviderSet(
    [
      openAIProvider(config, { simulator, fetch: options.upstreamFetch }),
      falProvider(config, { ...common, simulator: simulators.fal, fetch: fetches.fal }),
      geminiProvider(config, { ...common, simulator: simulators.gemini, fetch: fetches.gemini }),
      vertexProvider(config, { ...common, simulator: simulators.vertex, fetch: fetches.vertex }),
    ].filter((p): p is Provider => p !== undefined),
    { perMinute: config.UPSTREAM_MAX_RPM, now },
  );
  // Opened once the providers' configuration is known to be good, so a bad one leaves nothing open.
  const { db, client: sql } = await openDatabase(
    join(config.DATA_DIR, "sora-studio.db"),
    config.DATABASE_URL,
    now,
  );
  // SQLite's file belongs to this process alone: what a dead predecessor held is free at once.
  if (sql.dialect === "sqlite") await db.releaseAllLeases();
  const secret = await sessionSecret(config.SESSION_SECRET, config.DATA_DIR, db);
  const media = openMediaStore(config);
  const instance = crypto.randomUUID();
  const facts = new VideoFacts(providers, now, ffmpegInstalled(config.FFMPEG_PATH));
  const events = sql.dialect === "postgres"
    ? new PostgresVideoEvents(sql as PostgresClient, async (id) => {
      const row = await db.videoById(id);
      return row && toVideo(row, facts);
    }, log)
    : new VideoEvents(log);
  if (events instanceof PostgresVideoEvents) await events.start();
  const health = providers.health;
  const budget = providers.budget;
  // Several instances may share a PostgreSQL database: what one process kept in memory is shared.
  const shared = db.dialect === "postgres"
    ? sharedState(db, { instance, streamsPerUser: config.MAX_STREAMS_PER_USER, providers, now })
    : undefined;
  const streams = shared?.streams ?? new MemoryStreamRegistry(config.MAX_STREAMS_PER_USER);
  const closing = new AbortController();
  let closed: Promise<void> | undefined;
  const jobs = new JobRunner({
    db,
    media,
    instance,
    leaseMs: config.JOB_LEASE_MS,
    providers,
    events,
    dataDir: config.DATA_DIR,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    idleTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    giveUpMs: config.POLL_GIVE_UP_MS,
    facts,
    ffmpeg: facts.ffmpeg ? config.FFMPEG_PATH : undefined,
    log,
    now,
  });
  return {
    config,
    instance,
    db,
    sql,
    media,
    events,
    auth: {
      db,
      secret,
      now,
      throttle: shared?.throttle ?? new LoginThrottle(DEFAULT_LIMITS, now),
      streams,
    },
    users: { db, media, streams },
    videos: {
      db,
      media,
      events,
      jobs,
      upstream: providers.upstream,
      providers,
      dataDir: config.DATA_DIR,
      ffmpeg: config.FFMPEG_PATH,
      facts,
      limits: userLimits(config, config.POLL_INTERVAL_MS, shared?.rate),
      now,
      log,
    },
    jobs,
    providers,
    simulator,
    simulators,
    facts,
    closing: closing.signal,
    log,
    health,
    budget,
    streams,
    close() {
      // Called from a signal handler and after the server stops: the second call waits for the first.
      closed ??= (async () => {
        closing.abort();
        await jobs.stop();
        for (const sim of Object.values(simulators)) sim?.close();
        if (events instanceof PostgresVideoEvents) await events.close();
        await shared?.streams.closeAll().catch(() => {});
        await sql.close();
      })();
      return closed;
    },
  };
}

/**
 * A data folder made by an older version (or by hand) may be open to other users: it is left as
 * it is (an operator may mean it), but said once at start, with the fix.
 */
async function warnIfShared(dataDir: string, log: Logger): Promise<void> {
  const mode = (await Deno.stat(dataDir)).mode;
  if (mode === null || (mode & 0o077) === 0) return;
  log.warn("the data folder can be read by other users; make it private with chmod 700", {
    data_dir: dataDir,
    mode: (mode & 0o777).toString(8),
  });
}
