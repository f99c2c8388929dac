import { createFalSimulator } from "../services/providers/simulators/fal/simulator.ts";
import { fixtureFor } from "../services/providers/simulators/media.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { waitFor } from "./helpers.ts";

const KEY = { authorization: "Key test-key", "content-type": "application/json" };
const QUEUE = "https://queue.fal.run";

function call(
  sim: ReturnType<typeof createFalSimulator>,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = KEY,
) {
  return sim.fetch(
    new Request(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

Deno.test("[fal] the simulator speaks fal's queue: submit, status with logs, result, media", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  const submitted = await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1/fast`, {
    prompt: "a lighthouse at dusk",
    duration: "4s",
  });
  assertEquals(submitted.status, 200);
  const queued = await submitted.json();
  assertEquals(queued.status, "IN_QUEUE");
  assertEquals(typeof queued.queue_position, "number");
  // Status, result and cancel live under the app id, on the origin the request came to.
  const base = `${QUEUE}/fal-ai/veo3.1/requests/${queued.request_id}`;
  assertEquals(
    [queued.response_url, queued.status_url, queued.cancel_url],
    [base, `${base}/status`, `${base}/cancel`],
  );

  const early = await call(sim, "GET", `${base}/status?logs=1`);
  assertEquals(early.status, 202);
  assert(["IN_QUEUE", "IN_PROGRESS"].includes((await early.json()).status));
  assertEquals((await call(sim, "GET", base)).status, 400, "no result before it is done");

  let status: Record<string, unknown> = {};
  const seen = new Set<unknown>();
  await waitFor(async () => {
    const res = await call(sim, "GET", `${base}/status?logs=1`);
    status = await res.json();
    seen.add(status.status);
    return res.status === 200;
  }, "the request to complete");
  assertEquals(status.status, "COMPLETED");
  assert(Array.isArray(status.logs) && status.logs.length > 0, "logs come with ?logs=1");
  assert(seen.has("IN_PROGRESS"), `statuses seen: ${[...seen]}`);

  const result = await (await call(sim, "GET", base)).json();
  // No aspect_ratio: fal's default 16:9, so the landscape 4 s demo fixture.
  const fixture = fixtureFor("1280x720", 4);
  assertEquals(result.video.content_type, "video/mp4");
  assertEquals(result.video.file_size, fixture.video.bytes.byteLength);
  assertEquals(typeof result.video.file_name, "string");
  assertEquals(typeof result.seed, "number");
  // fal's media URLs are public: no key needed.
  const media = await sim.fetch(new Request(result.video.url));
  assertEquals(new Uint8Array(await media.arrayBuffer()), fixture.video.bytes);
});

Deno.test("[fal] the simulator serves the fixture of the asked shape and length, an extension's too", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  /** Submits, waits for the result, and downloads its video. */
  const make = async (endpoint: string, input: Record<string, unknown>) => {
    const queued = await (await call(sim, "POST", `${QUEUE}/${endpoint}`, input)).json();
    await waitFor(
      () => sim.getRequest(queued.request_id)?.status === "COMPLETED",
      `${endpoint} to complete`,
    );
    const result = await (await call(sim, "GET", queued.response_url)).json();
    const video = new Uint8Array(
      await (await sim.fetch(new Request(result.video.url))).arrayBuffer(),
    );
    return { id: queued.request_id as string, url: result.video.url as string, video };
  };

  const portrait = await make("fal-ai/veo3.1/fast", {
    prompt: "a lighthouse",
    aspect_ratio: "9:16",
    duration: "8s",
  });
  assertEquals(portrait.video, fixtureFor("720x1280", 8).video.bytes);

  // An extension keeps the source's shape and is the whole result long (8 + 7 s: the 12 s one).
  const longer = await make("fal-ai/veo3.1/fast/extend-video", {
    prompt: "on and on",
    video_url: portrait.url,
  });
  assertEquals(sim.getRequest(longer.id)?.aspectRatio, "9:16");
  assertEquals(longer.video, fixtureFor("720x1280", 15).video.bytes);

  // Where the image decides the shape, the image's is the video's.
  const tall = fixtureFor("720x1280", 4).thumbnail;
  const fromImage = await make("fal-ai/kling-video/v3/pro/image-to-video", {
    prompt: "it moves",
    duration: "5",
    start_image_url: `data:image/webp;base64,${btoa(String.fromCharCode(...tall.bytes))}`,
  });
  assertEquals(fromImage.video, fixtureFor("720x1280", 5).video.bytes);
});

Deno.test("[fal] the simulator validates input by the endpoint's schema and knows only its endpoints", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  const invalid = await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1`, {
    prompt: "a lighthouse",
    duration: "5s",
    resolution: "8k",
  });
  assertEquals(invalid.status, 422);
  const { detail } = await invalid.json();
  assertEquals(detail.map((d: { loc: string[] }) => d.loc.join(".")), [
    "body.duration",
    "body.resolution",
  ]);
  assertEquals(detail[0].type, "enum");
  assertMatch(detail[0].msg, /'4s', '6s' or '8s'/);

  // Wan takes its length as a number, Kling as a string.
  const wan = await call(sim, "POST", `${QUEUE}/fal-ai/wan/v2.7/text-to-video`, {
    prompt: "rain",
    duration: "5",
  });
  assertEquals([wan.status, (await wan.json()).detail[0].type], [422, "int_type"]);
  const kling = await call(sim, "POST", `${QUEUE}/fal-ai/kling-video/v3/pro/image-to-video`, {
    prompt: "rain",
  });
  assertEquals((await kling.json()).detail[0].loc, ["body", "start_image_url"]);

  const unknown = await call(sim, "POST", `${QUEUE}/fal-ai/no-such-model`, { prompt: "x" });
  assertEquals(unknown.status, 404);
});

Deno.test("[fal] the simulator refuses flagged prompts with content_policy_violation in the result", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  const queued = await (await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1`, {
    prompt: "a scene of gore",
  })).json();
  await waitFor(
    async () => (await call(sim, "GET", queued.status_url)).status === 200,
    "the request to end",
  );
  const result = await call(sim, "GET", queued.response_url);
  assertEquals(result.status, 422);
  const { detail } = await result.json();
  assertEquals(detail[0].type, "content_policy_violation");
});

Deno.test("[fal] the simulator cancels, checks the key, serves prices, models and its JWKS", async () => {
  const sim = createFalSimulator({ timeScale: 1, apiKey: "right" });
  const right = { ...KEY, authorization: "Key right" };
  assertEquals(
    (await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1`, { prompt: "x" })).status,
    401,
  );
  const queued = await (await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1`, { prompt: "x" }, right))
    .json();
  const cancel = await call(sim, "PUT", queued.cancel_url, undefined, right);
  assertEquals([cancel.status, (await cancel.json()).status], [202, "CANCELLATION_REQUESTED"]);
  assertEquals(sim.getRequest(queued.request_id)?.outcome, "cancelled");
  const again = await call(sim, "PUT", queued.cancel_url, undefined, right);
  assertEquals([again.status, (await again.json()).status], [400, "ALREADY_COMPLETED"]);

  const pricing = await call(
    sim,
    "GET",
    "https://api.fal.ai/v1/models/pricing?endpoint_id=fal-ai/veo3.1,fal-ai/minimax/hailuo-2.3/standard/text-to-video",
    undefined,
    right,
  );
  const { prices } = await pricing.json();
  assertEquals(prices, [
    { endpoint_id: "fal-ai/veo3.1", currency: "USD", unit_price: 0.4, unit: "video_second" },
    {
      endpoint_id: "fal-ai/minimax/hailuo-2.3/standard/text-to-video",
      currency: "USD",
      unit_price: 0.28,
      unit: "video",
    },
  ]);
  const models = await (await call(
    sim,
    "GET",
    "https://api.fal.ai/v1/models?category=text-to-video",
    undefined,
    right,
  )).json();
  assertEquals(models.models.length, 6);

  const jwks = await (await sim.fetch(new Request("https://rest.fal.ai/.well-known/jwks.json")))
    .json();
  assertEquals([jwks.keys[0].kty, jwks.keys[0].crv], ["OKP", "Ed25519"]);
  sim.close();
});

Deno.test("[fal] the simulator answers injected faults in fal's shapes", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  sim.faults.add({ kind: "status", status: 429, retryAfter: 3, times: 1 });
  sim.faults.add({ kind: "status", status: 503, times: 1 });
  const limited = await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1`, { prompt: "x" });
  assertEquals([limited.status, limited.headers.get("retry-after")], [429, "3"]);
  await limited.body?.cancel();
  const down = await call(sim, "POST", `${QUEUE}/fal-ai/veo3.1`, { prompt: "x" });
  assertEquals(down.status, 503);
  assertEquals(down.headers.get("x-fal-error-type"), "runner_scheduling_failure");
  assertEquals((await down.json()).error_type, "runner_scheduling_failure");
  assertEquals(sim.requests.map((r) => r.fault), ["status", "status"]);
});
