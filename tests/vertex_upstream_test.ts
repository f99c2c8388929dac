// The Vertex upstream against the simulator with a hand-stepped clock: a video's life from create
// to a byte-identical download, what the requests carry, extension, filtering, the errors the
// poller acts on, and a restart that picks up an operation with a fresh client.
import { fixtureFor, MEDIA } from "../services/providers/simulators/media.ts";
import { parseServiceAccount } from "../services/providers/vertex/credentials.ts";
import { createVertexUpstream } from "../services/providers/vertex/vertex_upstream.ts";
import { createVertexSimulator } from "../services/providers/simulators/vertex/simulator.ts";
import {
  type CreateJob,
  ModelRetiredError,
  NOT_OFFERED,
  type Upstream,
} from "../services/providers/upstream.ts";
import { assert, assertEquals, assertMatch, rejection } from "./assert.ts";

const BASE = "http://vertex.test";
const FAST = "veo-3.1-fast-generate-001";
const START = Date.UTC(2026, 10, 27);

function setup(options: { fetch?: (request: Request) => Promise<Response> } = {}) {
  let t = START;
  const now = () => t;
  const sim = createVertexSimulator({ now });
  const upstream = (baseUrl = BASE) =>
    createVertexUpstream({
      account: parseServiceAccount(sim.credentials(BASE)),
      project: "p",
      location: "us-central1",
      baseUrl,
      fetch: (input, init) => (options.fetch ?? sim.fetch)(new Request(input, init)),
      now,
      timeoutMs: 300,
      // The simulator's jobs take (3 + length) seconds at timeScale 1.
      estimate: { baseMs: 3000, perSecondMs: 1000 },
    });
  return { sim, upstream, now, advance: (ms: number) => void (t += ms) };
}

const job = (overrides: Partial<CreateJob> = {}): CreateJob => ({
  prompt: "a red fox in snow",
  model: FAST,
  size: "1280x720",
  seconds: "8",
  ...overrides,
});

async function download(upstream: Upstream, id: string): Promise<Response> {
  return await upstream.download(id, "video", new AbortController().signal);
}

Deno.test("[vertex] create → progress → completed → the download is the simulator's MP4, byte for byte", async () => {
  const { sim, upstream, now, advance } = setup();
  const veo = upstream();
  const startedAt = now();
  const created = await veo.create(job(), "key-1");
  assertEquals([created.status, created.progress, created.error], ["in_progress", 0, null]);
  assertMatch(
    created.id,
    /^projects\/p\/locations\/us-central1\/publishers\/google\/models\/veo-3\.1-fast-generate-001\/operations\//,
  );

  advance(5_500);
  const midway = await veo.retrieve(created.id, { startedAt, seconds: "8" });
  assertEquals(midway.status, "in_progress");
  assert(midway.progress > 0 && midway.progress < 95, `progress ${midway.progress}`);

  advance(6_000);
  const done = await veo.retrieve(created.id, { startedAt, seconds: "8" });
  assertEquals([done.status, done.progress, done.error], ["completed", 100, null]);

  const response = await download(veo, created.id);
  assertEquals(response.headers.get("content-type"), "video/mp4");
  const bytes = new Uint8Array(await response.arrayBuffer());
  assertEquals(Number(response.headers.get("content-length")), bytes.byteLength);
  assertEquals(bytes, sim.videoBytes(created.id));
  // The fixture of the job's shape and length, tagged as the operation's own.
  const { video } = fixtureFor("1280x720", 8);
  assertEquals(bytes.subarray(0, video.bytes.byteLength), video.bytes);

  const none = await rejection(veo.download(created.id, "thumbnail", new AbortController().signal));
  assertEquals([none.status, none.code, none.transient], [404, NOT_OFFERED, false]);
  // Nothing is kept upstream without Cloud Storage: delete has nothing to do.
  await veo.delete(created.id);
});

Deno.test("[vertex] the request carries aspect ratio, resolution, length, sound, negative prompt and image", async () => {
  const { sim, upstream } = setup();
  const image = MEDIA.thumbnail.bytes;
  await upstream().create(
    job({
      model: "veo-3.1-generate-001",
      size: "2160x3840",
      seconds: "6",
      audio: false,
      negative_prompt: "people, text",
      reference: { bytes: image, type: "image/webp", name: "ref.webp" },
    }),
    "key-1",
  );
  const sent = sim.creates[0];
  assertEquals(sent.model, "veo-3.1-generate-001");
  assertEquals([sent.project, sent.location], ["p", "us-central1"]);
  assertEquals(sent.parameters, {
    aspectRatio: "9:16",
    resolution: "4k",
    durationSeconds: 6,
    generateAudio: false,
    sampleCount: 1,
    negativePrompt: "people, text",
  });
  assertEquals(sent.image, { mimeType: "image/webp", bytes: image.byteLength });

  // Sound is on unless asked otherwise.
  await upstream().create(job(), "key-2");
  assertEquals(sim.creates[1].parameters.generateAudio, true);
  assertEquals(sim.creates[1].parameters.negativePrompt, undefined);
});

Deno.test("[vertex] extend sends the finished video back and gets 7 more seconds", async () => {
  const { sim, upstream, advance } = setup();
  const veo = upstream();
  const source = await veo.create(job({ size: "720x1280" }), "key-1");
  advance(12_000);
  assertEquals((await veo.retrieve(source.id)).status, "completed");
  const longer = await veo.extend(
    { source: source.id, prompt: "it runs off", model: FAST, seconds: "7" },
    "key-2",
  );
  assertEquals(longer.status, "in_progress");
  assertEquals(sim.creates[1].video, { operation: source.id });
  assertEquals(sim.creates[1].prompt, "it runs off");
  assertEquals(sim.getOperation(longer.id)?.seconds, 15);
  advance(11_000);
  assertEquals((await veo.retrieve(longer.id)).status, "completed");

  // A source that is not finished cannot be extended; that fails the extension.
  const young = await veo.create(job(), "key-3");
  const refused = await rejection(
    veo.extend({ source: young.id, prompt: "more", model: FAST, seconds: "7" }, "key-4"),
  );
  assertEquals([refused.transient, refused.status], [false, 404]);
  assertMatch(refused.message, /no longer has the video/);
});

Deno.test("[vertex] a filtered prompt fails the video as moderation_blocked, in Google's words", async () => {
  const { upstream, advance } = setup();
  const veo = upstream();
  const created = await veo.create(job({ prompt: "[fail] a scene" }), "key-1");
  advance(60_000);
  const failed = await veo.retrieve(created.id);
  assertEquals(failed.status, "failed");
  assertEquals(failed.error?.code, "moderation_blocked");
  assertMatch(failed.error!.message, /Responsible AI/);
  const error = await rejection(download(veo, created.id));
  assertEquals([error.transient, error.code], [false, "moderation_blocked"]);
});

Deno.test("[vertex] 429 and 5xx are retried later (after Google's RetryInfo delay); nothing is created twice", async () => {
  const { sim, upstream } = setup();
  const veo = upstream();
  sim.faults.add({
    kind: "status",
    status: 429,
    retryAfter: 1.5,
    path: /:predictLongRunning/,
    times: 1,
  });
  const limited = await rejection(veo.create(job(), "key-1"));
  assertEquals([limited.transient, limited.status, limited.retryAfterMs], [true, 429, 1500]);
  assertEquals(limited.outage, undefined);
  sim.faults.add({ kind: "status", status: 500, path: /:predictLongRunning/, times: 1 });
  const broken = await rejection(veo.create(job(), "key-1"));
  assertEquals([broken.transient, broken.status, broken.outage], [true, 500, undefined]);
  assertEquals(sim.creates.length, 0);
  await veo.create(job(), "key-1");
  assertEquals(sim.creates.length, 1);
});

Deno.test("[vertex] refused credentials, a missing endpoint and a withdrawn model are told apart", async () => {
  const { sim, upstream } = setup();
  const veo = upstream();
  const forbidden = sim.faults.add({ kind: "status", status: 403, path: /^\/v1\// });
  const refused = await rejection(veo.create(job(), "key-1"));
  assertEquals([refused.outage, refused.status], ["refused", 403]);
  forbidden.remove();

  // A base URL where Vertex AI is not: 404 that names no model, so the endpoint is gone.
  const elsewhere = await rejection(upstream(`${BASE}/not-vertex`).create(job(), "key-1"));
  assertEquals([elsewhere.outage, elsewhere.status], ["gone", 404]);

  sim.retireModel(FAST);
  const retired = await rejection(veo.create(job(), "key-1"));
  assert(retired instanceof ModelRetiredError, "a 404 naming the model retires it");
  assertEquals(retired.model, FAST);
  assertMatch(retired.message, /veo-3\.1-fast-generate-001 is not available/);

  // The health check asks about that model: it cannot vouch for the credentials now.
  const ping = await rejection(veo.ping());
  assertEquals([ping.status, ping.transient, ping.outage], [404, false, undefined]);
  assertMatch(ping.message, /cannot be verified/);
});

Deno.test("[vertex] no answer at all is 'unreachable'; a hung answer times out", async () => {
  let hang = false;
  const { sim, upstream } = setup({
    fetch: (request) => {
      if (request.url.includes("/v1/") && !hang) {
        return Promise.reject(new TypeError("error sending request: connection refused"));
      }
      return sim.fetch(request);
    },
  });
  const veo = upstream();
  const down = await rejection(veo.ping());
  assertEquals([down.outage, down.transient], ["unreachable", true]);
  hang = true;
  sim.faults.add({ kind: "hang", path: /^\/v1\// });
  const slow = await rejection(veo.ping());
  assertEquals([slow.transient, slow.outage], [true, undefined]);
  assertMatch(slow.message, /did not answer in time/);
});

Deno.test("[vertex] a download cut short is retried, never taken for a whole video", async () => {
  const { sim, upstream, advance } = setup();
  const veo = upstream();
  const created = await veo.create(job(), "key-1");
  advance(12_000);
  sim.faults.add({ kind: "truncate", path: /:fetchPredictOperation/, bytes: 5000, times: 1 });
  const cut = await rejection(download(veo, created.id));
  assert(cut.transient, "a cut download is tried again");
  const whole = new Uint8Array(await (await download(veo, created.id)).arrayBuffer());
  assertEquals(whole, sim.videoBytes(created.id));
});

Deno.test("[vertex] after a restart a fresh client picks the operation up where it was", async () => {
  const { sim, upstream, advance } = setup();
  const before = upstream();
  const created = await before.create(job({ seconds: "4" }), "key-1");
  advance(2_000);
  assertEquals((await before.retrieve(created.id)).status, "in_progress");

  // A new process: new client, new token, the operation name is all it kept.
  const after = upstream();
  advance(6_000);
  assertEquals((await after.retrieve(created.id)).status, "completed");
  const bytes = new Uint8Array(await (await download(after, created.id)).arrayBuffer());
  assertEquals(bytes, sim.videoBytes(created.id));
  assertEquals(sim.creates.length, 1);
  assertEquals(sim.tokens.length, 2);
});
