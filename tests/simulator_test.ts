// Drives the Sora simulator through the official OpenAI SDK, as the app does, so the
// tests pin down both the simulator and the SDK behaviour the app relies on.
import nodeAssert from "node:assert/strict";
import OpenAI, {
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from "openai";
import type { Video } from "openai/resources/videos";
import {
  createSoraSimulator,
  type SoraSimulator,
} from "../services/providers/simulators/simulator.ts";
import { seededRandom } from "../services/providers/simulators/faults.ts";
import {
  type ContentVariant,
  fixtureFor,
  SPRITESHEET_COLUMNS,
  SPRITESHEET_FRAME_HEIGHT,
  SPRITESHEET_FRAME_WIDTH,
  SPRITESHEET_ROWS,
} from "../services/providers/simulators/media.ts";

// Small wrappers over node:assert (JSR is out of reach here): the ones that matter
// return the thrown error so tests can inspect status, param and code.
function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

function assertNotEquals<T>(actual: T, expected: T): void {
  nodeAssert.notDeepStrictEqual(actual, expected);
}

function assertInstanceOf<T>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
): asserts value is T {
  nodeAssert.ok(value instanceof type, `expected a ${type.name}, got ${String(value)}`);
}

async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  type?: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (type) assertInstanceOf(error, type);
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: "expected the promise to reject" });
}

const BASE_URL = "http://sora-simulator.local/v1";
const START_MS = Date.UTC(2026, 0, 1);

/** A clock the test advances by hand, so lifecycle tests never sleep. */
function manualClock(startMs = START_MS) {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function clientFor(
  sim: SoraSimulator,
  options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {},
): OpenAI {
  return new OpenAI({
    apiKey: "sk-test-simulator",
    baseURL: BASE_URL,
    fetch: (url, init) => sim.fetch(new Request(url, init)),
    // Tests opt into retries explicitly; the SDK default of 2 would hide faults.
    maxRetries: 0,
    ...options,
  });
}

/** A simulator whose jobs are complete once the clock has moved a minute on. */
async function completedVideo(
  sim: SoraSimulator,
  client: OpenAI,
  clock: ReturnType<typeof manualClock>,
  prompt = "a paper boat on a pond",
): Promise<Video> {
  const video = await client.videos.create({ prompt });
  clock.advance(60_000);
  const done = await client.videos.retrieve(video.id);
  assertEquals(done.status, "completed");
  assertEquals(sim.getVideo(video.id)?.status, "completed");
  return done;
}

/** The demo fixture the simulator serves for a video: that of its size and length. */
function served(video: Video, variant: ContentVariant = "video"): Uint8Array {
  return fixtureFor(video.size, Number(video.seconds))[variant].bytes;
}

/** A file of services/providers/simulators/fixtures/, as bytes. */
async function fixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`../services/providers/simulators/fixtures/${name}`, import.meta.url);
  return new Uint8Array(await Deno.readFile(url));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

Deno.test("[simulator] job goes queued → in_progress → completed", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);

  const created = await client.videos.create({ prompt: "a fox in the snow", seconds: "4" });
  assert(/^video_[0-9a-f]+$/.test(created.id), created.id);
  assertEquals(created, {
    id: created.id,
    object: "video",
    created_at: START_MS / 1000,
    completed_at: null,
    expires_at: null,
    error: null,
    model: "sora-2",
    progress: 0,
    prompt: "a fox in the snow",
    remixed_from_video_id: null,
    seconds: "4",
    size: "720x1280",
    status: "queued",
  });

  // timeScale 1, 4 s of video: 1 s queued, then 6 s in progress (7 s in total).
  const seen: Array<[string, number]> = [];
  for (let ms = 0; ms <= 8000; ms += 500) {
    const v = await client.videos.retrieve(created.id);
    seen.push([v.status, v.progress]);
    clock.advance(500);
  }
  const statuses = [...new Set(seen.map(([s]) => s))];
  assertEquals(statuses, ["queued", "in_progress", "completed"]);
  const progress = seen.map(([, p]) => p);
  for (let i = 1; i < progress.length; i++) assert(progress[i] >= progress[i - 1], `${progress}`);
  assert(seen.some(([s, p]) => s === "in_progress" && p > 0 && p < 100), `${seen}`);
  assert(seen.every(([s, p]) => s !== "in_progress" || p < 100), "100% only when completed");

  const done = await client.videos.retrieve(created.id);
  assertEquals(done.status, "completed");
  assertEquals(done.progress, 100);
  assertEquals(done.completed_at, START_MS / 1000 + 7);
  assertEquals(done.expires_at, START_MS / 1000 + 7 + 3600);
});

Deno.test("[simulator] duration is (3 s + video seconds) × timeScale", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now, timeScale: 0.01 });
  const client = clientFor(sim);
  const video = await client.videos.create({ prompt: "waves", seconds: "12" });

  clock.advance(9); // queued for 1 s × 0.01
  assertEquals((await client.videos.retrieve(video.id)).status, "queued");
  clock.advance(1);
  assertEquals((await client.videos.retrieve(video.id)).status, "in_progress");
  clock.advance(139); // 149 ms of (3 + 12) × 1000 × 0.01 = 150 ms
  const nearlyDone = await client.videos.retrieve(video.id);
  assertEquals(nearlyDone.status, "in_progress");
  assertEquals(nearlyDone.progress, 99);
  clock.advance(1);
  assertEquals((await client.videos.retrieve(video.id)).status, "completed");
});

Deno.test("[simulator] moderation-blocked prompts fail part-way", async () => {
  for (const prompt of ["A scene of VIOLENCE", "blood and gore", "a calm lake [FAIL]"]) {
    const clock = manualClock();
    const sim = createSoraSimulator({ now: clock.now });
    const client = clientFor(sim);
    const video = await client.videos.create({ prompt });
    clock.advance(2000);
    const midway = await client.videos.retrieve(video.id);
    assertEquals(midway.status, "in_progress", prompt);

    clock.advance(60_000);
    const failed = await client.videos.retrieve(video.id);
    assertEquals(failed.status, "failed", prompt);
    assertEquals(failed.error, {
      code: "moderation_blocked",
      message: "Your request was blocked by our moderation system.",
    });
    assert(failed.progress > 0 && failed.progress < 100, `${failed.progress}`);
    assertEquals(failed.completed_at, null);
    await assertRejects(() => client.videos.downloadContent(video.id), NotFoundError);
  }

  // Whole words only: "gorgeous" is fine.
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const ok = await completedVideo(sim, clientFor(sim), clock, "a gorgeous sunset");
  assertEquals(ok.error, null);
});

Deno.test("[simulator] invalid create parameters are 400s naming the param", async () => {
  const sim = createSoraSimulator();
  const client = clientFor(sim);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{}, "prompt"],
    [{ prompt: "   " }, "prompt"],
    [{ prompt: "x", model: "sora-1" }, "model"],
    [{ prompt: "x", size: "640x480" }, "size"],
    [{ prompt: "x", model: "sora-2", size: "1792x1024" }, "size"],
    [{ prompt: "x", seconds: "5" }, "seconds"],
  ];
  for (const [body, param] of cases) {
    const error = await assertRejects(
      () => client.videos.create(body as unknown as OpenAI.Videos.VideoCreateParams),
      BadRequestError,
    );
    assertEquals(error.status, 400);
    assertEquals(error.param, param, JSON.stringify(body));
    assertEquals(error.type, "invalid_request_error");
  }

  const pro = await client.videos.create({
    prompt: "x",
    model: "sora-2-pro",
    size: "1792x1024",
    seconds: "12",
  });
  assertEquals([pro.model, pro.size, pro.seconds], ["sora-2-pro", "1792x1024", "12"]);

  // A JSON body (not what the SDK sends for create) gets the same validation, and
  // numbers are not strings.
  const res = await sim.fetch(
    new Request(`${BASE_URL}/videos`, {
      method: "POST",
      headers: { authorization: "Bearer sk", "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x", seconds: 4 }),
    }),
  );
  assertEquals(res.status, 400);
  assertEquals((await res.json()).error.param, "seconds");
});

Deno.test("[simulator] create accepts an input_reference upload", async () => {
  const sim = createSoraSimulator();
  const client = clientFor(sim);
  const reference = new File([await fixture("thumbnail.webp")], "ref.webp", {
    type: "image/webp",
  });
  const video = await client.videos.create({ prompt: "animate this", input_reference: reference });
  assertEquals(video.status, "queued");
});

Deno.test("[simulator] missing or wrong API key is a 401", async () => {
  const sim = createSoraSimulator({ apiKey: "sk-right" });

  const wrong = await assertRejects(
    () => clientFor(sim, { apiKey: "sk-wrong-key" }).videos.list(),
    AuthenticationError,
  );
  assertEquals(wrong.status, 401);
  assertEquals(wrong.code, "invalid_api_key");
  assert(!wrong.message.includes("sk-wrong-key"), "the key is redacted");

  // The SDK refuses to run without a key, so strip the header on its way out.
  const keyless = clientFor(sim, {
    apiKey: "sk-right",
    fetch: (url, init) => {
      const req = new Request(url, init);
      req.headers.delete("authorization");
      return sim.fetch(req);
    },
  });
  const missing = await assertRejects(() => keyless.videos.list(), AuthenticationError);
  assertEquals(missing.code, "invalid_api_key");

  const page = await clientFor(sim, { apiKey: "sk-right" }).videos.list();
  assertEquals(page.data, []);
});

Deno.test("[simulator] content variants serve the fixtures with the right headers", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const video = await completedVideo(sim, client, clock);

  const variants = [
    ["video", "video/mp4"],
    ["thumbnail", "image/webp"],
    ["spritesheet", "image/jpeg"],
  ] as const;
  for (const [variant, contentType] of variants) {
    const res = await client.videos.downloadContent(video.id, { variant });
    assertInstanceOf(res, Response);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), contentType);
    const expected = served(video, variant);
    assertEquals(res.headers.get("content-length"), String(expected.byteLength));
    assertEquals(new Uint8Array(await res.arrayBuffer()), expected);
  }

  // Without a variant the API serves the MP4.
  const res = await client.videos.downloadContent(video.id);
  assertEquals(res.headers.get("content-type"), "video/mp4");
  await res.body?.cancel();

  const badVariant = await assertRejects(
    () => client.videos.downloadContent(video.id, { variant: "gif" as "video" }),
    BadRequestError,
  );
  assertEquals(badVariant.param, "variant");
});

Deno.test("[simulator] each video serves the fixture of its size and length", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const asked = [
    { size: "1280x720", seconds: "12", fixture: "landscape 12 s" },
    { size: "720x1280", seconds: "8", fixture: "portrait 8 s" },
    { size: "1792x1024", seconds: "4", fixture: "landscape 4 s", model: "sora-2-pro" },
  ] as const;
  const videos = [];
  for (const { fixture: _, ...params } of asked) {
    videos.push(await client.videos.create({ prompt: "a kite", ...params }));
  }
  clock.advance(60_000);
  for (const [i, video] of videos.entries()) {
    const { width, height, seconds, ...media } = fixtureFor(video.size, Number(video.seconds));
    const shape = `${width > height ? "landscape" : "portrait"} ${seconds} s`;
    assertEquals(shape, asked[i].fixture);
    for (const variant of ["video", "thumbnail", "spritesheet"] as const) {
      const res = await client.videos.downloadContent(video.id, { variant });
      assertEquals(new Uint8Array(await res.arrayBuffer()), media[variant].bytes, variant);
    }
  }
});

Deno.test("[simulator] spritesheet constants describe the fixture image", async () => {
  const jpeg = await fixture("spritesheet.jpg");
  // Width and height sit in the JPEG's SOF0/SOF2 segment.
  let offset = 2;
  let size: [number, number] | undefined;
  while (offset < jpeg.length) {
    const marker = jpeg[offset + 1];
    const length = (jpeg[offset + 2] << 8) | jpeg[offset + 3];
    if (marker === 0xc0 || marker === 0xc2) {
      const height = (jpeg[offset + 5] << 8) | jpeg[offset + 6];
      const width = (jpeg[offset + 7] << 8) | jpeg[offset + 8];
      size = [width, height];
      break;
    }
    offset += 2 + length;
  }
  assertEquals(size, [
    SPRITESHEET_COLUMNS * SPRITESHEET_FRAME_WIDTH,
    SPRITESHEET_ROWS * SPRITESHEET_FRAME_HEIGHT,
  ]);
});

Deno.test("[simulator] content of an unfinished, unknown or expired video is a 404", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const video = await client.videos.create({ prompt: "a slow sunrise" });

  const notReady = await assertRejects(
    () => client.videos.downloadContent(video.id),
    NotFoundError,
  );
  assertEquals(notReady.code, "video_not_ready");
  const unknown = await assertRejects(
    () => client.videos.downloadContent("video_0000"),
    NotFoundError,
  );
  assertEquals(unknown.code, "video_not_found");
  await assertRejects(() => client.videos.retrieve("video_0000"), NotFoundError);

  clock.advance(60_000);
  const ready = await client.videos.downloadContent(video.id, { variant: "thumbnail" });
  await ready.body?.cancel();
  clock.advance(60 * 60 * 1000);
  const expired = await assertRejects(
    () => client.videos.downloadContent(video.id),
    NotFoundError,
  );
  assertEquals(expired.code, "video_expired");
});

Deno.test("[simulator] remix needs a completed source and links back to it", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const source = await client.videos.create({
    prompt: "a red kite",
    model: "sora-2-pro",
    size: "1024x1792",
    seconds: "8",
  });

  const early = await assertRejects(
    () => client.videos.remix(source.id, { prompt: "a blue kite" }),
    BadRequestError,
  );
  assertEquals(early.status, 400);
  await assertRejects(() => client.videos.remix("video_0000", { prompt: "x" }), NotFoundError);

  clock.advance(60_000);
  const remix = await client.videos.remix(source.id, { prompt: "a blue kite" });
  assertEquals(remix.remixed_from_video_id, source.id);
  assertEquals(remix.status, "queued");
  assertEquals(remix.prompt, "a blue kite");
  assertEquals([remix.model, remix.size, remix.seconds], ["sora-2-pro", "1024x1792", "8"]);
  assertNotEquals(remix.id, source.id);

  const emptyPrompt = await assertRejects(
    () => client.videos.remix(source.id, { prompt: "" }),
    BadRequestError,
  );
  assertEquals(emptyPrompt.param, "prompt");
});

Deno.test("[simulator] list paginates with cursors in either order", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push((await client.videos.create({ prompt: `clip ${i}` })).id);
    clock.advance(1000);
  }

  const first = await client.videos.list({ limit: 2 });
  assertEquals(first.data.map((v) => v.id), [ids[4], ids[3]]);
  assertEquals(first.has_more, true);
  assertEquals(first.last_id, ids[3]);
  const raw = await (await client.videos.list({ limit: 2 }).asResponse()).json();
  assertEquals(raw.object, "list");
  assertEquals(raw.first_id, ids[4]);

  const all: string[] = [];
  for await (const video of client.videos.list({ limit: 2 })) all.push(video.id);
  assertEquals(all, [...ids].reverse());

  const asc = await client.videos.list({ order: "asc", after: ids[1], limit: 10 });
  assertEquals(asc.data.map((v) => v.id), ids.slice(2));
  assertEquals(asc.has_more, false);

  const badLimit = await assertRejects(() => client.videos.list({ limit: 0 }), BadRequestError);
  assertEquals(badLimit.param, "limit");
});

Deno.test("[simulator] delete removes finished videos only", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const running = await client.videos.create({ prompt: "still rendering" });
  await assertRejects(() => client.videos.delete(running.id), BadRequestError);

  clock.advance(60_000);
  const deleted = await client.videos.delete(running.id);
  assertEquals(deleted, { id: running.id, object: "video.deleted", deleted: true });
  await assertRejects(() => client.videos.retrieve(running.id), NotFoundError);
  await assertRejects(() => client.videos.delete(running.id), NotFoundError);
  assertEquals(sim.getVideo(running.id), undefined);
  assertEquals((await client.videos.list()).data, []);
});

Deno.test("[simulator] Idempotency-Key makes a retried create return the same job", async () => {
  const sim = createSoraSimulator();
  // The create is processed, but the response is lost as a 500; the SDK then retries.
  sim.faults.add({
    kind: "status",
    status: 500,
    method: "POST",
    when: "after",
    times: 1,
    retryAfter: 0.001,
  });
  const client = clientFor(sim, { maxRetries: 1 });
  const video = await client.videos.create(
    { prompt: "once only" },
    { headers: { "Idempotency-Key": "create-once-only" } },
  );
  assertEquals(sim.requests.filter((r) => r.method === "POST").length, 2);
  assertEquals((await client.videos.list()).data.map((v) => v.id), [video.id]);

  // Same key again later: still the same job.
  const again = await client.videos.create(
    { prompt: "once only" },
    { headers: { "Idempotency-Key": "create-once-only" } },
  );
  assertEquals(again.id, video.id);
});

Deno.test("[simulator] the SDK sends no Idempotency-Key by itself", async () => {
  const sim = createSoraSimulator();
  sim.faults.add({ kind: "status", status: 500, when: "after", times: 1, retryAfter: 0.001 });
  const keys: Array<string | null> = [];
  const client = clientFor(sim, {
    maxRetries: 1,
    fetch: (url, init) => {
      const req = new Request(url, init);
      keys.push(req.headers.get("idempotency-key"));
      return sim.fetch(req);
    },
  });
  // Even the request option `idempotencyKey` is ignored: OpenAI never sets
  // `idempotencyHeader`, so only an explicit header works.
  await client.videos.create({ prompt: "twice" }, { idempotencyKey: "ignored" });
  assertEquals(keys.filter((k) => k !== null), []);
  assertEquals((await client.videos.list()).data.length, 2, "the retry made a duplicate job");
});

Deno.test("[simulator] fault: 429 carries Retry-After to the SDK", async () => {
  const sim = createSoraSimulator();
  sim.faults.add({ kind: "status", status: 429, retryAfter: 7, times: 1 });
  const client = clientFor(sim);
  const error = await assertRejects(() => client.videos.list(), RateLimitError);
  assertEquals(error.status, 429);
  assertEquals(error.headers?.get("retry-after"), "7");
  assertEquals(error.code, "rate_limit_exceeded");
  assertEquals((await client.videos.list()).data, [], "times: 1 spends the rule");

  // With retries on, the SDK waits Retry-After (fractions allowed) and tries again.
  sim.faults.add({ kind: "status", status: 429, retryAfter: 0.001, times: 2 });
  const before = sim.requests.length;
  await clientFor(sim, { maxRetries: 2 }).videos.list();
  assertEquals(sim.requests.length - before, 3);
  assertEquals(sim.requests.slice(before).map((r) => r.fault), ["status", "status", undefined]);
});

Deno.test("[simulator] fault: 500 is an InternalServerError", async () => {
  const sim = createSoraSimulator();
  sim.faults.add({ kind: "status", status: 500, times: 1 });
  const client = clientFor(sim);
  const error = await assertRejects(
    () => client.videos.create({ prompt: "x" }),
    InternalServerError,
  );
  assertEquals(error.status, 500);
  assertEquals(error.type, "server_error");
  assertEquals((await client.videos.list()).data, [], "a 'before' fault creates nothing");
});

Deno.test("[simulator] fault: a hung request ends at the client's timeout or abort", async () => {
  const sim = createSoraSimulator();
  sim.faults.add({ kind: "hang", path: /^\/v1\/videos$/ });
  const client = clientFor(sim, { timeout: 20 });
  await assertRejects(() => client.videos.list(), APIConnectionTimeoutError);

  const controller = new AbortController();
  const pending = client.videos.list({}, { signal: controller.signal, timeout: 60_000 });
  queueMicrotask(() => controller.abort());
  await assertRejects(() => pending, APIUserAbortError);
});

Deno.test("[simulator] fault: a truncated download is detected", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const video = await completedVideo(sim, client, clock);
  const full = served(video);
  sim.faults.add({ kind: "truncate", path: /\/content/, bytes: 1000, times: 1 });

  const res = await client.videos.downloadContent(video.id);
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-length"), String(full.byteLength));
  const reader = res.body!.getReader();
  let received = 0;
  const error = await assertRejects(async () => {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
  });
  assertInstanceOf(error, TypeError);
  assertEquals(received, 1000);

  const retry = await client.videos.downloadContent(video.id);
  assertEquals(new Uint8Array(await retry.arrayBuffer()), full);
});

Deno.test("[simulator] fault: a slow body arrives in chunks, or times out", async () => {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now });
  const client = clientFor(sim);
  const video = await completedVideo(sim, client, clock);
  const full = served(video);

  sim.faults.add({ kind: "slow", path: /\/content/, bytes: 10_000, delayMs: 1, times: 1 });
  const res = await client.videos.downloadContent(video.id);
  const chunks: number[] = [];
  const received: Uint8Array[] = [];
  for await (const chunk of res.body!) {
    chunks.push(chunk.byteLength);
    received.push(chunk);
  }
  assertEquals(chunks.length, Math.ceil(full.byteLength / 10_000));
  assertEquals(concat(received), full);

  // JSON bodies are covered by the SDK's timeout, so a stalled one fails cleanly and
  // its pending timer is cleared (Deno's sanitizers would flag a leak).
  sim.faults.add({ kind: "slow", path: /^\/v1\/videos\/video_/, delayMs: 60_000, times: 1 });
  await assertRejects(
    () => clientFor(sim, { timeout: 20 }).videos.retrieve(video.id),
    APIConnectionTimeoutError,
  );
});

Deno.test("[simulator] fault: malformed JSON rejects the call", async () => {
  const sim = createSoraSimulator();
  sim.faults.add({ kind: "malformed_json", method: "GET", times: 1 });
  const client = clientFor(sim);
  await assertRejects(() => client.videos.list(), SyntaxError);
  assertEquals((await client.videos.list()).data, []);
});

Deno.test("[simulator] fault rules filter by method and path, count hits, and can be random", async () => {
  const sim = createSoraSimulator({ random: seededRandom(42) });
  const client = clientFor(sim);
  const rule = sim.faults.add({ kind: "status", status: 503, method: "POST", times: 2 });
  await client.videos.list();
  await assertRejects(() => client.videos.create({ prompt: "x" }), InternalServerError);
  await assertRejects(() => client.videos.create({ prompt: "x" }), InternalServerError);
  await client.videos.create({ prompt: "x" });
  assertEquals(rule.hits, 2);
  assertEquals(sim.faults.active.length, 0);

  const outcomes = async () => {
    const local = createSoraSimulator({ random: seededRandom(7) });
    local.faults.add({ kind: "status", status: 500, probability: 0.5 });
    const c = clientFor(local);
    const results: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      results.push(await c.videos.list().then(() => true, () => false));
    }
    return results;
  };
  const a = await outcomes();
  assertEquals(a, await outcomes(), "the same seed gives the same faults");
  assert(a.includes(true) && a.includes(false), `${a}`);

  sim.faults.add({ kind: "status", status: 500 });
  sim.faults.clear();
  await client.videos.list();
});

Deno.test("[simulator] unknown routes are OpenAI-shaped 404s", async () => {
  const sim = createSoraSimulator();
  const client = clientFor(sim);
  const error = await assertRejects(() => client.get("/videos/a/b/c"), NotFoundError);
  assertEquals(error.type, "invalid_request_error");
  assert(error.message.includes("Invalid URL"), error.message);
});

Deno.test("[simulator] serves real HTTP through Deno.serve", async () => {
  const sim = createSoraSimulator({ timeScale: 0 });
  const server = Deno.serve({ port: 0, onListen: () => {} }, (req) => sim.fetch(req));
  try {
    const client = new OpenAI({
      apiKey: "sk-http",
      baseURL: `http://localhost:${server.addr.port}/v1`,
      maxRetries: 0,
    });
    const video = await client.videos.create({ prompt: "over the wire" });
    assertEquals((await client.videos.retrieve(video.id)).status, "completed");
    const res = await client.videos.downloadContent(video.id, { variant: "spritesheet" });
    assertEquals(new Uint8Array(await res.arrayBuffer()), served(video, "spritesheet"));

    sim.faults.add({ kind: "truncate", path: /\/content/, times: 1 });
    const cut = await client.videos.downloadContent(video.id);
    await assertRejects(() => cut.arrayBuffer());
  } finally {
    await server.shutdown();
  }
});
