import { MEDIA } from "../services/providers/simulators/media.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { mediaPath, videoDir } from "../services/stores/media/files.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { fixtureOf, startTestApp, waitFor } from "./helpers.ts";

Deno.test("[jobs] content that expired upstream before download fails as 'expired upstream'", async () => {
  let offset = 0;
  const simulator = createSoraSimulator({ timeScale: 0.01, now: () => Date.now() + offset });
  await using t = await startTestApp({ simulator, startJobs: false });
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "too late" })).json();
  offset = 2 * 3600_000; // the app comes back two hours later
  t.runtime.jobs.start();
  const failed = await t.waitForVideo(token, id, (v) => v.status === "failed");
  assertEquals(failed.error?.code, "expired_upstream");
  assertMatch(failed.error!.message, /expired upstream/);
  await Deno.stat(videoDir(t.dataDir, id)).then(
    () => assertEquals([...Deno.readDirSync(videoDir(t.dataDir, id))], []),
    () => {},
  );
});

Deno.test("[jobs] an unwritable media folder is retried later, with the reason kept", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "disk" })).json();
  // A file where the video's folder must go: every write there fails, even for root.
  await Deno.mkdir(`${t.dataDir}/media`, { recursive: true });
  await Deno.writeTextFile(videoDir(t.dataDir, id), "in the way");
  t.runtime.jobs.start();
  await waitFor(
    async () =>
      (await t.runtime.db.videoById(id))?.retry_reason?.startsWith("Downloading the video") ??
        false,
    "a retry reason",
  );
  const waiting = await (await t.api("GET", `/api/videos/${id}`, token)).json();
  assertEquals(waiting.status, "downloading");
  // The detail page says why it waits.
  const cookie = await t.sessionCookie("ada");
  const page = await (await t.app.request(`/videos/${id}`, { headers: { cookie } })).text();
  assertMatch(page, /class="retry-reason"[^>]*>Downloading the video failed \(/);
  assertEquals((await t.api("GET", `/api/videos/${id}/content`, token)).status, 409);
  await Deno.remove(videoDir(t.dataDir, id));
  t.runtime.jobs.expedite(id);
  const done = await t.waitForVideo(token, id, (v) => v.status === "completed");
  assertEquals(await Deno.readFile(mediaPath(t.dataDir, id, "video")), fixtureOf(done).video.bytes);
  assertEquals((await t.runtime.db.videoById(id))?.retry_reason, null);
});

Deno.test("[jobs] an upstream that hangs is timed out and the job still completes", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator, env: { UPSTREAM_TIMEOUT_MS: "200" } });
  const token = await t.userToken("ada");
  simulator.faults.add({ kind: "hang", method: "GET", times: 2 });
  simulator.faults.add({ kind: "slow", path: /variant=video/, delayMs: 60_000, times: 1 });
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "patience" })).json();
  const done = await t.waitForVideo(token, id, (v) => v.status === "completed");
  assertEquals(done.error, null);
  assertEquals(await Deno.readFile(mediaPath(t.dataDir, id, "video")), fixtureOf(done).video.bytes);
  assert(simulator.requests.filter((r) => r.fault === "hang").length === 2);
});

Deno.test("[jobs] malformed JSON from the upstream is retried, never a crash", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator });
  const token = await t.userToken("ada");
  simulator.faults.add({ kind: "malformed_json", method: "GET", times: 3 });
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "garbled" })).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  assertEquals(simulator.faults.active.length, 0);
});

Deno.test("[jobs] a reference image is sent upstream and kept with the video", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const form = new FormData();
  form.set("prompt", "animate");
  form.set("input_reference", new File([new Uint8Array(MEDIA.thumbnail.bytes)], "ref.webp"));
  const { id } = await (await t.api("POST", "/api/videos", token, form)).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const uploads = [...Deno.readDirSync(`${t.dataDir}/uploads`)].map((e) => e.name);
  assertEquals(uploads, [`${id}.webp`]);
});
