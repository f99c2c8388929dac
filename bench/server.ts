/**
 * A server under test, in its own process so its memory and CPU are its own:
 *
 *   deno run -A bench/server.ts app|hello|sse|static '<options json>' <ready file>
 *
 * - `app`: the whole Sora Studio app built as main.ts builds it (createApp over openRuntime), on
 *   a DATA_DIR the driver prepared, with the job runner started and the simulator as upstream.
 *   A second listener (the control port) lets the driver trigger changes and read the simulator's
 *   request log; it is never on the measured path.
 * - `hello`: a bare Hono app answering "hello" (the ceiling for pages).
 * - `sse`: a bare Deno.serve event stream per connection (the ceiling for live streams).
 * - `static`: a minimal Deno.serve answering a file as `(await Deno.open(path)).readable` (the
 *   ceiling for content streaming).
 * - `upstream`: the Sora simulator alone, served over HTTP, for several app instances to share
 *   (`{ upstreamUrl }` in an app's options points it there instead of its in-process simulator);
 *   its control port answers `/upstream` with the request log, as an app's does.
 *
 * When listening, it writes `{ port, controlPort? }` to the ready file.
 */
import { Hono } from "hono";

const [mode, optionsJson = "{}", readyPath] = Deno.args;
const options = JSON.parse(optionsJson);
const listen = { port: 0, hostname: "127.0.0.1", onListen() {} };

async function ready(info: Record<string, unknown>) {
  await Deno.writeTextFile(readyPath + ".tmp", JSON.stringify(info));
  await Deno.rename(readyPath + ".tmp", readyPath);
}

if (mode === "hello") {
  const app = new Hono().get("/", (c) => c.text("hello"));
  const server = Deno.serve(listen, app.fetch);
  await ready({ port: server.addr.port });
} else if (mode === "static") {
  const path: string = options.path;
  const server = Deno.serve(listen, async () => {
    const file = await Deno.open(path);
    const { size } = await file.stat();
    return new Response(file.readable, {
      headers: { "content-type": "video/mp4", "content-length": String(size) },
    });
  });
  await ready({ port: server.addr.port });
} else if (mode === "sse") {
  // The ceiling for live streams: a bare Deno.serve event stream per connection, nothing else.
  const encoder = new TextEncoder();
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const server = Deno.serve(listen, () => {
    let controller: ReadableStreamDefaultController<Uint8Array>;
    let timer: ReturnType<typeof setInterval>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        streams.add(c);
        c.enqueue(encoder.encode(": connected\n\n"));
        timer = setInterval(() => c.enqueue(encoder.encode(": keep-alive\n\n")), 15_000);
      },
      cancel() {
        streams.delete(controller);
        clearInterval(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const control = Deno.serve(listen, () => {
    const at = performance.timeOrigin + performance.now();
    const message = encoder.encode(`data: ${JSON.stringify({ at })}\n\n`);
    for (const c of streams) c.enqueue(message);
    return Response.json({ at, publishMs: performance.timeOrigin + performance.now() - at });
  });
  await ready({ port: server.addr.port, controlPort: control.addr.port });
} else if (mode === "upstream") {
  await serveUpstream();
} else if (mode === "app") {
  await serveApp();
} else {
  throw new Error(`unknown mode ${mode}`);
}

/**
 * Notes when each upstream job will be finished (simulator timeline: (3 s + length) x timeScale
 * from its creation), keyed by upstream id; lets the driver time completion → browser.
 */
function timedUpstream(
  simulator: { fetch(req: Request): Promise<Response> },
  timeScale: number,
) {
  const upstreamDoneAt: Record<string, number> = {};
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const isCreate = req.method === "POST" && new URL(req.url).pathname === "/v1/videos";
    const sentAt = performance.timeOrigin + performance.now();
    const res = await simulator.fetch(req);
    if (isCreate && res.ok) {
      const job = await res.clone().json() as { id: string; seconds: string };
      upstreamDoneAt[job.id] ??= sentAt + (3 + Number(job.seconds)) * 1000 * timeScale;
    }
    return res;
  };
  return { fetch, upstreamDoneAt };
}

function upstreamLog(
  simulator: { requests: readonly { method: string; path: string; at: number; fault?: unknown }[] },
  upstreamDoneAt: Record<string, number>,
  url: URL,
) {
  const since = Number(url.searchParams.get("since") ?? 0);
  const requests = simulator.requests.filter((r) => r.at >= since)
    .map((r) => ({ m: r.method, p: r.path, at: r.at, f: r.fault }));
  return Response.json({ requests, upstreamDoneAt, total: simulator.requests.length });
}

async function serveUpstream() {
  const { createSoraSimulator } = await import("../services/providers/simulators/simulator.ts");
  const timeScale = Number(options.timeScale ?? 1);
  const simulator = createSoraSimulator({ timeScale });
  const timed = timedUpstream(simulator, timeScale);
  const server = Deno.serve(listen, (req) => timed.fetch(req));
  const control = Deno.serve(listen, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/upstream") return upstreamLog(simulator, timed.upstreamDoneAt, url);
    return new Response("not found", { status: 404 });
  });
  await ready({ port: server.addr.port, controlPort: control.addr.port });
}

async function serveApp() {
  const { createApp } = await import("../main.ts");
  const { loadConfig } = await import("../services/app/config.ts");
  const { openRuntime } = await import("../services/app/runtime.ts");
  const { createSoraSimulator } = await import("../services/providers/simulators/simulator.ts");
  const { toVideo } = await import("../services/videos/video_view.ts");

  // With `upstreamUrl` (several instances sharing one `upstream` process), the app talks to it as
  // to OpenAI; otherwise the simulator is in this process, as in demo mode.
  const external = typeof options.upstreamUrl === "string";
  const env: Record<string, string> = external
    ? { OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: options.upstreamUrl, ...options.env }
    : { SORA_SIMULATE: "1", ...options.env };
  const config = loadConfig(env);
  const timeScale = Number(env.SIMULATOR_TIME_SCALE ?? 1);
  const simulator = createSoraSimulator({ timeScale });
  const timed = timedUpstream(simulator, timeScale);

  const runtime = await openRuntime(
    config,
    external ? {} : { simulator, upstreamFetch: timed.fetch },
  );
  const app = createApp({ ...runtime });
  if (options.jobs !== false) runtime.jobs.start();
  const server = Deno.serve(listen, app.fetch);

  const db = runtime.db;
  const events = runtime.videos.events;
  let progress = 10;
  const control = Deno.serve(listen, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "POST" ? await req.json() : {};
    switch (url.pathname) {
      // Changes one video of each given user exactly as the job runner does (update the row,
      // then publish the saved row to its owner), and says when the publishing started.
      case "/publish": {
        const at = performance.timeOrigin + performance.now();
        progress = progress >= 99 ? 11 : progress + 1;
        for (const id of body.videos as string[]) {
          const saved = await db.updateVideo(id, { progress }, Date.now());
          if (saved) events.publish(saved.user_id, toVideo(saved, runtime.facts));
        }
        const done = performance.timeOrigin + performance.now();
        return Response.json({ at, publishMs: done - at });
      }
      case "/stats":
        return Response.json({
          subscribers: events.subscriberCount(),
          activeJobs: runtime.jobs.activeCount,
        });
      case "/upstream":
        return upstreamLog(simulator, timed.upstreamDoneAt, url);
      case "/gc":
        return Response.json({ ok: true });
      default:
        return new Response("not found", { status: 404 });
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      // Ends live streams first (as the app's own shutdown does), then stops accepting.
      const closed = runtime.close();
      await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 2000))]);
      await closed;
      Deno.exit(0);
    });
  }
  await ready({ port: server.addr.port, controlPort: control.addr.port });
}
