// The whole app with Vertex AI configured as a person would (a project, a key file, no demo
// mode), its HTTP client passing through to the simulator as if it were Google.
import type { Video } from "../services/types.ts";
import { createVertexSimulator } from "../services/providers/simulators/vertex/simulator.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

Deno.test("[vertex] through the app: create, complete, download, extend, and a filtered prompt", async () => {
  const sim = createVertexSimulator({ timeScale: 0.01 });
  const keyFile = await Deno.makeTempFile({ prefix: "vertex-key-", suffix: ".json" });
  await Deno.writeTextFile(keyFile, JSON.stringify(sim.credentials("http://vertex.test")));
  try {
    await using t = await startTestApp({
      env: {
        GOOGLE_CLOUD_PROJECT: "p",
        GOOGLE_APPLICATION_CREDENTIALS: keyFile,
        GOOGLE_VERTEX_BASE_URL: "http://vertex.test",
        SORA_SIMULATE: "0",
      },
      fetches: { vertex: (input, init) => sim.fetch(new Request(input, init)) },
    });
    const token = await t.userToken("ada");
    const models = await (await t.api("GET", "/api/models", token)).json();
    const ids = (models.data ?? models).map((m: { id: string }) => m.id);
    assert(ids.includes("veo-3.1-generate-001") && ids.includes("veo-3.1-fast-generate-001"), ids);

    const res = await t.api("POST", "/api/videos", token, {
      prompt: "a red fox in snow",
      model: "veo-3.1-fast-generate-001",
      size: "720x1280",
      seconds: "8",
    });
    assertEquals(res.status, 201);
    const created: Video = await res.json();
    const done = await t.waitForVideo(
      token,
      created.id,
      (v) => v.status === "completed" || v.status === "failed",
    );
    assertEquals([done.status, done.error], ["completed", null]);
    assert(done.upstream_id);
    assertEquals(sim.creates[0].project, "p");
    assertEquals(sim.creates[0].parameters.aspectRatio, "9:16");

    const content = await t.api("GET", `/api/videos/${created.id}/content`, token);
    assertEquals(content.status, 200);
    assertEquals(new Uint8Array(await content.arrayBuffer()), sim.videoBytes(done.upstream_id));

    const extendRes = await t.api("POST", `/api/videos/${created.id}/extend`, token, {
      prompt: "it runs into the forest",
    });
    assertEquals(extendRes.status, 201);
    const extension: Video = await extendRes.json();
    assertEquals(extension.remixed_from, created.id);
    const longer = await t.waitForVideo(
      token,
      extension.id,
      (v) => v.status === "completed" || v.status === "failed",
    );
    assertEquals([longer.status, longer.seconds], ["completed", "15"]);
    assertEquals(sim.creates[1].video, { operation: done.upstream_id });
    assertEquals(sim.getOperation(longer.upstream_id!)?.seconds, 15);

    const refused: Video = await (await t.api("POST", "/api/videos", token, {
      prompt: "[fail] a scene",
      model: "veo-3.1-generate-001",
      seconds: "4",
    })).json();
    const failed = await t.waitForVideo(
      token,
      refused.id,
      (v) => v.status === "failed" || v.status === "completed",
    );
    assertEquals(failed.error?.code, "moderation_blocked");

    // One token served every call.
    assertEquals(sim.tokens.length, 1);
  } finally {
    await Deno.remove(keyFile);
  }
});

Deno.test("[vertex] demo mode: refused credentials hold Veo jobs queued, name the key file, and recover", async () => {
  const sim = createVertexSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({
    env: { SIMULATOR_TIME_SCALE: "0.01" },
    simulators: { vertex: sim },
  });
  const token = await t.userToken("ada");
  const fault = sim.faults.add({ kind: "status", status: 403, path: /^\/v1\// });
  const video: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "held",
    model: "veo-3.1-generate-001",
    seconds: "4",
  })).json();
  await waitFor(() => t.runtime.health.status.outage === "refused", "the outage to be seen");
  assertMatch(t.runtime.health.status.advice ?? "", /GOOGLE_APPLICATION_CREDENTIALS/);
  assertEquals((await t.api("GET", `/api/videos/${video.id}`, token)).status, 200);
  assertEquals(sim.creates.length, 0);
  fault.remove();
  const done = await t.waitForVideo(token, video.id, (v) => v.status === "completed");
  assertEquals(done.error, null);
  assertEquals(sim.creates.length, 1);
});
