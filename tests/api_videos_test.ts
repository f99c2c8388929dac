import { fixtureFor } from "../services/providers/simulators/media.ts";
import { mediaPath } from "../services/stores/media/files.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

async function errorOf(res: Response) {
  return (await res.json()).error as {
    code: string;
    message: string;
    fields?: Record<string, string>;
  };
}

Deno.test("[videos] create answers 201 with the defaults and an upstream id", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, { prompt: "  a red fox in snow  " });
  assertEquals(res.status, 201);
  const video = await res.json();
  assertMatch(video.id, /^vid_[0-9a-f]{24}$/);
  assertEquals(video.prompt, "a red fox in snow");
  assertEquals(
    [video.model, video.size, video.seconds, video.status],
    ["sora-2", "720x1280", "4", "queued"],
  );
  assertMatch(video.upstream_id, /^video_/);
  assertEquals(video.remixed_from, null);
  assertEquals(video.error, null);
  assertEquals(video.completed_at, null);
  assert(!Number.isNaN(Date.parse(video.created_at)));
});

Deno.test("[videos] each input rule is refused with 400 naming the field", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const cases: [unknown, string][] = [
    [{ prompt: "   " }, "prompt"],
    [{}, "prompt"],
    [{ prompt: "x".repeat(4001) }, "prompt"],
    [{ prompt: "ok", model: "sora-3" }, "model"],
    [{ prompt: "ok", size: "1792x1024" }, "size"],
    [{ prompt: "ok", model: "sora-2-pro", size: "640x480" }, "size"],
    [{ prompt: "ok", seconds: "5" }, "seconds"],
    [{ prompt: 42 }, "prompt"],
  ];
  for (const [body, field] of cases) {
    const res = await t.api("POST", "/api/videos", token, body);
    assertEquals(res.status, 400, JSON.stringify(body));
    const error = await errorOf(res);
    assertEquals(error.code, "invalid_request");
    assert(error.fields?.[field], `${field} named for ${JSON.stringify(body)}`);
  }
  const ok = await t.api("POST", "/api/videos", token, {
    prompt: "x".repeat(4000),
    model: "sora-2-pro",
    size: "1792x1024",
    seconds: 12,
  });
  assertEquals(ok.status, 201);
  assertEquals((await ok.json()).seconds, "12");
});

Deno.test("[videos] bad JSON is 400 and an unknown body type is 415", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const bad = await t.app.request("/api/videos", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: "{nope",
  });
  assertEquals(bad.status, 400);
  const text = await t.app.request("/api/videos", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: "prompt",
  });
  assertEquals(text.status, 415);
});

Deno.test("[videos] multipart with a real image is accepted; a fake one is 415", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const form = new FormData();
  form.set("prompt", "animate this");
  form.set("input_reference", new File([PNG], "ref.png", { type: "image/png" }));
  const res = await t.api("POST", "/api/videos", token, form);
  assertEquals(res.status, 201);
  const fake = new FormData();
  fake.set("prompt", "animate this");
  fake.set("input_reference", new File(["<svg/>"], "ref.png", { type: "image/png" }));
  const refused = await t.api("POST", "/api/videos", token, fake);
  assertEquals(refused.status, 415);
  assert((await errorOf(refused)).fields?.input_reference);
});

Deno.test("[videos] a reference image over 20 MB is 413", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const form = new FormData();
  form.set("prompt", "too big");
  const big = new Uint8Array(20 * 1024 * 1024 + 1);
  big.set(PNG);
  form.set("input_reference", new File([big], "big.png", { type: "image/png" }));
  const res = await t.api("POST", "/api/videos", token, form);
  assertEquals(res.status, 413);
  assertEquals((await errorOf(res)).code, "payload_too_large");
});

Deno.test("[videos] list is newest first, paged by cursor, filtered by status and text", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await t.api("POST", "/api/videos", token, {
      prompt: `clip ${i} ${i % 2 ? "cat" : "dog"}`,
    });
    ids.push((await res.json()).id);
  }
  const first = await (await t.api("GET", "/api/videos?limit=2", token)).json();
  assertEquals(first.data.map((v: { id: string }) => v.id), [ids[4], ids[3]]);
  assert(first.next_cursor);
  const second =
    await (await t.api("GET", `/api/videos?limit=2&cursor=${first.next_cursor}`, token))
      .json();
  assertEquals(second.data.map((v: { id: string }) => v.id), [ids[2], ids[1]]);
  const last = await (await t.api("GET", `/api/videos?limit=2&cursor=${second.next_cursor}`, token))
    .json();
  assertEquals(last.data.map((v: { id: string }) => v.id), [ids[0]]);
  assertEquals(last.next_cursor, null);
  const cats = await (await t.api("GET", "/api/videos?q=CAT", token)).json();
  assertEquals(cats.data.length, 2);
  const done = await (await t.api("GET", "/api/videos?status=completed", token)).json();
  assertEquals(done.data, []);
  for (const bad of ["limit=101", "limit=0", "status=done", "cursor=zzz"]) {
    const res = await t.api("GET", `/api/videos?${bad}`, token);
    assertEquals(res.status, 400, bad);
  }
});

Deno.test("[videos] another user's video is 404 on every route", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const { id } = await (await t.api("POST", "/api/videos", ada, { prompt: "mine" })).json();
  await t.waitForVideo(ada, id, (v) => v.status === "completed");
  const attempts: [string, string, unknown?][] = [
    ["GET", `/api/videos/${id}`],
    ["GET", `/api/videos/${id}/content`],
    ["GET", `/api/videos/${id}/content?variant=thumbnail`],
    ["POST", `/api/videos/${id}/remix`, { prompt: "theirs now" }],
    ["DELETE", `/api/videos/${id}`],
  ];
  for (const [method, path, body] of attempts) {
    const res = await t.api(method, path, bob, body);
    assertEquals(res.status, 404, `${method} ${path}`);
    assertEquals((await errorOf(res)).code, "not_found");
  }
  const list = await (await t.api("GET", "/api/videos", bob)).json();
  assertEquals(list.data, []);
  assertEquals((await t.api("GET", `/api/videos/${id}`, ada)).status, 200);
  for (const bad of ["nope", "vid_../../etc", "%2e%2e"]) {
    assertEquals((await t.api("GET", `/api/videos/${bad}`, ada)).status, 404, bad);
  }
});

Deno.test("[videos] content is 409 until ready, then the upstream's bytes with ranges", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "a lighthouse" }))
    .json();
  const early = await t.api("GET", `/api/videos/${id}/content`, token);
  assertEquals(early.status, 409);
  assertEquals((await errorOf(early)).code, "conflict");
  const done = await t.waitForVideo(token, id, (v) => v.status === "completed");
  assertEquals(done.progress, 100);
  assert(done.completed_at);
  // The simulator serves the demo fixture of the video's size and length.
  const media = fixtureFor(done.size, Number(done.seconds));

  const whole = await t.api("GET", `/api/videos/${id}/content`, token);
  assertEquals(whole.status, 200);
  assertEquals(whole.headers.get("content-type"), "video/mp4");
  assertEquals(whole.headers.get("accept-ranges"), "bytes");
  assertEquals(whole.headers.get("content-length"), String(media.video.bytes.length));
  const etag = whole.headers.get("etag")!;
  assert(etag);
  assertEquals(new Uint8Array(await whole.arrayBuffer()), media.video.bytes);

  for (const [variant, type] of [["thumbnail", "image/webp"], ["spritesheet", "image/jpeg"]]) {
    const res = await t.api("GET", `/api/videos/${id}/content?variant=${variant}`, token);
    assertEquals(res.headers.get("content-type"), type);
    assertEquals(
      new Uint8Array(await res.arrayBuffer()),
      media[variant as "thumbnail"].bytes,
    );
  }

  const partial = await t.app.request(`/api/videos/${id}/content`, {
    headers: { authorization: `Bearer ${token}`, range: "bytes=100-199" },
  });
  assertEquals(partial.status, 206);
  assertEquals(partial.headers.get("content-length"), "100");
  assertEquals(
    partial.headers.get("content-range"),
    `bytes 100-199/${media.video.bytes.length}`,
  );
  assertEquals(new Uint8Array(await partial.arrayBuffer()), media.video.bytes.subarray(100, 200));

  const tail = await t.app.request(`/api/videos/${id}/content`, {
    headers: { authorization: `Bearer ${token}`, range: "bytes=-10" },
  });
  assertEquals(new Uint8Array(await tail.arrayBuffer()), media.video.bytes.subarray(-10));

  const outside = await t.app.request(`/api/videos/${id}/content`, {
    headers: { authorization: `Bearer ${token}`, range: "bytes=999999999-" },
  });
  assertEquals(outside.status, 416);
  await outside.body?.cancel();

  const cached = await t.app.request(`/api/videos/${id}/content`, {
    headers: { authorization: `Bearer ${token}`, "if-none-match": etag },
  });
  assertEquals(cached.status, 304);
  const badVariant = await t.api("GET", `/api/videos/${id}/content?variant=poster`, token);
  assertEquals(badVariant.status, 400);
});

Deno.test("[videos] remix of an unfinished video is 409; of a finished one, 201 with lineage", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "a boat" })).json();
  const early = await t.api("POST", `/api/videos/${id}/remix`, token, { prompt: "at night" });
  assertEquals(early.status, 409);
  t.runtime.jobs.start();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const empty = await t.api("POST", `/api/videos/${id}/remix`, token, { prompt: "" });
  assertEquals(empty.status, 400);
  const res = await t.api("POST", `/api/videos/${id}/remix`, token, { prompt: "at night" });
  assertEquals(res.status, 201);
  const remix = await res.json();
  assertEquals(remix.remixed_from, id);
  assertEquals(remix.prompt, "at night");
  const done = await t.waitForVideo(token, remix.id, (v) => v.status === "completed");
  assertEquals(done.remixed_from, id);
  assertEquals(
    t.simulator.getVideo(done.upstream_id!)?.remixed_from_video_id,
    (await (await t.api("GET", `/api/videos/${id}`, token)).json()).upstream_id,
  );
});

Deno.test("[videos] delete removes the row, the files and the upstream job", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "to delete" })).json();
  const done = await t.waitForVideo(token, id, (v) => v.status === "completed");
  const file = mediaPath(t.dataDir, id, "video");
  assert((await Deno.stat(file)).size > 0);
  assertEquals((await t.api("DELETE", `/api/videos/${id}`, token)).status, 204);
  assertEquals((await t.api("GET", `/api/videos/${id}`, token)).status, 404);
  await Deno.stat(file).then(() => assert(false, "file still there"), () => {});
  assertEquals(t.simulator.getVideo(done.upstream_id!), undefined);
  assertEquals((await t.api("DELETE", `/api/videos/${id}`, token)).status, 404);
});

Deno.test("[videos] a prompt the upstream refuses ends failed with its reason", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "graphic violence" }))
    .json();
  const failed = await t.waitForVideo(token, id, (v) => v.status === "failed");
  assertEquals(failed.error?.code, "moderation_blocked");
  assert(failed.error?.message);
  assertEquals((await t.api("GET", `/api/videos/${id}/content`, token)).status, 409);
});

Deno.test("[videos] an oversized upload is refused with 413 before the body is read", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  let pulled = 0;
  const chunk = new Uint8Array(1024 * 1024);
  // 64 MiB on offer, produced only as fast as the server reads it.
  const body = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        if (pulled > 64 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
  for (const declared of [true, false]) {
    pulled = 0;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      "content-type": "multipart/form-data; boundary=x",
    };
    if (declared) headers["content-length"] = String(64 * 1024 * 1024);
    const res = await t.app.request("/api/videos", {
      method: "POST",
      headers,
      body: body(),
      // @ts-ignore: Deno needs this for a streamed request body
      duplex: "half",
    });
    assertEquals(res.status, 413);
    assert(pulled < 30 * 1024 * 1024, `read ${pulled} bytes`);
  }
});

Deno.test("[videos] the list filters by model too", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  await t.api("POST", "/api/videos", token, { prompt: "a", model: "sora-2" });
  await t.api("POST", "/api/videos", token, { prompt: "b", model: "sora-2-pro" });
  const pro = await (await t.api("GET", "/api/videos?model=sora-2-pro", token)).json();
  assertEquals(pro.data.map((v: { prompt: string }) => v.prompt), ["b"]);
  assertEquals((await t.api("GET", "/api/videos?model=sora-9", token)).status, 400);
});
