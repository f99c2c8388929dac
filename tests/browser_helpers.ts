/// <reference lib="dom" />
/**
 * Shared set-up of the browser tests: a real server on a free port with the simulator as its
 * upstream, headless Chromium through playwright-core, logging in, seeding the library directly
 * in the database, and conditions to wait on (never fixed sleeps).
 */
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { createApp } from "../main.ts";
import { createUser } from "../services/auth/auth.ts";
import { loadConfig } from "../services/app/config.ts";
import { openRuntime, type Runtime } from "../services/app/runtime.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { CONTENT_TYPES } from "../services/stores/media/files.ts";
import { mediaKey } from "../services/stores/media/media_store.ts";
import { MEDIA } from "../services/providers/simulators/media.ts";
import { priceOf } from "../services/models/catalog.ts";
import {
  CONTENT_VARIANTS,
  type ContentVariant,
  type User,
  type Video,
  type VideoStatus,
} from "../services/types.ts";
import { createVideo, getVideo, remixVideo } from "../services/videos/videos.ts";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Where the look test saves its screenshots: the README's own with UPDATE_SCREENSHOTS=1
 * (`deno task screenshots`), otherwise a scratch folder, so a test run leaves the tree as it was.
 */
export async function screenshotsFolder(): Promise<AsyncDisposable & { path: string }> {
  if (Deno.env.get("UPDATE_SCREENSHOTS") === "1") {
    const path = new URL("../docs/screenshots/", import.meta.url).pathname;
    await Deno.mkdir(path, { recursive: true });
    return { path, [Symbol.asyncDispose]: () => Promise.resolve() };
  }
  const path = `${await Deno.makeTempDir({ prefix: "sora-screenshots-" })}/`;
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
export const browserAvailable = await Deno.stat(CHROMIUM).then(() => true, () => false);

export const USERNAME = "ada";
export const PASSWORD = "correct horse battery";

export interface TestServer extends AsyncDisposable {
  url: string;
  runtime: Runtime;
  user: User;
  /** Between the browser and the app: can cut every connection and refuse new ones. */
  network: FlakyNetwork;
}

/**
 * A TCP relay in front of the app, so a test can make the network fail like it does in life:
 * `cut()` closes every open connection (the live stream ends mid-flight), `down` refuses new ones.
 */
export class FlakyNetwork {
  down = false;
  readonly #listener: Deno.TcpListener;
  readonly #open = new Set<Deno.Conn>();
  readonly #done: Promise<void>;

  constructor(target: { hostname: string; port: number }) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#done = this.#relay(target);
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  async #relay(target: { hostname: string; port: number }) {
    for await (const client of this.#listener) {
      if (this.down) {
        client.close();
        continue;
      }
      const upstream = await Deno.connect(target).catch(() => null);
      if (!upstream) {
        client.close();
        continue;
      }
      this.#open.add(client).add(upstream);
      const end = () => {
        for (const conn of [client, upstream]) {
          if (this.#open.delete(conn)) {
            try {
              conn.close();
            } catch { /* already closed */ }
          }
        }
      };
      client.readable.pipeTo(upstream.writable).catch(() => {}).finally(end);
      upstream.readable.pipeTo(client.writable).catch(() => {}).finally(end);
    }
  }

  /** Closes every connection under way. */
  cut() {
    for (const conn of this.#open) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    this.#open.clear();
  }

  async close() {
    this.cut();
    this.#listener.close();
    await this.#done.catch(() => {});
  }
}

export interface ServerOptions {
  /** Simulator speed: 0.25 makes a 4 s video take about 1.75 s. */
  timeScale?: number;
  pollMs?: number;
  /** Start the job runner (default true); seeded rows only stay as they are without it. */
  jobs?: boolean;
}

/** A real server on a free port, the simulator slowed down enough to watch progress move. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-browser-" });
  const config = loadConfig({
    DATA_DIR: dataDir,
    SORA_SIMULATE: "1",
    POLL_INTERVAL_MS: String(options.pollMs ?? 100),
    UPSTREAM_MAX_RPM: "60000",
    // Every simulated provider at the same speed.
    SIMULATOR_TIME_SCALE: String(options.timeScale ?? 0.25),
  });
  const runtime = await openRuntime(config, {
    simulator: createSoraSimulator({ timeScale: options.timeScale ?? 0.25 }),
  });
  const user = await createUser(runtime.db, USERNAME, PASSWORD, "admin");
  if (options.jobs !== false) runtime.jobs.start();
  const app = createApp(runtime);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const network = new FlakyNetwork({ hostname: "127.0.0.1", port: server.addr.port });
  return {
    url: `http://127.0.0.1:${network.port}`,
    runtime,
    user,
    network,
    async [Symbol.asyncDispose]() {
      await network.close();
      await runtime.close();
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

export async function launch(): Promise<Browser & AsyncDisposable> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

export interface WatchedPage extends Page {
  /** Page errors, console errors and CSP violations seen so far. */
  errors: string[];
}

/**
 * A new page (in its own context) that records script errors and Content-Security-Policy
 * violations, so every test can end with `assertEquals(page.errors, [])`.
 */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    reducedMotion: "reduce",
    ...options,
  });
  const page = await context.newPage() as WatchedPage;
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  await page.exposeFunction("__reportCsp", (what: string) => page.errors.push(`CSP: ${what}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const w = globalThis as unknown as { __reportCsp(what: string): void };
      w.__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  if (Deno.env.get("DEBUG_BROWSER")) {
    page.on("console", (m) => console.log("browser:", m.text()));
    page.on("response", (r) => console.log("browser:", r.status(), r.url()));
    page.on("framenavigated", (f) => console.log("browser: nav", f.url()));
    page.on(
      "requestfailed",
      (r) => console.log("browser: failed", r.url(), r.failure()?.errorText),
    );
  }
  return page;
}

/** The usual start of a browser test: a server, a browser, and a page logged in as the admin. */
export async function loggedInSession(options: ServerOptions = {}) {
  const server = await startServer(options);
  const browser = await launch();
  const page = await openPage(browser);
  await logIn(page, server.url);
  return {
    server,
    browser,
    page,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await server[Symbol.asyncDispose]();
    },
  };
}

export async function logIn(page: Page, url: string) {
  await page.goto(`${url}/login`);
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${url}/`);
}

/** Waits until the live stream is connected (the indicator says "Live"). */
export async function waitForLive(page: Page) {
  await page.locator('#live-updates[data-state="live"]').waitFor();
}

export interface SeedVideo {
  prompt: string;
  model?: string;
  size?: string;
  seconds?: string;
  status?: VideoStatus;
  progress?: number;
  error?: { code: string; message: string };
  remixedFrom?: string;
  /** Creation time, ms since the epoch (default: now, one ms apart per row). */
  createdAt?: number;
  /** The files a completed one has here, written and recorded (default: all three). */
  variants?: readonly ContentVariant[];
}

let seedCounter = 0;

/**
 * Rows written straight into the database, in the given state and taken off the job queue: fast,
 * and they stay as seeded. Each records its model's provider and price like a create does;
 * completed ones get the simulator's media files, recorded with their sizes like a finished
 * download (what a video has comes from those records). Returns their ids, in order.
 */
export async function seedVideos(server: TestServer, videos: SeedVideo[]): Promise<string[]> {
  const db = server.runtime.db;
  const media = server.runtime.media;
  const catalog = server.runtime.providers.catalog;
  const base = Date.now() - videos.length;
  const ids: string[] = [];
  for (const [i, v] of videos.entries()) {
    const id = "vid_" + (++seedCounter).toString(16).padStart(8, "0") +
      crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    const createdAt = v.createdAt ?? base + i;
    const model = v.model ?? "sora-2";
    const size = v.size ?? "1280x720";
    const seconds = v.seconds ?? "4";
    const info = catalog.describe(model);
    await db.insertVideoJob({
      id,
      user_id: server.user.id,
      prompt: v.prompt,
      model,
      size,
      seconds,
      remixed_from: v.remixedFrom ?? null,
      source_upstream_id: null,
      reference_key: null,
      reference_type: null,
      idempotency_key: crypto.randomUUID(),
      created_at: createdAt,
      provider: info?.provider ?? "openai",
      negative_prompt: null,
      estimated_cost: priceOf(info, { size, seconds }),
    });
    const status = v.status ?? "completed";
    const bytes: Partial<Record<ContentVariant, number>> = {};
    if (status === "completed") {
      for (
        const variant of new Set<ContentVariant>(["video", ...(v.variants ?? CONTENT_VARIANTS)])
      ) {
        await media.putBytes(mediaKey(id, variant), MEDIA[variant].bytes, CONTENT_TYPES[variant]);
        bytes[variant] = MEDIA[variant].bytes.length;
      }
    }
    await db.updateVideo(id, {
      status,
      progress: v.progress ?? (status === "completed" ? 100 : 0),
      next_poll_at: null,
      completed_at: status === "completed" ? createdAt + 60_000 : null,
      error_code: v.error?.code ?? null,
      error_message: v.error?.message ?? null,
      video_bytes: bytes.video ?? null,
      thumbnail_bytes: bytes.thumbnail ?? null,
      spritesheet_bytes: bytes.spritesheet ?? null,
    }, createdAt);
    ids.push(id);
  }
  return ids;
}

/**
 * The JSON API as a client sees it (`Authorization: Bearer`), logged in once as the test's user:
 * `get("/api/models")` answers the parsed body, and fails on any status but 200.
 */
export async function apiClient(server: TestServer) {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  if (!login.ok) throw new Error(`API login: ${login.status} ${await login.text()}`);
  const { token } = await login.json() as { token: string };
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return await res.json() as T;
    },
  };
}

/** A video made through the services and the simulator, waited for until it is finished. */
export async function makeVideo(
  server: TestServer,
  fields: { prompt: string; model?: string; size?: string; seconds?: string },
): Promise<Video> {
  const created = await createVideo(server.runtime.videos, server.user.id, {
    model: "sora-2",
    size: "1280x720",
    seconds: "4",
    ...fields,
  });
  return await finished(server, created.id);
}

/** A remix of a finished video, made through the services, waited for until it is finished. */
export async function makeRemix(server: TestServer, sourceId: string, prompt: string) {
  const created = await remixVideo(server.runtime.videos, server.user.id, sourceId, prompt);
  return await finished(server, created.id);
}

/** Waits until the video is completed or failed (made by the job runner), and answers it. */
export async function finished(server: TestServer, id: string): Promise<Video> {
  const s = server.runtime.videos;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const video = await getVideo(s, server.user.id, id);
    if (video.status === "completed" || video.status === "failed") return video;
    if (Date.now() > deadline) throw new Error(`video ${id} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
