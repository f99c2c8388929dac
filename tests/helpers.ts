import { createApp } from "../main.ts";
import { createUser } from "../services/auth/auth.ts";
import { loadConfig } from "../services/app/config.ts";
import { openRuntime, type Runtime, type RuntimeOptions } from "../services/app/runtime.ts";
import { type Fixture, fixtureFor } from "../services/providers/simulators/media.ts";
import {
  createSoraSimulator,
  type SoraSimulator,
} from "../services/providers/simulators/simulator.ts";
import type { Video } from "../services/types.ts";

export interface TestApp extends AsyncDisposable {
  app: ReturnType<typeof createApp>;
  runtime: Runtime;
  simulator: SoraSimulator;
  dataDir: string;
  /** Creates a user and returns a bearer token for the JSON API. */
  userToken(username: string, password?: string): Promise<string>;
  /** A JSON API request with the token; `body` objects are sent as JSON. */
  api(method: string, path: string, token?: string, body?: unknown): Promise<Response>;
  /** Waits until the user's video satisfies `done` (checked through the API). */
  waitForVideo(token: string, id: string, done: (v: Video) => boolean): Promise<Video>;
  /** Logs an existing user in through the login form; the session cookie (`name=value`). */
  sessionCookie(username: string, password?: string): Promise<string>;
  /** A same-origin form POST with the session cookie, as a browser sends it. */
  postForm(path: string, cookie: string, fields: Record<string, string>): Promise<Response>;
}

export const TEST_ORIGIN = "http://localhost";

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Start the background job runner (default true). */
  startJobs?: boolean;
  simulator?: SoraSimulator;
  heartbeatMs?: number;
  /** How often live streams re-check their session (default here 50 ms, so tests see it soon). */
  sessionCheckMs?: number;
  dataDir?: string;
  upstreamFetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** HTTP clients per provider (fal, Gemini, Vertex), e.g. a simulator's `fetch`. */
  fetches?: RuntimeOptions["fetches"];
  /** Simulators for demo mode instead of new ones (tests add faults to them). */
  simulators?: RuntimeOptions["simulators"];
  /** The app's clock (tests move it on instead of waiting). */
  now?: () => number;
}

/** A whole app on a fresh temporary DATA_DIR, with the simulator as its upstream. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "sora-test-" });
  const config = loadConfig({
    DATA_DIR: dataDir,
    SORA_SIMULATE: "1",
    POLL_INTERVAL_MS: "20",
    UPSTREAM_MAX_RPM: "60000",
    // The demo simulators the runtime makes (fal, Gemini Omni, Vertex) run as fast as Sora's.
    SIMULATOR_TIME_SCALE: "0.01",
    LOG_LEVEL: "error",
    ...options.env,
  });
  const simulator = options.simulator ?? createSoraSimulator({ timeScale: 0.01 });
  const runtime = await openRuntime(config, {
    simulator,
    upstreamFetch: options.upstreamFetch,
    fetches: options.fetches,
    simulators: options.simulators,
    now: options.now,
  });
  const app = createApp({
    ...runtime,
    heartbeatMs: options.heartbeatMs,
    sessionCheckMs: options.sessionCheckMs ?? 50,
  });
  if (options.startJobs !== false) runtime.jobs.start();

  const api = (method: string, path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData || typeof body === "string") payload = body;
    else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return Promise.resolve(app.request(path, { method, headers, body: payload }));
  };

  return {
    app,
    runtime,
    simulator,
    dataDir,
    api,
    async userToken(username, password = "correct horse battery") {
      await createUser(runtime.db, username, password, "user");
      const res = await api("POST", "/api/auth/login", undefined, { username, password });
      return (await res.json()).token;
    },
    async waitForVideo(token, id, done) {
      let video: Video | undefined;
      await waitFor(async () => {
        video = await (await api("GET", `/api/videos/${id}`, token)).json();
        return done(video!);
      }, `video ${id} to reach the expected state`);
      return video!;
    },
    async sessionCookie(username, password = "correct horse battery") {
      const res = await app.request("/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: TEST_ORIGIN },
        body: new URLSearchParams({ username, password }),
      });
      const cookie = res.headers.get("set-cookie")?.split(";")[0];
      if (res.status !== 303 || !cookie) throw new Error(`${username} could not log in`);
      return cookie;
    },
    postForm(path, cookie, fields) {
      return Promise.resolve(app.request(path, {
        method: "POST",
        headers: {
          cookie,
          origin: TEST_ORIGIN,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(fields),
      }));
    },
    async [Symbol.asyncDispose]() {
      await runtime.close();
      if (!options.dataDir) await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** Polls a condition (no fixed sleeps); fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port nobody listens on right now, for starting the app as its own process. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The demo fixture a simulator serves for a video of this size and length. */
export function fixtureOf(video: { size: string; seconds: string }): Fixture {
  return fixtureFor(video.size, Number(video.seconds));
}
