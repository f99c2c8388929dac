import { join } from "node:path";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { assert, assertEquals } from "./assert.ts";
import { fixtureOf, freePort, waitFor } from "./helpers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The app as its own process, the way `deno task start` runs it. */
function startApp(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", MAIN, "serve"],
    env: { NO_COLOR: "1", ...env },
    cwd: env.DATA_DIR,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  return { child, output };
}

async function waitUntilServing(url: string) {
  await waitFor(
    () => fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false),
    "the app to serve",
    30_000,
  );
}

/** Temporary download files anywhere under `dir`. */
async function partFiles(dir: string): Promise<string[]> {
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await partFiles(path));
    else if (entry.name.endsWith(".part")) found.push(path);
  }
  return found;
}

Deno.test("[process] kill -9 with 20 jobs in flight and a download half-written loses nothing", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.05 });
  // Slow video downloads, so the kill lands in the middle of one.
  simulator.faults.add({ kind: "slow", path: /variant=video/, delayMs: 40, bytes: 2048 });
  const upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, simulator.fetch);
  const dataDir = await Deno.makeTempDir({ prefix: "sora-kill-" });
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: `http://127.0.0.1:${upstream.addr.port}/v1`,
    POLL_INTERVAL_MS: "50",
    UPSTREAM_MAX_RPM: "100000",
    // Twenty in flight at once is the point here: the per-user limit (10) is turned off.
    USER_MAX_IN_FLIGHT: "0",
    ADMIN_USERNAME: "ada",
    ADMIN_PASSWORD: "correct horse battery",
  };
  try {
    const first = startApp(env);
    await waitUntilServing(url);
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    });
    const { token } = await login.json();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/api/videos`, {
        method: "POST",
        headers,
        body: JSON.stringify({ prompt: `clip ${i}` }),
      });
      assertEquals(res.status, 201);
      ids.push((await res.json()).id);
    }
    await waitFor(async () => (await partFiles(dataDir)).length > 0, "a half-written download");
    first.child.kill("SIGKILL");
    assertEquals((await first.output).signal, "SIGKILL");

    const second = startApp(env);
    await waitUntilServing(url);
    let completed: { id: string; size: string; seconds: string }[] = [];
    await waitFor(
      async () => {
        const res = await fetch(`${url}/api/videos?limit=100&status=completed`, { headers });
        completed = (await res.json()).data;
        return completed.length === 20;
      },
      "all 20 videos to complete",
      60_000,
    );
    second.child.kill("SIGTERM");
    assertEquals((await second.output).code, 0);

    const creates = simulator.requests.filter((r) =>
      r.method === "POST" && r.path === "/v1/videos"
    );
    assertEquals(creates.length, 20, "no job was submitted twice");
    assertEquals(completed.map((v) => v.id).sort(), [...ids].sort());
    for (const video of completed) {
      assertEquals(
        await Deno.readFile(join(dataDir, "media", video.id, "video.mp4")),
        fixtureOf(video).video.bytes,
      );
    }
    assertEquals(await partFiles(dataDir), []);
  } finally {
    await upstream.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[process] SIGTERM stops cleanly, even with a live stream open", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-term-" });
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  try {
    const app = startApp({
      PORT: String(port),
      DATA_DIR: dataDir,
      ADMIN_USERNAME: "ada",
      ADMIN_PASSWORD: "correct horse battery",
    });
    await waitUntilServing(url);
    const { token } = await (await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    })).json();
    const stream = await fetch(`${url}/api/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(stream.status, 200);
    const reading = stream.body!.pipeTo(new WritableStream()).catch(() => {});
    app.child.kill("SIGTERM");
    const result = await app.output;
    await reading;
    assertEquals(result.code, 0);
    assert(new TextDecoder().decode(result.stdout).includes("Stopped cleanly."));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
