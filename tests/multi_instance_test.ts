import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { assert, assertEquals } from "./assert.ts";
import { freePort, waitFor } from "./helpers.ts";
import { SseReader } from "./sse.ts";
import {
  freshBucket,
  freshPostgres,
  POSTGRES_URL,
  S3_ENDPOINT,
  s3Credentials,
} from "./storage_helpers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const PASSWORD = "correct horse battery";

/**
 * Several instances of the app, each its own process with its own (scratch) DATA_DIR, on one
 * PostgreSQL database and one bucket, with one upstream: the Sora simulator, served here and
 * counting what it is asked (creates, downloads), so "once" can be checked.
 */
async function cluster(timeScale: number) {
  const pg = await freshPostgres();
  const bucket = await freshBucket();
  const simulator = createSoraSimulator({ timeScale });
  /** The upstream jobs made (a create resent with its idempotency key makes none). */
  const creates = new Set<string>();
  const downloads = new Map<string, number>();
  const upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname === "/v1/videos") {
      const answer = await simulator.fetch(req);
      if (answer.ok) creates.add((await answer.clone().json()).id);
      return answer;
    }
    const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(url.pathname);
    if (content && (url.searchParams.get("variant") ?? "video") === "video") {
      downloads.set(content[1], (downloads.get(content[1]) ?? 0) + 1);
    }
    return simulator.fetch(req);
  });
  const instances: { url: string; child: Deno.ChildProcess; dataDir: string }[] = [];
  const env = {
    NO_COLOR: "1",
    HOST: "127.0.0.1",
    DATABASE_URL: pg.url,
    S3_BUCKET: bucket.bucket,
    ...s3Credentials,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: `http://127.0.0.1:${upstream.addr.port}/v1`,
    POLL_INTERVAL_MS: "100",
    JOB_LEASE_MS: "1500",
    UPSTREAM_MAX_RPM: "100000",
    USER_MAX_IN_FLIGHT: "0",
    USER_MAX_CREATES_PER_MINUTE: "0",
    ADMIN_USERNAME: "ada",
    ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: "warn",
  };
  const start = async () => {
    const port = freePort();
    const dataDir = await Deno.makeTempDir({ prefix: "sora-instance-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "serve"],
      env: { ...env, PORT: String(port), DATA_DIR: dataDir },
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    const url = `http://127.0.0.1:${port}`;
    instances.push({ url, child, dataDir });
    await waitFor(
      () => fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false),
      `instance ${url} to serve`,
      30_000,
    );
    return url;
  };
  return {
    start,
    creates,
    downloads,
    bucket,
    async [Symbol.asyncDispose]() {
      for (const { child, dataDir } of instances) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        await child.status;
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
      await upstream.shutdown();
      simulator.close();
      await bucket[Symbol.asyncDispose]();
      await pg[Symbol.asyncDispose]();
    },
    kill(url: string) {
      instances.find((i) => i.url === url)!.child.kill("SIGKILL");
    },
  };
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "ada", password: PASSWORD }),
  });
  assertEquals(res.status, 200);
  return (await res.json()).token;
}

function client(url: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
}

const ready = !!POSTGRES_URL && !!S3_ENDPOINT;

Deno.test({
  name: "[instances] two instances share logins, jobs and live updates; each job is made once",
  ignore: !ready,
  async fn() {
    await using c = await cluster(0.05);
    // Started at the same moment on a fresh database: both migrate (once) and come up.
    const [a, b] = await Promise.all([c.start(), c.start()]);
    // A token from one instance works on the other.
    const token = await login(a);
    const onA = client(a, token);
    const onB = client(b, token);
    assertEquals((await onB("GET", "/api/videos")).status, 200);
    // A subscriber on B sees what A's work does.
    const events = await fetch(`${b}/api/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const stream = new SseReader(events);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await (i % 2 ? onB : onA)("POST", "/api/videos", { prompt: `clip ${i}` });
      assertEquals(created.status, 201);
      ids.push(created.body.id);
    }
    const seenDone = new Set<string>();
    await stream.until((message) => {
      const video = JSON.parse(message.data);
      if (video.status === "completed") seenDone.add(video.id);
      return ids.every((id) => seenDone.has(id));
    }, 60_000);
    await stream.close();
    for (const id of ids) {
      const video = (await onA("GET", `/api/videos/${id}`)).body;
      assertEquals(video.status, "completed");
    }
    // Created upstream once each, downloaded once each, and stored in the bucket.
    assertEquals(c.creates.size, 20);
    assertEquals([...c.downloads.values()].every((n) => n === 1), true, `${[...c.downloads]}`);
    assertEquals(c.downloads.size, 20);
    const stored = await c.bucket.s3.listKeys("media/");
    assertEquals(stored.filter((k) => k.endsWith("/video.mp4")).length, 20);
    // The file plays through either instance.
    const res = await fetch(`${b}/api/videos/${ids[0]}/content`, {
      headers: { authorization: `Bearer ${token}`, range: "bytes=0-99" },
    });
    assertEquals(res.status, 206);
    assertEquals((await res.arrayBuffer()).byteLength, 100);
  },
});

Deno.test({
  name: "[instances] kill -9 of one instance with jobs in flight: the other finishes them",
  ignore: !ready,
  async fn() {
    await using c = await cluster(0.4);
    const a = await c.start();
    const token = await login(a);
    const onA = client(a, token);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await onA("POST", "/api/videos", { prompt: `clip ${i}` })).body.id);
    }
    await waitFor(async () => {
      const videos = await Promise.all(
        ids.map(async (id) => (await onA("GET", `/api/videos/${id}`)).body),
      );
      return videos.some((v) => v.status === "in_progress");
    }, "jobs in flight on the first instance");
    c.kill(a);
    const b = await c.start();
    const onB = client(b, token);
    await waitFor(
      async () => {
        const videos = await Promise.all(
          ids.map(async (id) => (await onB("GET", `/api/videos/${id}`)).body),
        );
        return videos.every((v) => v.status === "completed");
      },
      "the other instance to finish every job",
      60_000,
    );
    // Nothing was made twice upstream: a create the dead instance sent is resent with the same
    // idempotency key, which makes no second job.
    assertEquals(c.creates.size, 6);
    assert([...c.downloads.values()].every((n) => n <= 2), "downloads at most redone once");
  },
});
