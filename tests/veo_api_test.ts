import { MEDIA } from "../services/simulator/media.ts";
import type { VeoSimulator } from "../services/simulator/veo/simulator.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

// Demo mode (no keys) runs both simulated providers; a scaled clock keeps Veo jobs short.
const DEMO = { env: { SIMULATOR_TIME_SCALE: "0.05" } };

for (
  const [model, provider] of [
    ["sora-2", "openai"],
    ["veo-3.1-fast-generate-preview", "google"],
  ] as const
) {
  Deno.test(`[providers] ${provider}: create → progress → completed → identical download → delete`, async () => {
    await using t = await startTestApp(DEMO);
    const token = await t.userToken("ada");
    const res = await t.api("POST", "/api/videos", token, { prompt: "a red fox in snow", model });
    assertEquals(res.status, 201);
    const created: Video = await res.json();
    assertEquals(created.model, model);
    assert(["queued", "in_progress"].includes(created.status), created.status);
    // Progress is reported while the provider works on it.
    const seen = new Set<number>();
    const done = await t.waitForVideo(token, created.id, (v) => {
      if (v.status === "in_progress") seen.add(v.progress);
      return v.status === "completed" || v.status === "failed";
    });
    assertEquals([done.status, done.progress, done.error], ["completed", 100, null]);
    assert([...seen].some((p) => p > 0 && p < 100), `progress seen: ${[...seen]}`);
    assert(done.upstream_id);

    const content = await t.api("GET", `/api/videos/${created.id}/content`, token);
    assertEquals(content.status, 200);
    assertEquals(content.headers.get("content-type"), "video/mp4");
    assertEquals(new Uint8Array(await content.arrayBuffer()), MEDIA.video.bytes);

    assertEquals((await t.api("DELETE", `/api/videos/${created.id}`, token)).status, 204);
    assertEquals((await t.api("GET", `/api/videos/${created.id}`, token)).status, 404);
    if (provider === "google") {
      // The generated file was deleted upstream too.
      assertEquals(veo(t).getOperation(done.upstream_id)?.fileDeleted, true);
    } else {
      assertEquals(t.simulator.getVideo(done.upstream_id), undefined);
    }
  });
}

function veo(t: { runtime: { veoSimulator?: VeoSimulator } }): VeoSimulator {
  assert(t.runtime.veoSimulator, "demo mode has a Veo simulator");
  return t.runtime.veoSimulator;
}

Deno.test("[veo] the request carries the model's aspect ratio, resolution, length, negative prompt and image", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  const form = new FormData();
  form.set("prompt", "waves on a black sand beach");
  form.set("model", "veo-3.1-generate-preview");
  form.set("size", "1080x1920");
  form.set("seconds", "8");
  form.set("negative_prompt", "people, text");
  const image = MEDIA.thumbnail.bytes.slice();
  form.set("input_reference", new File([image], "ref.webp", { type: "image/webp" }));
  const res = await t.api("POST", "/api/videos", token, form);
  assertEquals(res.status, 201);
  const video: Video = await res.json();
  assertEquals([video.model, video.size, video.seconds], [
    "veo-3.1-generate-preview",
    "1080x1920",
    "8",
  ]);
  const sent = veo(t).creates.at(-1)!;
  assertEquals(sent.model, "veo-3.1-generate-preview");
  assertEquals(sent.prompt, "waves on a black sand beach");
  assertEquals(sent.parameters.aspectRatio, "9:16");
  assertEquals(sent.parameters.resolution, "1080p");
  assertEquals(sent.parameters.durationSeconds, 8);
  assertEquals(sent.parameters.negativePrompt, "people, text");
  assertEquals(sent.image?.bytes, image.byteLength);
  // A Veo video has no thumbnail or spritesheet: asking for one is a clear 404, never a 500.
  const done = await t.waitForVideo(token, video.id, (v) => v.status === "completed");
  const thumb = await t.api("GET", `/api/videos/${done.id}/content?variant=thumbnail`, token);
  assertEquals(thumb.status, 404);
});

Deno.test("[veo] a refused prompt fails with the provider's reason", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, {
    prompt: "[fail] a scene",
    model: "veo-3.1-fast-generate-preview",
  });
  const video: Video = await res.json();
  const failed = await t.waitForVideo(token, video.id, (v) => v.status === "failed");
  assertEquals(failed.error?.code, "moderation_blocked");
  assertMatch(failed.error!.message, /usage policy/);
});

Deno.test("[veo] remix is Sora's: a Veo video answers 409 saying what to do instead", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  const video: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "a lighthouse",
    model: "veo-3.1-fast-generate-preview",
  })).json();
  await t.waitForVideo(token, video.id, (v) => v.status === "completed");
  const res = await t.api("POST", `/api/videos/${video.id}/remix`, token, { prompt: "at night" });
  assertEquals(res.status, 409);
  const body = await res.json();
  assertEquals(body.error.code, "remix_not_supported");
  assertMatch(body.error.message, /Re-run/);
});
