import jpeg from "jpeg-js";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

Deno.test("[continue] a finished video goes on from its last frame, at the same size, with lineage", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const source = await (await t.api("POST", "/api/videos", token, {
    prompt: "a kite rises",
    size: "1280x720",
    seconds: "8",
  })).json();
  const early = await t.api("POST", `/api/videos/${source.id}/continue`, token, { prompt: "more" });
  assertEquals(early.status, 409);
  await t.waitForVideo(token, source.id, (v) => v.status === "completed");
  const res = await t.api("POST", `/api/videos/${source.id}/continue`, token, {
    prompt: "the kite drifts over the sea",
  });
  assertEquals(res.status, 201);
  const next = await res.json();
  assertEquals(next.remixed_from, source.id);
  assertEquals([next.model, next.size, next.seconds], ["sora-2", "1280x720", "8"]);
  // The upstream got the last frame as its reference image, as a 1280×720 JPEG.
  const sent = t.simulator.requests.filter((r) => r.method === "POST" && r.path === "/v1/videos");
  assertEquals(sent.length, 2);
  const job = t.simulator.getVideo(next.upstream_id)!;
  assertEquals(job.size, "1280x720");
  const done = await t.waitForVideo(token, next.id, (v) => v.status === "completed");
  assertEquals(done.remixed_from, source.id);
  const empty = await t.api("POST", `/api/videos/${source.id}/continue`, token, { prompt: " " });
  assertEquals(empty.status, 400);
});

Deno.test("[continue] the frame is the spritesheet's last tile, scaled to the video's size", async () => {
  const { cutFrame, FRAME_COUNT } = await import("../services/media/frames.ts");
  const { MEDIA } = await import("../services/providers/simulators/media.ts");
  const frame = cutFrame(MEDIA.spritesheet.bytes, FRAME_COUNT - 1, "720x1280");
  const image = jpeg.decode(frame);
  assertEquals([image.width, image.height], [720, 1280]);
  const small = jpeg.decode(cutFrame(MEDIA.spritesheet.bytes, 0));
  assertEquals([small.width, small.height], [160, 90]);
});

/** Whether this machine has ffmpeg (CI installs it; the fallback is tested either way). */
const ffmpegAvailable = (() => {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Demo mode with fast Veo jobs, and ffmpeg found or (with `ffmpeg: false`) missing. */
function veoDemo(ffmpeg: boolean) {
  return {
    env: {
      SIMULATOR_TIME_SCALE: "0.02",
      ...(ffmpeg ? {} : { FFMPEG_PATH: "/nonexistent/ffmpeg" }),
    },
  };
}

async function finishedVeoVideo(t: TestApp, token: string) {
  const veo = await (await t.api("POST", "/api/videos", token, {
    prompt: "waves",
    model: "veo-3.1-fast-generate-001",
    size: "720x1280",
  })).json();
  return await t.waitForVideo(token, veo.id, (v) => v.status === "completed");
}

Deno.test({
  name: "[continue] with ffmpeg, a Veo video goes on from its MP4's last frame, at its size",
  ignore: !ffmpegAvailable,
  async fn() {
    await using t = await startTestApp(veoDemo(true));
    const token = await t.userToken("ada");
    const source = await finishedVeoVideo(t, token);
    const cookie = await t.sessionCookie("ada");
    const page = await (await t.app.request(`/videos/${source.id}`, { headers: { cookie } }))
      .text();
    assert(page.includes(`action="/videos/${source.id}/continue"`), "the page offers it");
    const res = await t.api("POST", `/api/videos/${source.id}/continue`, token, { prompt: "on" });
    assertEquals(res.status, 201);
    const next = await res.json();
    assertEquals([next.remixed_from, next.size], [source.id, "720x1280"]);
    const sent = t.runtime.simulators.vertex!.creates.at(-1)!;
    assertEquals(sent.image?.mimeType, "image/jpeg");
    // A 720×1280 frame of the fixture, not the spritesheet's 160×90 tile blown up (Veo has none).
    assert(sent.image!.bytes > 1000, `frame of ${sent.image!.bytes} bytes`);
  },
});

Deno.test("[continue] without ffmpeg, a Veo video has no storyboard to go on from: 409 that says so", async () => {
  await using t = await startTestApp(veoDemo(false));
  const token = await t.userToken("ada");
  const source = await finishedVeoVideo(t, token);
  const cookie = await t.sessionCookie("ada");
  const page = await (await t.app.request(`/videos/${source.id}`, { headers: { cookie } })).text();
  assert(!page.includes(`/videos/${source.id}/continue"`), "the page does not offer it");
  const res = await t.api("POST", `/api/videos/${source.id}/continue`, token, { prompt: "on" });
  assertEquals(res.status, 409);
  const error = (await res.json()).error;
  assertEquals(error.code, "continue_not_supported");
  assertMatch(error.message, /without a storyboard, and this server cannot run ffmpeg/);
});

Deno.test("[continue] without ffmpeg, a Sora video's frame comes from its spritesheet", async () => {
  await using t = await startTestApp(veoDemo(false));
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "start" })).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const res = await t.api("POST", `/api/videos/${id}/continue`, token, { prompt: "then" });
  assertEquals(res.status, 201);
  assertEquals((await res.json()).remixed_from, id);
});

Deno.test("[continue] the detail page offers it and the form makes the next video", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "start" })).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const cookie = await t.sessionCookie("ada");
  const page = await (await t.app.request(`/videos/${id}`, { headers: { cookie } })).text();
  assert(page.includes(`action="/videos/${id}/continue"`));
  const res = await t.postForm(`/videos/${id}/continue`, cookie, { prompt: "and then" });
  assertEquals(res.status, 303);
  assertMatch(res.headers.get("location")!, /^\/videos\/vid_[0-9a-f]{24}$/);
  const next = await (await t.app.request(res.headers.get("location")!, { headers: { cookie } }))
    .text();
  assert(next.includes(`/videos/${id}`), "the new video links back to its source");
});

Deno.test({
  name: "[continue] ffmpeg's last frame is a JPEG of the asked size; a broken file gives none",
  ignore: !ffmpegAvailable,
  async fn() {
    const { lastFrameOfVideo } = await import("../services/media/video_frames.ts");
    const { MEDIA } = await import("../services/providers/simulators/media.ts");
    const dir = await Deno.makeTempDir({ prefix: "sora-frame-" });
    try {
      await Deno.writeFile(`${dir}/video.mp4`, MEDIA.video.bytes);
      const frame = await lastFrameOfVideo("ffmpeg", `${dir}/video.mp4`, "1280x720", dir);
      const image = jpeg.decode(frame!);
      assertEquals([image.width, image.height], [1280, 720]);
      await Deno.writeFile(`${dir}/broken.mp4`, MEDIA.video.bytes.slice(0, 100));
      assertEquals(
        await lastFrameOfVideo("ffmpeg", `${dir}/broken.mp4`, "1280x720", dir),
        undefined,
      );
      // Nothing is left behind in the scratch folder.
      const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assertEquals(left, ["broken.mp4", "video.mp4"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
