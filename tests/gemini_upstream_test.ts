import { createGeminiUpstream } from "../services/providers/gemini/upstream.ts";
import {
  createGeminiSimulator,
  type GeminiSimulatorOptions,
} from "../services/providers/simulators/gemini/simulator.ts";
import { fixtureFor } from "../services/providers/simulators/media.ts";
import {
  type CreateJob,
  ModelRetiredError,
  UpstreamError,
} from "../services/providers/upstream.ts";
import { assert, assertEquals, assertMatch, rejection } from "./assert.ts";

const KEY = "test-key";

/**
 * The upstream against the simulator on one clock the test moves: jobs take (3 + seconds) × 10 ms
 * of simulated time, and the progress estimate follows the same scale.
 */
function setup(options: GeminiSimulatorOptions = {}) {
  let t = Date.UTC(2026, 10, 27, 12);
  const now = () => t;
  const sim = createGeminiSimulator({ timeScale: 0.01, now, apiKey: KEY, ...options });
  const upstream = (apiKey = KEY) =>
    createGeminiUpstream({
      apiKey,
      fetch: (input, init) => sim.fetch(new Request(input, init)),
      now,
      timeoutMs: 5000,
      estimate: { baseMs: 30, perSecondMs: 10 },
    });
  return { sim, upstream, now, advance: (ms: number) => t += ms };
}

const JOB: CreateJob = {
  prompt: "a lighthouse at dusk",
  model: "gemini-omni-1.1-flash",
  size: "1280x720",
  seconds: "8",
};
/** What a JOB video is: the landscape 8 s demo fixture. */
const FIXTURE = fixtureFor(JOB.size, Number(JOB.seconds));

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

Deno.test("[gemini] create → progress → completed → a byte-identical download", async () => {
  const { sim, upstream, now, advance } = setup();
  const gemini = upstream();
  const startedAt = now();
  const created = await gemini.create(JOB, "key-1");
  assertEquals([created.status, created.progress], ["in_progress", 0]);
  const sent = sim.creates.at(-1)!;
  assertEquals(sent.version, "v1");
  assertEquals(sent.background, true);
  assertEquals(sent.task, "text_to_video");
  assertEquals(sent.response_format, {
    type: "video",
    aspect_ratio: "16:9",
    resolution: "720p",
    duration: "8s",
  });

  advance(55);
  const halfway = await gemini.retrieve(created.id, { startedAt, seconds: "8" });
  assertEquals(halfway.status, "in_progress");
  assert(halfway.progress > 0 && halfway.progress < 100, `progress ${halfway.progress}`);

  advance(1000);
  const done = await gemini.retrieve(created.id, { startedAt, seconds: "8" });
  assertEquals([done.status, done.progress, done.error], ["completed", 100, null]);
  // A stored interaction is kept 55 days.
  assertEquals(done.expires_at, Math.floor(startedAt / 1000) + 55 * 24 * 3600);

  const response = await gemini.download(created.id, "video", new AbortController().signal);
  assertEquals(response.headers.get("content-type"), "video/mp4");
  assertEquals(Number(response.headers.get("content-length")), FIXTURE.video.bytes.byteLength);
  assertEquals(await bytesOf(response), FIXTURE.video.bytes);
});

Deno.test("[gemini] a large video is asked for by URI and downloaded from the file", async () => {
  const { sim, upstream, advance } = setup();
  const gemini = upstream();
  const created = await gemini.create({ ...JOB, size: "1080x1920" }, "key-1");
  assertEquals(sim.getInteraction(created.id)?.delivery, "uri");
  assertEquals(sim.getInteraction(created.id)?.aspect_ratio, "9:16");
  advance(1000);
  assertEquals((await gemini.retrieve(created.id)).status, "completed");
  const response = await gemini.download(created.id, "video", new AbortController().signal);
  assertEquals(await bytesOf(response), fixtureFor("1080x1920", 8).video.bytes);
  assert(sim.requests.some((r) => r.path.includes("/files/")), "the file was fetched");
});

Deno.test("[gemini] image to video sends the image item and the task", async () => {
  const { sim, upstream } = setup();
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  await upstream().create({
    ...JOB,
    reference: { bytes, type: "image/png", name: "start.png" },
  }, "key-1");
  const sent = sim.creates.at(-1)!;
  assertEquals(sent.task, "image_to_video");
  assertEquals(sent.prompt, JOB.prompt);
  assertEquals(sent.images, [{ mime_type: "image/png", bytes: bytes.byteLength }]);
});

Deno.test("[gemini] an edit is a new interaction on the source's, and an extension too", async () => {
  const { sim, upstream, advance } = setup();
  const gemini = upstream();
  const source = await gemini.create(JOB, "key-1");
  advance(1000);
  const edit = await gemini.edit(source.id, "make it night", "key-2");
  const sent = sim.creates.at(-1)!;
  assertEquals([sent.task, sent.previous_interaction_id, sent.prompt], [
    "edit",
    source.id,
    "make it night",
  ]);
  assertEquals(sent.model, JOB.model);
  advance(1000);
  assertEquals((await gemini.retrieve(edit.id)).status, "completed");
  const bytes = await bytesOf(
    await gemini.download(edit.id, "video", new AbortController().signal),
  );
  assertEquals(bytes, FIXTURE.video.bytes);

  const longer = await gemini.extend(
    { source: edit.id, prompt: "the camera rises", model: JOB.model, seconds: "5" },
    "key-3",
  );
  assertEquals(sim.creates.at(-1)?.task, "extend");
  assertEquals(sim.getInteraction(longer.id)?.seconds, 13);
  // Remix does not exist here, and says what to do instead.
  const remix = await rejection(gemini.remix(source.id, "again", "key-4"));
  assert(remix instanceof UpstreamError && !remix.transient);
  assertMatch(remix.message, /Edit/);
});

Deno.test("[gemini] an edit after a restart reads its source's model from Google", async () => {
  const { sim, upstream, advance } = setup();
  const source = await upstream().create({ ...JOB, model: "gemini-omni-1.2-flash" }, "key-1");
  advance(1000);
  await upstream().edit(source.id, "make it night", "key-2");
  assertEquals(sim.creates.at(-1)?.model, "gemini-omni-1.2-flash");
});

Deno.test("[gemini] a refused prompt fails with moderation_blocked and Google's words", async () => {
  const { upstream, advance } = setup();
  const gemini = upstream();
  const created = await gemini.create({ ...JOB, prompt: "violence in the streets" }, "key-1");
  advance(1000);
  const failed = await gemini.retrieve(created.id);
  assertEquals(failed.status, "failed");
  assertEquals(failed.error?.code, "moderation_blocked");
  assertMatch(failed.error?.message ?? "", /policy/i);
});

Deno.test("[gemini] a 429 is transient and carries Google's retry delay", async () => {
  const { sim, upstream } = setup();
  sim.faults.add({ kind: "status", status: 429, retryAfter: 7, method: "POST", times: 1 });
  const error = await rejection(upstream().create(JOB, "key-1"));
  assert(error instanceof UpstreamError);
  assertEquals([error.transient, error.status, error.retryAfterMs], [true, 429, 7000]);
  assertEquals(error.outage, undefined);
  // The upstream never retried by itself: the one create was the faulted one.
  assertEquals(sim.creates.length, 0);
  assertEquals(sim.requests.filter((r) => r.method === "POST").length, 1);
});

Deno.test("[gemini] a 5xx is transient; an invalid argument fails with Google's message", async () => {
  const { sim, upstream } = setup();
  sim.faults.add({ kind: "status", status: 503, times: 1 });
  const unavailable = await rejection(upstream().create(JOB, "key-1"));
  assert(unavailable instanceof UpstreamError && unavailable.transient);
  // The catalog would not offer this; the API refuses it in its own words.
  const invalid = await rejection(
    upstream().create({ ...JOB, model: "gemini-omni-flash-preview", size: "1920x1080" }, "k"),
  );
  assert(invalid instanceof UpstreamError);
  assertEquals([invalid.transient, invalid.status], [false, 400]);
  assertMatch(invalid.message, /resolution/);
});

Deno.test("[gemini] a retired model is a ModelRetiredError", async () => {
  const { upstream } = setup({ retiredModels: ["gemini-omni-flash-preview"] });
  const error = await rejection(
    upstream().create({ ...JOB, model: "gemini-omni-flash-preview" }, "key-1"),
  );
  assert(error instanceof ModelRetiredError, String(error));
  assertEquals(error.model, "gemini-omni-flash-preview");
  assertMatch(error.message, /no longer available/);
});

Deno.test("[gemini] ping: a wrong key is a refused outage; another 4xx cannot verify the key", async () => {
  const { sim, upstream } = setup();
  await upstream().ping();
  assertEquals(sim.requests.at(-1)?.path, "/v1/models");

  const refused = await rejection(upstream("wrong-key").ping());
  assert(refused instanceof UpstreamError);
  assertEquals(refused.outage, "refused");

  sim.faults.add({ kind: "status", status: 400, path: /\/models/, times: 1 });
  const unverified = await rejection(upstream().ping());
  assert(unverified instanceof UpstreamError);
  assertEquals([unverified.status, unverified.outage, unverified.transient], [
    400,
    undefined,
    false,
  ]);
});

Deno.test("[gemini] a missing endpoint or network is an outage, not a verdict on the video", async () => {
  const gone = createGeminiUpstream({
    apiKey: KEY,
    fetch: () => Promise.resolve(new Response("<html>404</html>", { status: 404 })),
  });
  const missing = await rejection(gone.create(JOB, "key-1"));
  assert(missing instanceof UpstreamError);
  assertEquals([missing.outage, missing.transient], ["gone", true]);

  const offline = createGeminiUpstream({
    apiKey: KEY,
    fetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const unreachable = await rejection(offline.retrieve("v1_x"));
  assert(unreachable instanceof UpstreamError);
  assertEquals(unreachable.outage, "unreachable");

  const hung = createGeminiUpstream({
    apiKey: KEY,
    timeoutMs: 20,
    fetch: (_input, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      ),
  });
  const late = await rejection(hung.retrieve("v1_x"));
  assert(late instanceof UpstreamError && late.transient);
  assertMatch(late.message, /in time/);
});

Deno.test("[gemini] after a restart, a fresh upstream retrieves and downloads another's job", async () => {
  const { upstream, advance } = setup();
  const created = await upstream().create(JOB, "key-1");
  advance(1000);
  const fresh = upstream();
  assertEquals((await fresh.retrieve(created.id)).status, "completed");
  const bytes = await bytesOf(
    await fresh.download(created.id, "video", new AbortController().signal),
  );
  assertEquals(bytes, FIXTURE.video.bytes);
});

Deno.test("[gemini] cancel and delete reach Google, and a second delete is fine", async () => {
  const { sim, upstream } = setup();
  const gemini = upstream();
  const created = await gemini.create(JOB, "key-1");
  await gemini.cancel!(created.id);
  assertEquals(sim.getInteraction(created.id)?.status, "cancelled");
  const cancelled = await gemini.retrieve(created.id);
  assertEquals([cancelled.status, cancelled.error?.code], ["failed", "cancelled"]);
  await gemini.cancel!(created.id);
  await gemini.delete(created.id);
  assertEquals(sim.getInteraction(created.id)?.deleted, true);
  await gemini.delete(created.id);
  const gone = await rejection(gemini.retrieve(created.id));
  assert(gone instanceof UpstreamError);
  assertEquals([gone.transient, gone.status], [false, 404]);
});
