import jpeg from "jpeg-js";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

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
  const { cutFrame, FRAME_COUNT } = await import("../services/frames.ts");
  const { MEDIA } = await import("../services/simulator/media.ts");
  const frame = cutFrame(MEDIA.spritesheet.bytes, FRAME_COUNT - 1, "720x1280");
  const image = jpeg.decode(frame);
  assertEquals([image.width, image.height], [720, 1280]);
  const small = jpeg.decode(cutFrame(MEDIA.spritesheet.bytes, 0));
  assertEquals([small.width, small.height], [160, 90]);
});

Deno.test("[continue] a Veo video has no storyboard to continue from: 409 that says so", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const veo = await (await t.api("POST", "/api/videos", token, {
    prompt: "waves",
    model: "veo-3.1-fast-generate-preview",
  })).json();
  const res = await t.api("POST", `/api/videos/${veo.id}/continue`, token, { prompt: "on" });
  assertEquals(res.status, 409);
  const error = (await res.json()).error;
  assertEquals(error.code, "continue_not_supported");
  assertMatch(error.message, /no last frame/);
});

Deno.test("[continue] the detail page offers it and the form makes the next video", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "start" })).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const login = await t.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: new URLSearchParams({ username: "ada", password: "correct horse battery" }),
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  const page = await (await t.app.request(`/videos/${id}`, { headers: { cookie } })).text();
  assert(page.includes(`action="/videos/${id}/continue"`));
  const res = await t.app.request(`/videos/${id}/continue`, {
    method: "POST",
    headers: {
      cookie,
      origin: "http://localhost",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ prompt: "and then" }),
  });
  assertEquals(res.status, 303);
  assertMatch(res.headers.get("location")!, /^\/videos\/vid_[0-9a-f]{24}$/);
  const next = await (await t.app.request(res.headers.get("location")!, { headers: { cookie } }))
    .text();
  assert(next.includes(`/videos/${id}`), "the new video links back to its source");
});
