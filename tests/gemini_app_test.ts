import { createApp } from "../main.ts";
import { createUser } from "../services/auth/auth.ts";
import { loadConfig } from "../services/app/config.ts";
import { openRuntime } from "../services/app/runtime.ts";
import { createGeminiSimulator } from "../services/providers/simulators/gemini/simulator.ts";
import { fixtureFor } from "../services/providers/simulators/media.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

/**
 * The whole app with only a Gemini key (no demo mode), its Gemini client pointed at the simulator
 * as if it were Google: built here from openRuntime and createApp, as tests/helpers.ts does.
 */
async function startGeminiApp() {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-gemini-" });
  const sim = createGeminiSimulator({ timeScale: 0.01, apiKey: "k" });
  const config = loadConfig({
    DATA_DIR: dataDir,
    GEMINI_API_KEY: "k",
    SORA_SIMULATE: "0",
    POLL_INTERVAL_MS: "20",
    UPSTREAM_MAX_RPM: "60000",
    LOG_LEVEL: "error",
  });
  const runtime = await openRuntime(config, {
    fetches: { gemini: (input, init) => sim.fetch(new Request(input, init)) },
  });
  const app = createApp(runtime);
  runtime.jobs.start();
  await createUser(runtime.db, "ada", "correct horse battery", "user");
  const login = await app.request("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
  });
  const { token } = await login.json();
  const api = (method: string, path: string, body?: unknown) =>
    Promise.resolve(app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }));
  const settled = async (id: string): Promise<Video> => {
    let video: Video | undefined;
    await waitFor(async () => {
      video = await (await api("GET", `/api/videos/${id}`)).json();
      return video!.status === "completed" || video!.status === "failed";
    }, `video ${id} to settle`);
    return video!;
  };
  return {
    sim,
    api,
    settled,
    async [Symbol.asyncDispose]() {
      await runtime.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("[gemini] through the app: create, complete, download, edit and delete", async () => {
  await using t = await startGeminiApp();
  const res = await t.api("POST", "/api/videos", {
    prompt: "a lighthouse at dusk",
    model: "gemini-omni-1.1-flash",
    size: "1280x720",
    seconds: "4",
  });
  assertEquals(res.status, 201);
  const created: Video = await res.json();
  const done = await t.settled(created.id);
  assertEquals([done.status, done.error], ["completed", null]);
  assert(done.upstream_id);
  assertEquals(t.sim.creates[0].response_format, {
    type: "video",
    aspect_ratio: "16:9",
    resolution: "720p",
    duration: "4s",
  });

  const content = await t.api("GET", `/api/videos/${created.id}/content`);
  assertEquals(content.status, 200);
  // The landscape 4 s demo fixture; the edit keeps its shape and length.
  const fixture = fixtureFor("1280x720", 4);
  assertEquals(new Uint8Array(await content.arrayBuffer()), fixture.video.bytes);

  const editRes = await t.api("POST", `/api/videos/${created.id}/edit`, {
    prompt: "make it night",
  });
  assertEquals(editRes.status, 201);
  const edit: Video = await editRes.json();
  assertEquals(edit.remixed_from, created.id);
  const edited = await t.settled(edit.id);
  assertEquals(edited.status, "completed");
  const sent = t.sim.creates.at(-1)!;
  assertEquals([sent.task, sent.previous_interaction_id], ["edit", done.upstream_id]);
  const editedContent = await t.api("GET", `/api/videos/${edit.id}/content`);
  assertEquals(new Uint8Array(await editedContent.arrayBuffer()), fixture.video.bytes);

  assertEquals((await t.api("DELETE", `/api/videos/${created.id}`)).status, 204);
  await waitFor(
    () => t.sim.getInteraction(done.upstream_id!)?.deleted === true,
    "the interaction to be deleted at Google",
  );
});

Deno.test("[gemini] demo mode makes Gemini Omni videos with the built-in simulator", async () => {
  await using t = await startTestApp({ env: { SIMULATOR_TIME_SCALE: "0.01" } });
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, {
    prompt: "a paper boat on a pond",
    model: "gemini-omni-1.2-flash",
    size: "720x1280",
    seconds: "3",
  });
  assertEquals(res.status, 201);
  const created: Video = await res.json();
  const done = await t.waitForVideo(
    token,
    created.id,
    (v) => v.status !== "queued" && v.status !== "in_progress" && v.status !== "downloading",
  );
  assertEquals([done.status, done.error], ["completed", null]);
  const sim = t.runtime.simulators.gemini;
  assert(sim, "demo mode has a Gemini simulator");
  assertEquals(sim.getInteraction(done.upstream_id!)?.aspect_ratio, "9:16");
  assert(sim.requests.every((r) => r.path.startsWith("/v1/")), "every request went to /v1");
});
