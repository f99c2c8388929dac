import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuthContext } from "../auth/auth.ts";
import type { Config } from "./config.ts";
import { Database } from "../stores/db.ts";
import { VideoEvents } from "../live/events.ts";
import { JobRunner } from "../videos/jobs.ts";
import { createLogger, type Logger } from "./log.ts";
import { DEFAULT_LIMITS, LoginThrottle } from "../auth/login_throttle.ts";
import { makePrivateDir, writeBytesAtomically } from "../stores/media/files.ts";
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

/** The services of one running app, wired from its configuration. */
export interface Runtime {
  config: Config;
  db: Database;
  auth: AuthContext;
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
  const secret = config.SESSION_SECRET ?? await sessionSecret(config.DATA_DIR);
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
  const db = new Database(join(config.DATA_DIR, "sora-studio.db"));
  const facts = new VideoFacts(providers, now, ffmpegInstalled(config.FFMPEG_PATH));
  const events = new VideoEvents(log);
  const health = providers.health;
  const budget = providers.budget;
  const closing = new AbortController();
  let closed: Promise<void> | undefined;
  const jobs = new JobRunner({
    db,
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
    db,
    auth: { db, secret, now, throttle: new LoginThrottle(DEFAULT_LIMITS, now) },
    videos: {
      db,
      events,
      jobs,
      upstream: providers.upstream,
      providers,
      dataDir: config.DATA_DIR,
      ffmpeg: config.FFMPEG_PATH,
      facts,
      limits: userLimits(config, config.POLL_INTERVAL_MS),
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
    streams: new MemoryStreamRegistry(config.MAX_STREAMS_PER_USER),
    close() {
      // Called from a signal handler and after the server stops: the second call waits for the first.
      closed ??= (async () => {
        closing.abort();
        await jobs.stop();
        for (const sim of Object.values(simulators)) sim?.close();
        db.close();
      })();
      return closed;
    },
  };
}

/** SESSION_SECRET when set; otherwise one generated on first start and kept in DATA_DIR. */
async function sessionSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, "session_secret");
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  const secret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  // Written 0600 from the start (see writeBytesAtomically), never chmod'ed after.
  await writeBytesAtomically(path, new TextEncoder().encode(secret));
  return secret;
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
