import {
  createSoraSimulator,
  type SoraSimulator,
} from "../services/providers/simulators/simulator.ts";
import { seededRandom } from "../services/providers/simulators/faults.ts";
import { mediaPath } from "../services/stores/media/files.ts";
import { assert, assertEquals } from "./assert.ts";
import { fixtureOf, startTestApp } from "./helpers.ts";

const creates = (sim: SoraSimulator) =>
  sim.requests.filter((r) => r.method === "POST" && r.path === "/v1/videos" && !r.fault).length;

Deno.test("[jobs] a 429 with Retry-After pauses every upstream request until it has passed", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator });
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "a kite" })).json();
  simulator.faults.add({ kind: "status", status: 429, retryAfter: 0.3, method: "GET", times: 1 });
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const limited = simulator.requests.findIndex((r) => r.fault === "status");
  assert(limited >= 0, "the 429 was served");
  const next = simulator.requests[limited + 1];
  assert(next.at - simulator.requests[limited].at >= 300, "next request came after Retry-After");
});

Deno.test("[jobs] 500s are retried until the job completes", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator });
  const token = await t.userToken("ada");
  simulator.faults.add({ kind: "status", status: 500, times: 4 });
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "a kite" })).json();
  const video = await t.waitForVideo(token, id, (v) => v.status === "completed");
  assertEquals(video.error, null);
  assertEquals(simulator.faults.active[0]?.hits ?? 4, 4);
  assertEquals(creates(simulator), 1);
});

Deno.test("[jobs] a truncated download is retried and the stored file is whole", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator });
  const token = await t.userToken("ada");
  simulator.faults.add({ kind: "truncate", path: /variant=video/, bytes: 1000, times: 2 });
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "a kite" })).json();
  const done = await t.waitForVideo(token, id, (v) => v.status === "completed");
  assertEquals(await Deno.readFile(mediaPath(t.dataDir, id, "video")), fixtureOf(done).video.bytes);
  const leftovers = [...Deno.readDirSync(`${t.dataDir}/media/${id}`)].map((e) => e.name);
  assertEquals(leftovers.sort(), ["spritesheet.jpg", "thumbnail.webp", "video.mp4"]);
});

Deno.test("[jobs] the request budget holds across many jobs", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  // 120 a minute: a burst of 12, then one every 500 ms.
  await using t = await startTestApp({ simulator, env: { UPSTREAM_MAX_RPM: "120" } });
  const token = await t.userToken("ada");
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push(
      (await (await t.api("POST", "/api/videos", token, { prompt: `clip ${i}` })).json()).id,
    );
  }
  for (const id of ids) await t.waitForVideo(token, id, (v) => v.status === "completed");
  const times = simulator.requests.map((r) => r.at);
  assert(times.length > 14, `enough requests to test the budget (${times.length})`);
  for (const start of times) {
    const inWindow = times.filter((at) => at >= start && at < start + 1000).length;
    assert(inWindow <= 12 + 2, `${inWindow} requests within one second`);
  }
});

Deno.test("[jobs] flaky upstream (30% 500s, seeded) still completes every job exactly once", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01, random: seededRandom(7) });
  await using t = await startTestApp({ simulator });
  const token = await t.userToken("ada");
  simulator.faults.add({ kind: "status", status: 500, probability: 0.3 });
  const ids = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      (await (await t.api("POST", "/api/videos", token, { prompt: `clip ${i}` })).json()).id,
    );
  }
  for (const id of ids) {
    const v = await t.waitForVideo(token, id, (v) => v.status === "completed");
    assertEquals(
      await Deno.readFile(mediaPath(t.dataDir, v.id, "video")),
      fixtureOf(v).video.bytes,
    );
  }
  assertEquals(creates(simulator), 5);
});

Deno.test("[jobs] a restart with jobs in flight completes each exactly once", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.05 });
  const dataDir = await Deno.makeTempDir({ prefix: "sora-restart-" });
  const ids: string[] = [];
  let token: string;
  {
    await using t = await startTestApp({ simulator, dataDir });
    token = await t.userToken("ada");
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await (await t.api("POST", "/api/videos", token, { prompt: `clip ${i}` })).json()).id,
      );
    }
  }
  {
    await using t = await startTestApp({ simulator, dataDir });
    for (const id of ids) {
      const done = await t.waitForVideo(token, id, (v) => v.status === "completed");
      assertEquals(
        await Deno.readFile(mediaPath(dataDir, id, "video")),
        fixtureOf(done).video.bytes,
      );
    }
  }
  assertEquals(creates(simulator), 5);
  const downloads = simulator.requests.filter((r) => r.path.endsWith("/content")).length;
  assertEquals(downloads, 15, "each of the 3 files of 5 videos downloaded once");
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("[jobs] a job held before submission is submitted after a restart", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  const dataDir = await Deno.makeTempDir({ prefix: "sora-restart-" });
  let token: string;
  let id: string;
  {
    await using t = await startTestApp({ simulator, dataDir });
    token = await t.userToken("ada");
    // The upstream is down when the job is made: it stays queued locally.
    simulator.faults.add({ kind: "status", status: 503, method: "POST" });
    const res = await t.api("POST", "/api/videos", token, { prompt: "patience" });
    const video = await res.json();
    id = video.id;
    assertEquals(res.status, 201);
    assertEquals([video.status, video.upstream_id], ["queued", null]);
  }
  simulator.faults.clear();
  {
    await using t = await startTestApp({ simulator, dataDir });
    await t.waitForVideo(token, id, (v) => v.status === "completed");
  }
  assertEquals(creates(simulator), 1);
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("[jobs] a lost create answer is not submitted twice (idempotency key)", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator });
  const token = await t.userToken("ada");
  simulator.faults.add({ kind: "status", status: 502, method: "POST", when: "after", times: 1 });
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "once" })).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const sent = simulator.requests.filter((r) => r.method === "POST" && r.path === "/v1/videos");
  assertEquals(sent.length, 2, "the create was sent again after its answer was lost");
  const upstreamJobs = await simulator.fetch(
    new Request("http://simulator/v1/videos?limit=100", { headers: { authorization: "Bearer k" } }),
  );
  assertEquals((await upstreamJobs.json()).data.length, 1, "but only one upstream job exists");
});
