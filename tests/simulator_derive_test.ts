// Videos made from other videos: Sora's extensions and edits, driven through the official SDK
// against the simulator, with a hand-stepped clock instead of sleeps. (Veo's extension, on Vertex
// AI now, is tested in vertex_simulator_test.ts and vertex_upstream_test.ts.)
import OpenAI, { BadRequestError, NotFoundError } from "openai";
import type { Video } from "openai/resources/videos";
import { fixtureFor, MEDIA } from "../services/providers/simulators/media.ts";
import {
  createSoraSimulator,
  type SoraSimulator,
} from "../services/providers/simulators/simulator.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

const SORA_BASE_URL = "http://sora-simulator.local/v1";
const START_MS = Date.UTC(2026, 0, 1);

/** A clock the test advances by hand, so lifecycle tests never sleep. */
function manualClock() {
  let t = START_MS;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

async function assertRejects<E extends Error>(
  fn: () => PromiseLike<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    assert(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    return error;
  }
  throw new Error("expected the promise to reject");
}

// ---------------------------------------------------------------------------------------------
// Sora

function soraClient(sim: SoraSimulator): OpenAI {
  return new OpenAI({
    apiKey: "sk-test-simulator",
    baseURL: SORA_BASE_URL,
    fetch: (url, init) => sim.fetch(new Request(url, init)),
    maxRetries: 0,
  });
}

function sora(timeScale = 1) {
  const clock = manualClock();
  const sim = createSoraSimulator({ now: clock.now, timeScale });
  return { clock, sim, client: soraClient(sim) };
}

/** A completed video: every job is done once the clock has moved a minute on. */
async function completedSora(
  { client, clock }: ReturnType<typeof sora>,
  params: Partial<OpenAI.Videos.VideoCreateParams> = {},
): Promise<Video> {
  const video = await client.videos.create({ prompt: "a paper boat on a pond", ...params });
  clock.advance(60_000);
  const done = await client.videos.retrieve(video.id);
  assertEquals(done.status, "completed");
  return done;
}

/** A raw JSON POST, for the body form the REST docs describe (the SDK always sends multipart). */
async function postJson(
  sim: SoraSimulator,
  path: string,
  body: unknown,
  headers: HeadersInit = {},
): Promise<Response> {
  return await sim.fetch(
    new Request(`${SORA_BASE_URL}${path}`, {
      method: "POST",
      headers: {
        authorization: "Bearer sk-test",
        "content-type": "application/json",
        ...headers,
      },
      body: JSON.stringify(body),
    }),
  );
}

/** Steps the clock to 1 ms before and at the job's planned end: (3 + seconds) × 1000 ms. */
async function assertTakes(
  { client, clock }: ReturnType<typeof sora>,
  id: string,
  workSeconds: number,
): Promise<Video> {
  clock.advance((3 + workSeconds) * 1000 - 1);
  assertEquals((await client.videos.retrieve(id)).status, "in_progress");
  clock.advance(1);
  const done = await client.videos.retrieve(id);
  assertEquals([done.status, done.progress], ["completed", 100]);
  return done;
}

Deno.test("[simulator] extending a video makes one as long as both", async () => {
  const s = sora();
  const source = await completedSora(s, { model: "sora-2-pro", size: "1792x1024", seconds: "4" });

  const extension = await s.client.videos.extend({
    prompt: "the boat drifts under a bridge",
    seconds: "8",
    video: { id: source.id },
  });
  assert(/^video_[0-9a-f]+$/.test(extension.id), extension.id);
  assert(extension.id !== source.id);
  assertEquals(extension.status, "queued");
  assertEquals(extension.prompt, "the boat drifts under a bridge");
  assertEquals([extension.model, extension.size, extension.seconds], [
    "sora-2-pro",
    "1792x1024",
    "12",
  ]);
  assertEquals(extension.remixed_from_video_id, null);
  assertEquals(s.sim.requests.at(-1)?.path, "/v1/videos/extensions");

  // It takes as long as its 8 new seconds do, not the 12 it ends up with.
  const done = await assertTakes(s, extension.id, 8);
  assertEquals(done.seconds, "12");
  const content = await s.client.videos.downloadContent(extension.id);
  // The whole 12-second result, landscape.
  assertEquals(
    new Uint8Array(await content.arrayBuffer()),
    fixtureFor("1792x1024", 12).video.bytes,
  );

  // An extension can be extended again, by up to 20 seconds.
  const longer = await s.client.videos.extend({
    prompt: "and out to sea",
    seconds: "20" as "12",
    video: { id: extension.id },
  });
  assertEquals(longer.seconds, "32");
  await assertTakes(s, longer.id, 20);
  // The source is left as it was.
  assertEquals(s.sim.getVideo(source.id)?.seconds, "4");
});

Deno.test("[simulator] editing a video re-renders it at the same model, size and length", async () => {
  const s = sora();
  const source = await completedSora(s, { size: "1280x720", seconds: "12" });
  const edit = await s.client.videos.edit({
    prompt: "the same, in watercolour",
    video: { id: source.id },
  });
  assert(edit.id !== source.id);
  assertEquals(edit.status, "queued");
  assertEquals(edit.prompt, "the same, in watercolour");
  assertEquals([edit.model, edit.size, edit.seconds], ["sora-2", "1280x720", "12"]);
  assertEquals(edit.remixed_from_video_id, null);
  assertEquals(s.sim.requests.at(-1)?.path, "/v1/videos/edits");
  await assertTakes(s, edit.id, 12);
  const content = await s.client.videos.downloadContent(edit.id);
  assertEquals(
    new Uint8Array(await content.arrayBuffer()),
    fixtureFor("1280x720", 12).video.bytes,
  );
});

Deno.test("[simulator] extensions and edits also take the JSON body the REST docs describe", async () => {
  const s = sora();
  const source = await completedSora(s, { seconds: "8" });

  const extended = await postJson(s.sim, "/videos/extensions", {
    prompt: "longer",
    seconds: "4",
    video: { id: source.id },
  });
  assertEquals(extended.status, 200);
  const extension: Video = await extended.json();
  assertEquals([extension.seconds, extension.status], ["12", "queued"]);
  await assertTakes(s, extension.id, 4);

  const edited = await postJson(s.sim, "/videos/edits", {
    prompt: "in black and white",
    video: { id: source.id },
  });
  assertEquals(edited.status, 200);
  const edit: Video = await edited.json();
  assertEquals([edit.seconds, edit.model, edit.size], ["8", source.model, source.size]);
});

Deno.test("[simulator] extension and edit refusals are OpenAI-shaped 400s and 404s", async () => {
  const s = sora();
  const source = await completedSora(s);
  const video = { id: source.id };

  const badRequest = async (call: () => PromiseLike<unknown>) =>
    await assertRejects(call, BadRequestError);

  // seconds: required, one of the extension lengths, a string.
  let error = await badRequest(() =>
    s.client.videos.extend({ prompt: "more", seconds: "5" as "4", video })
  );
  assertEquals([error.status, error.param, error.code], [400, "seconds", "invalid_value"]);
  assertMatch(error.message, /'4', '8', '12', '16', '20'/);
  let res = await postJson(s.sim, "/videos/extensions", { prompt: "more", video });
  assertEquals(res.status, 400);
  assertEquals((await res.json()).error.param, "seconds");
  res = await postJson(s.sim, "/videos/extensions", { prompt: "more", seconds: 8, video });
  assertEquals((await res.json()).error, {
    message: "Invalid type for 'seconds': expected a string.",
    type: "invalid_request_error",
    param: "seconds",
    code: "invalid_type",
  });

  // prompt: required and not blank, on both.
  error = await badRequest(() => s.client.videos.extend({ prompt: " ", seconds: "4", video }));
  assertEquals([error.param, error.code], ["prompt", "empty_string"]);
  error = await badRequest(() => s.client.videos.edit({ prompt: "", video }));
  assertEquals([error.param, error.code], ["prompt", "empty_string"]);

  // video: required; an id reference, never an upload.
  for (const path of ["/videos/extensions", "/videos/edits"]) {
    res = await postJson(s.sim, path, { prompt: "more", seconds: "4" });
    assertEquals(res.status, 400, path);
    assertEquals((await res.json()).error.code, "missing_required_parameter", path);
  }
  error = await badRequest(() =>
    s.client.videos.extend({ prompt: "more", seconds: "4" } as OpenAI.Videos.VideoExtendParams)
  );
  assertEquals([error.param, error.code], ["video", "missing_required_parameter"]);
  const upload = new File([MEDIA.video.bytes.slice()], "clip.mp4", { type: "video/mp4" });
  error = await badRequest(() =>
    s.client.videos.extend({ prompt: "more", seconds: "4", video: upload })
  );
  assertEquals([error.param, error.code], ["video", "invalid_request"]);
  assertMatch(error.message, /only extends videos it made, referenced by id/);
  error = await badRequest(() => s.client.videos.edit({ prompt: "more", video: upload }));
  assertEquals([error.param, error.code], ["video", "invalid_request"]);
  assertMatch(error.message, /only edits videos it made/);

  // The source must exist and be completed.
  for (
    const call of [
      () => s.client.videos.extend({ prompt: "more", seconds: "4", video: { id: "video_0000" } }),
      () => s.client.videos.edit({ prompt: "more", video: { id: "video_0000" } }),
    ]
  ) {
    const missing = await assertRejects(call, NotFoundError);
    assertEquals([missing.status, missing.code], [404, "video_not_found"]);
  }
  const unfinished = await s.client.videos.create({ prompt: "still rendering" });
  error = await badRequest(() =>
    s.client.videos.extend({ prompt: "more", seconds: "4", video: { id: unfinished.id } })
  );
  assertEquals(error.code, "invalid_video_status");
  assertMatch(error.message, /is queued; only completed videos can be extended/);
  error = await badRequest(() =>
    s.client.videos.edit({ prompt: "more", video: { id: unfinished.id } })
  );
  assertMatch(error.message, /only completed videos can be edited/);

  // A deleted source is gone.
  await s.client.videos.delete(source.id);
  await assertRejects(
    () => s.client.videos.extend({ prompt: "more", seconds: "4", video }),
    NotFoundError,
  );

  // None of the refusals started a job: only the source and the unfinished video exist.
  const listed = await s.client.videos.list();
  assertEquals(listed.data.map((v) => v.id), [unfinished.id]);
});

Deno.test("[simulator] Idempotency-Key makes a retried extension or edit return the same job", async () => {
  const s = sora();
  const source = await completedSora(s);
  const video = { id: source.id };
  const once = { headers: { "Idempotency-Key": "extend-once" } };
  const first = await s.client.videos.extend({ prompt: "more", seconds: "4", video }, once);
  const again = await s.client.videos.extend({ prompt: "more", seconds: "4", video }, once);
  assertEquals(again.id, first.id);
  // The same key on another endpoint is another request.
  const edit = await s.client.videos.edit({ prompt: "more", video }, once);
  assert(edit.id !== first.id);
  assertEquals((await s.client.videos.edit({ prompt: "more", video }, once)).id, edit.id);
  // The JSON form shares the key with the SDK's multipart one.
  const res = await postJson(s.sim, "/videos/extensions", {
    prompt: "more",
    seconds: "4",
    video,
  }, { "Idempotency-Key": "extend-once" });
  assertEquals((await res.json()).id, first.id);
  const other = await s.client.videos.extend({ prompt: "more", seconds: "4", video });
  assert(other.id !== first.id);
  assertEquals((await s.client.videos.list()).data.length, 4);
});

Deno.test("[simulator] a blocked prompt fails an extension or edit like a create", async () => {
  const s = sora();
  const source = await completedSora(s);
  const video = { id: source.id };
  const extension = await s.client.videos.extend({ prompt: "more gore", seconds: "4", video });
  const edit = await s.client.videos.edit({ prompt: "[fail] recolour", video });
  s.clock.advance(60_000);
  for (const id of [extension.id, edit.id]) {
    const failed = await s.client.videos.retrieve(id);
    assertEquals(failed.status, "failed");
    assertEquals(failed.error?.code, "moderation_blocked");
    await assertRejects(() => s.client.videos.downloadContent(id), NotFoundError);
  }
});

Deno.test("[simulator] webhooks announce extensions and edits as they end", async () => {
  const events: Array<{ type: string; id: string }> = [];
  const waiters: Array<() => void> = [];
  const sim = createSoraSimulator({
    timeScale: 0.001,
    webhooks: {
      secret: "whsec_c2VjcmV0",
      deliver: (delivery) => {
        const event = JSON.parse(delivery.body);
        events.push({ type: event.type, id: event.data.id });
        for (const wake of waiters.splice(0)) wake();
        return Promise.resolve();
      },
    },
  });
  const client = soraClient(sim);
  const announced = async (id: string) => {
    while (!events.some((e) => e.id === id)) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return events.find((e) => e.id === id)!.type;
  };
  try {
    const source = await client.videos.create({ prompt: "a kite" });
    assertEquals(await announced(source.id), "video.completed");
    const video = { id: source.id };
    const extension = await client.videos.extend({ prompt: "higher", seconds: "4", video });
    const edit = await client.videos.edit({ prompt: "[fail] at night", video });
    assertEquals(await announced(extension.id), "video.completed");
    assertEquals(await announced(edit.id), "video.failed");
    assertEquals(events.length, 3);
  } finally {
    sim.close();
  }
});
