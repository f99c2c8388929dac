import { createFalSimulator } from "../services/providers/simulators/fal/simulator.ts";
import { fixtureFor } from "../services/providers/simulators/media.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

const MODEL = "fal-ai/veo3.1/fast";

Deno.test("[fal] through the app: create → completed → identical download → delete", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({
    env: { FAL_KEY: "test-key", SORA_SIMULATE: "0" },
    fetches: { fal: (input, init) => sim.fetch(new Request(input, init)) },
  });
  const token = await t.userToken("ada");

  const models = await (await t.api("GET", "/api/models", token)).json();
  const listed = models.data.find((m: { id: string }) => m.id === MODEL);
  assertEquals([listed?.provider, listed?.sizes.includes("1280x720")], ["fal", true]);

  const res = await t.api("POST", "/api/videos", token, {
    prompt: "a paper boat on a puddle",
    model: MODEL,
    size: "1280x720",
    seconds: "4",
  });
  assertEquals(res.status, 201);
  const created: Video = await res.json();
  assertEquals(created.model, MODEL);
  const done = await t.waitForVideo(
    token,
    created.id,
    (v) => v.status === "completed" || v.status === "failed",
  );
  assertEquals([done.status, done.error], ["completed", null]);
  assert(done.upstream_id?.startsWith("fal-ai/veo3.1/requests/"), String(done.upstream_id));
  assertEquals(sim.submissions[0].input.duration, "4s");

  const content = await t.api("GET", `/api/videos/${created.id}/content`, token);
  assertEquals(content.status, 200);
  assertEquals(
    new Uint8Array(await content.arrayBuffer()),
    fixtureFor("1280x720", 4).video.bytes,
  );

  assertEquals((await t.api("DELETE", `/api/videos/${created.id}`, token)).status, 204);
  assertEquals((await t.api("GET", `/api/videos/${created.id}`, token)).status, 404);
});

Deno.test("[fal] demo mode offers the fal models through the built-in simulator", async () => {
  await using t = await startTestApp({ env: { SIMULATOR_TIME_SCALE: "0.01" } });
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, {
    prompt: "a paper boat on a puddle",
    model: "fal-ai/wan/v2.7/text-to-video",
    size: "1280x720",
    seconds: "2",
  });
  assertEquals(res.status, 201);
  const created: Video = await res.json();
  const done = await t.waitForVideo(
    token,
    created.id,
    (v) => v.status === "completed" || v.status === "failed",
  );
  assertEquals([done.status, done.error], ["completed", null]);
  assert(t.runtime.simulators.fal?.submissions.length === 1, "the demo's fal simulator was used");
});
