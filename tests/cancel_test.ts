import { createFalSimulator } from "../services/providers/simulators/fal/simulator.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, TEST_ORIGIN, waitFor } from "./helpers.ts";

const PROMPT = { prompt: "a paper boat on a puddle" };

Deno.test("[cancel] a queued video is cancelled by its owner and costs nothing", async () => {
  // The provider cannot be reached: the job waits, queued, never sent.
  await using t = await startTestApp({
    upstreamFetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const adaId = (await t.runtime.db.userByName("ada"))!.id;
  const created: Video = await (await t.api("POST", "/api/videos", ada, PROMPT)).json();
  assertEquals([created.status, created.upstream_id], ["queued", null]);
  assertEquals(created.actions.cancel, { available: true });
  assert(await t.runtime.db.spentSince(adaId, 0) > 0, "a queued video counts until cancelled");

  // Another user's video is not theirs to cancel, nor to know of.
  assertEquals((await t.api("POST", `/api/videos/${created.id}/cancel`, bob)).status, 404);

  const res = await t.api("POST", `/api/videos/${created.id}/cancel`, ada);
  assertEquals(res.status, 200);
  const cancelled: Video = await res.json();
  assertEquals([cancelled.status, cancelled.error?.code, cancelled.cost], [
    "failed",
    "cancelled",
    0,
  ]);
  assertMatch(cancelled.error!.message, /^Cancelled by ada\. .*nothing is charged/);
  assertEquals(cancelled.actions.cancel.available, false);
  assertMatch(cancelled.actions.cancel.reason!, /already stopped/);
  assertEquals(await t.runtime.db.spentSince(adaId, 0), 0);
  assertEquals((await t.runtime.db.videoById(created.id))!.next_poll_at, null);

  // Cancelling it again is refused, saying why.
  const again = await t.api("POST", `/api/videos/${created.id}/cancel`, ada);
  assertEquals(again.status, 409);
  assertMatch((await again.json()).error.message, /already stopped/);
});

Deno.test("[cancel] an in-progress fal.ai video is cancelled at fal and costs nothing", async () => {
  // At full time scale the job stays in progress long enough to cancel.
  const sim = createFalSimulator({ timeScale: 1 });
  await using t = await startTestApp({
    env: { FAL_KEY: "test-key", SORA_SIMULATE: "0" },
    fetches: { fal: (input, init) => sim.fetch(new Request(input, init)) },
  });
  const ada = await t.userToken("ada");
  const created: Video = await (await t.api("POST", "/api/videos", ada, {
    ...PROMPT,
    model: "fal-ai/veo3.1/fast",
    size: "1280x720",
    seconds: "4",
  })).json();
  const sent = await t.waitForVideo(ada, created.id, (v) => v.upstream_id !== null);
  assert(sent.status === "queued" || sent.status === "in_progress", sent.status);
  assert(sent.cost > 0);

  const res = await t.api("POST", `/api/videos/${created.id}/cancel`, ada);
  assertEquals(res.status, 200);
  const cancelled: Video = await res.json();
  assertEquals([cancelled.status, cancelled.error?.code, cancelled.cost], [
    "failed",
    "cancelled",
    0,
  ]);
  assertMatch(cancelled.error!.message, /fal\.ai stopped it/);
  assertEquals(sim.getRequest(sent.upstream_id!.split("/").pop()!)?.outcome, "cancelled");
});

Deno.test("[cancel] a sent video whose provider cannot stop it keeps its cost and is not followed", async () => {
  await using t = await startTestApp({ simulator: createSoraSimulator({ timeScale: 1 }) });
  const ada = await t.userToken("ada");
  const adaId = (await t.runtime.db.userByName("ada"))!.id;
  const created: Video = await (await t.api("POST", "/api/videos", ada, PROMPT)).json();
  assert(created.upstream_id, "sent to the simulator");
  const res = await t.api("POST", `/api/videos/${created.id}/cancel`, ada);
  assertEquals(res.status, 200);
  const cancelled: Video = await res.json();
  assertEquals([cancelled.status, cancelled.error?.code], ["failed", "cancelled"]);
  assertEquals(cancelled.cost, created.cost);
  assertMatch(cancelled.error!.message, /cannot stop .* still charged \(\$0\.40\)/);
  assertEquals(await t.runtime.db.spentSince(adaId, 0), created.cost);
  assertEquals((await t.runtime.db.videoById(created.id))!.next_poll_at, null);
});

Deno.test("[cancel] finished videos cannot be cancelled: 409 with the reason", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const created: Video = await (await t.api("POST", "/api/videos", ada, PROMPT)).json();
  const done = await t.waitForVideo(ada, created.id, (v) => v.status === "completed");
  assertEquals(done.actions.cancel.available, false);
  const res = await t.api("POST", `/api/videos/${created.id}/cancel`, ada);
  assertEquals(res.status, 409);
  const body = await res.json();
  assertEquals(body.error.code, "not_cancellable");
  assertMatch(body.error.message, /finished, so there is nothing to cancel/);
  assertEquals((await t.api("GET", `/api/videos/${created.id}`, ada)).status, 200);
  // Downloading means made and paid for upstream: too late as well.
  assertMatch(
    t.runtime.videos.facts.cancelRefusal({ status: "downloading" })!.message,
    /already made and paid for/,
  );
});

Deno.test("[cancel] the runner does not revive a video cancelled while its create was on the way", async () => {
  // Creates wait at a gate: the video is cancelled (unsent, free) while its create is in flight.
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  let held = 0;
  await using t = await startTestApp({
    simulator,
    upstreamFetch: async (input, init) => {
      const req = new Request(input, init);
      if (req.method === "POST" && new URL(req.url).pathname === "/v1/videos" && held++ === 0) {
        await gate;
      }
      return await simulator.fetch(req);
    },
  });
  const ada = await t.userToken("ada");
  const adaId = (await t.runtime.db.userByName("ada"))!.id;
  const creating = t.api("POST", "/api/videos", ada, PROMPT);
  await waitFor(() => held === 1, "the create to reach the provider");
  const [row] = await t.runtime.db.unfinishedVideosOf(adaId);
  const res = await t.api("POST", `/api/videos/${row.id}/cancel`, ada);
  assertEquals(res.status, 200);
  assertEquals((await res.json()).cost, 0);

  release();
  assertEquals((await (await creating).json()).status, "failed");
  // The create had reached the provider, which cannot stop it: it is charged, and says so.
  const settled = await t.waitForVideo(ada, row.id, (v) => v.upstream_id !== null);
  assertEquals([settled.status, settled.error?.code], ["failed", "cancelled"]);
  assertMatch(settled.error!.message, /^Cancelled by ada\. It had just been sent .* charged/);
  assert(settled.cost > 0);

  // A video started after it finishes; the cancelled one (upstream, ahead of it) stays failed.
  const later: Video = await (await t.api("POST", "/api/videos", ada, PROMPT)).json();
  await t.waitForVideo(ada, later.id, (v) => v.status === "completed");
  const after = (await t.runtime.db.videoById(row.id))!;
  assertEquals([after.status, after.next_poll_at, after.error_code], ["failed", null, "cancelled"]);
});

Deno.test("[cancel] the page's Cancel answers with the card, same-origin only", async () => {
  await using t = await startTestApp({
    upstreamFetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const ada = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const created: Video = await (await t.api("POST", "/api/videos", ada, PROMPT)).json();
  const library = await (await t.app.request("/", { headers: { cookie } })).text();
  assert(library.includes(`hx-post="/videos/${created.id}/cancel"`), "the card offers Cancel");

  const foreign = await t.app.request(`/videos/${created.id}/cancel`, {
    method: "POST",
    headers: { cookie, origin: "https://evil.example", "hx-request": "true" },
  });
  assertEquals(foreign.status, 403);

  const res = await t.app.request(`/videos/${created.id}/cancel`, {
    method: "POST",
    headers: { cookie, origin: TEST_ORIGIN, "hx-request": "true" },
  });
  assertEquals(res.status, 200);
  const card = await res.text();
  assert(card.includes(`id="video-${created.id}"`) && card.includes('data-status="failed"'), card);
  assert(card.includes("Cancelled") && !card.includes('/cancel"'), "cancelled, no Cancel left");

  // The detail page's plain form gets the page again.
  const page = await t.postForm(`/videos/${created.id}/cancel`, cookie, {});
  assertEquals(page.status, 409);
});
