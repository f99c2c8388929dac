// Demo mode does not mislead: each provider's simulator delivers a video of the orientation and
// about the length that was asked, and the app measures it to be so.
import { fixtureFor } from "../services/providers/simulators/media.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

Deno.test("[demo] a video is the shape and length that was asked", async () => {
  await using t = await startTestApp({ env: { SIMULATOR_TIME_SCALE: "0.01" } });
  const token = await t.userToken("ada");
  const asked = [
    { model: "sora-2", size: "720x1280", seconds: "8", provider: "openai" },
    { model: "veo-3.1-fast-generate-001", size: "1280x720", seconds: "4", provider: "vertex" },
    // The model's own length.
    { model: "gemini-omni-1.1-flash", size: "720x1280", provider: "gemini" },
  ];
  const created: Video[] = [];
  for (const { provider: _, ...body } of asked) {
    const res = await t.api("POST", "/api/videos", token, { prompt: "a kite at dusk", ...body });
    assertEquals(res.status, 201, body.model);
    created.push(await res.json());
  }

  for (const [i, { id }] of created.entries()) {
    const { model, size, seconds, provider } = asked[i];
    const done = await t.waitForVideo(
      token,
      id,
      (v) => v.status === "completed" || v.status === "failed",
    );
    assertEquals([done.status, done.error, done.provider], ["completed", null, provider], model);
    assertEquals([done.size, done.seconds], [size, seconds ?? done.seconds], model);
    const fixture = fixtureFor(size, Number(done.seconds));

    const content = await t.api("GET", `/api/videos/${id}/content`, token);
    assertEquals(content.status, 200, model);
    const bytes = new Uint8Array(await content.arrayBuffer());
    if (provider === "vertex") {
      // Vertex's simulator appends a `free` box naming the operation, which players skip.
      assertEquals(bytes.subarray(0, fixture.video.bytes.byteLength), fixture.video.bytes, model);
      assert(bytes.byteLength - fixture.video.bytes.byteLength < 1000, model);
    } else {
      assertEquals(bytes, fixture.video.bytes, model);
    }

    // What the app measured in the MP4 is the fixture's shape and length.
    assert(done.media, `${model}: the download was measured`);
    const { width, height, seconds: measured } = done.media;
    assertEquals(
      { width, height, seconds: measured },
      { width: fixture.width, height: fixture.height, seconds: fixture.seconds },
      model,
    );
    assertEquals(height > width, size === "720x1280", `${model} is ${width}x${height}`);
  }
});
