import { createApp } from "../main.ts";
import { createUser } from "../services/auth.ts";
import { loadConfig } from "../services/config.ts";
import { mediaPath } from "../services/media_store.ts";
import { openRuntime } from "../services/runtime.ts";
import { MEDIA } from "../services/simulator/media.ts";
import { createSoraSimulator } from "../services/simulator/simulator.ts";
import { createVeoSimulator, type VeoSimulator } from "../services/simulator/veo/simulator.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { waitFor } from "./helpers.ts";

/** One app process over `dataDir`, with the given (long-lived) Veo simulator as its upstream. */
async function startApp(dataDir: string, veo: VeoSimulator, startJobs = true) {
  const config = loadConfig({
    DATA_DIR: dataDir,
    SORA_SIMULATE: "1",
    POLL_INTERVAL_MS: "20",
    UPSTREAM_MAX_RPM: "60000",
    LOG_LEVEL: "error",
  });
  const runtime = await openRuntime(config, {
    simulator: createSoraSimulator({ timeScale: 0.01 }),
    veoSimulator: veo,
  });
  const app = createApp({ ...runtime });
  if (startJobs) runtime.jobs.start();
  const api = async (method: string, path: string, token: string, body?: unknown) =>
    await app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  const video = async (token: string, id: string): Promise<Video> =>
    await (await api("GET", `/api/videos/${id}`, token)).json();
  return { runtime, app, api, video };
}

Deno.test("[veo] a restart with Veo jobs in flight loses nothing and sends nothing twice", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-test-" });
  try {
    // Slow enough that the first process stops with every job still being made upstream.
    const veo = createVeoSimulator({ timeScale: 0.3 });
    const first = await startApp(dataDir, veo);
    await createUser(first.runtime.db, "ada", "correct horse battery", "user");
    const login = await first.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    });
    const { token } = await login.json();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await first.api("POST", "/api/videos", token, {
        prompt: `clip ${i}`,
        model: i % 2 ? "veo-3.1-generate-preview" : "veo-3.1-fast-generate-preview",
        seconds: "4",
      });
      assertEquals(res.status, 201);
      ids.push((await res.json()).id);
    }
    for (const id of ids) {
      await waitFor(async () => !!(await first.video(token, id)).upstream_id, `${id} submitted`);
    }
    const inFlight = await Promise.all(ids.map((id) => first.video(token, id)));
    assert(inFlight.every((v) => v.status !== "completed"), "all still in flight at the stop");
    await first.runtime.close();

    // The same data folder, a new process: every job goes on where it was.
    const second = await startApp(dataDir, veo);
    try {
      for (const id of ids) {
        await waitFor(
          async () => (await second.video(token, id)).status === "completed",
          `${id} completed after the restart`,
          20_000,
        );
        assertEquals(await Deno.readFile(mediaPath(dataDir, id, "video")), MEDIA.video.bytes);
      }
      const after = await Promise.all(ids.map((id) => second.video(token, id)));
      // Each job was created upstream exactly once, and kept its operation.
      assertEquals(veo.creates.length, ids.length);
      assertEquals(
        after.map((v) => v.upstream_id).sort(),
        inFlight.map((v) => v.upstream_id).sort(),
      );
    } finally {
      await second.runtime.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[veo] a Veo job queued before a restart is sent after it", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-test-" });
  try {
    const veo = createVeoSimulator({ timeScale: 0.01 });
    // The upstream is down for the first process, so the job stays queued locally.
    veo.faults.add({ kind: "status", status: 503 });
    const first = await startApp(dataDir, veo);
    await createUser(first.runtime.db, "ada", "correct horse battery", "user");
    const { token } = await (await first.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    })).json();
    const queued: Video = await (await first.api("POST", "/api/videos", token, {
      prompt: "held",
      model: "veo-3.0-fast-generate-001",
    })).json();
    assertEquals([queued.status, queued.upstream_id], ["queued", null]);
    await first.runtime.close();
    veo.faults.clear();

    const second = await startApp(dataDir, veo);
    try {
      await waitFor(
        async () => (await second.video(token, queued.id)).status === "completed",
        "the queued job completed",
      );
      assertEquals(veo.creates.length, 1);
    } finally {
      await second.runtime.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[veo] a Veo job waits, saying why, while Google is not set up, and goes on once it is", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-test-" });
  try {
    const veo = createVeoSimulator({ timeScale: 0.01 });
    const demo = await startApp(dataDir, veo, false);
    await createUser(demo.runtime.db, "ada", "correct horse battery", "user");
    const { token } = await (await demo.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    })).json();
    // Made while the upstream is down, so it is still queued locally at the stop.
    const fault = veo.faults.add({ kind: "status", status: 503 });
    const video: Video = await (await demo.api("POST", "/api/videos", token, {
      prompt: "patience",
      model: "veo-3.1-fast-generate-preview",
    })).json();
    await demo.runtime.close();
    fault.remove();

    // Only an OpenAI key now: the Veo job is kept, and waits with a reason.
    const config = loadConfig({
      DATA_DIR: dataDir,
      OPENAI_API_KEY: "sk-test",
      POLL_INTERVAL_MS: "20",
      LOG_LEVEL: "error",
    });
    const openaiOnly = await openRuntime(config);
    try {
      openaiOnly.jobs.start();
      await waitFor(
        () => !!openaiOnly.db.videoById(video.id)?.retry_reason?.includes("Google Veo"),
        "the reason to be recorded",
      );
      assertEquals(openaiOnly.db.videoById(video.id)?.status, "queued");
    } finally {
      await openaiOnly.close();
    }

    // Demo mode again (both providers): the job is sent and completes.
    const again = await startApp(dataDir, veo);
    try {
      await waitFor(
        async () => (await again.video(token, video.id)).status === "completed",
        "the waiting job completed",
      );
    } finally {
      await again.runtime.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
