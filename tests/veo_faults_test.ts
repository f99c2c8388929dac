import { mediaPath } from "../services/media_store.ts";
import { MEDIA } from "../services/simulator/media.ts";
import { createSoraSimulator } from "../services/simulator/simulator.ts";
import type { VeoSimulator } from "../services/simulator/veo/simulator.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp, waitFor } from "./helpers.ts";

const MODEL = "veo-3.1-fast-generate-preview";
const DEMO = { env: { SIMULATOR_TIME_SCALE: "0.01" } };

function veo(t: TestApp): VeoSimulator {
  assert(t.runtime.veoSimulator, "demo mode has a Veo simulator");
  return t.runtime.veoSimulator;
}

async function create(t: TestApp, token: string, prompt = "a kite"): Promise<Video> {
  const res = await t.api("POST", "/api/videos", token, { prompt, model: MODEL });
  assertEquals(res.status, 201);
  return await res.json();
}

Deno.test("[veo] 500s from the Gemini API are retried until the job completes, created once", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  veo(t).faults.add({ kind: "status", status: 500, times: 4 });
  const video = await create(t, token);
  const done = await t.waitForVideo(token, video.id, (v) => v.status === "completed");
  assertEquals(done.error, null);
  assertEquals(veo(t).creates.length, 1);
});

Deno.test("[veo] a truncated download is retried and the stored file is whole", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  veo(t).faults.add({ kind: "truncate", path: /:download/, bytes: 1000, times: 2 });
  const video = await create(t, token);
  await t.waitForVideo(token, video.id, (v) => v.status === "completed");
  assertEquals(await Deno.readFile(mediaPath(t.dataDir, video.id, "video")), MEDIA.video.bytes);
  assertEquals([...Deno.readDirSync(`${t.dataDir}/media/${video.id}`)].map((e) => e.name), [
    "video.mp4",
  ]);
});

Deno.test("[veo] a 429 pauses Veo's requests only: each provider has its own budget", async () => {
  const sora = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ ...DEMO, simulator: sora });
  const token = await t.userToken("ada");
  const paused = await create(t, token);
  // Google says when to come back in the body (RetryInfo): 1.5 s.
  veo(t).faults.add({ kind: "status", status: 429, retryAfter: 1.5, method: "GET", times: 1 });
  await waitFor(() => veo(t).requests.some((r) => r.fault === "status"), "the 429");
  const soraVideo: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "meanwhile",
  })).json();
  await t.waitForVideo(token, soraVideo.id, (v) => v.status === "completed");
  await t.waitForVideo(token, paused.id, (v) => v.status === "completed");
  const log = veo(t).requests;
  const limited = log.findIndex((r) => r.fault === "status");
  // Sora's create went out while Veo was still waiting for its turn.
  const soraCreate = sora.requests.find((r) => r.method === "POST" && r.path === "/v1/videos")!;
  assert(soraCreate.at < log[limited + 1].at, "Sora went on during Veo's pause");
  assert(log[limited + 1].at - log[limited].at >= 1400, "Veo waited as told");
});

Deno.test("[veo] a refused key holds Veo jobs queued, names GEMINI_API_KEY, and recovers", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  const fault = veo(t).faults.add({ kind: "status", status: 403 });
  const video = await create(t, token, "held");
  assertEquals([video.status, video.upstream_id], ["queued", null]);
  assertEquals(t.runtime.health.status.outage, "refused");
  assertMatch(t.runtime.health.status.advice ?? "", /GEMINI_API_KEY/);
  const ready = await t.api("GET", "/readyz");
  assertEquals(ready.status, 503);
  assertEquals((await ready.json()).upstream.problem, "refused");
  fault.remove();
  await waitFor(async () => (await t.api("GET", "/readyz")).status === 200, "recovery", 15_000);
  await t.waitForVideo(token, video.id, (v) => v.status === "completed");
});
