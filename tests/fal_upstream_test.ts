import { loadConfig } from "../services/app/config.ts";
import { silentLogger } from "../services/app/log.ts";
import { falProvider } from "../services/providers/fal/provider.ts";
import type { Fetch } from "../services/providers/options.ts";
import { fixtureFor, MEDIA } from "../services/providers/simulators/media.ts";
import {
  type JobContext,
  ModelRetiredError,
  NOT_OFFERED,
  type Upstream,
  type UpstreamJob,
} from "../services/providers/upstream.ts";
import { assert, assertEquals, assertMatch, rejection } from "./assert.ts";
import { falSetup, REFERENCE } from "./fal_helpers.ts";
import { waitFor } from "./helpers.ts";

const FAST = "fal-ai/veo3.1/fast";

async function until(
  upstream: Upstream,
  id: string,
  context: JobContext,
  done: (job: UpstreamJob) => boolean,
  seen?: Set<string>,
): Promise<UpstreamJob> {
  let job: UpstreamJob | undefined;
  await waitFor(async () => {
    job = await upstream.retrieve(id, context);
    seen?.add(job.status);
    return done(job);
  }, `fal request ${id}`);
  return job!;
}

Deno.test("[fal] create → progress → completed → identical download → cancel", async () => {
  const { sim, provider } = falSetup();
  const { upstream } = provider;
  const context = { startedAt: Date.now(), seconds: "4" };
  const job = await upstream.create({
    prompt: "a lighthouse at dusk",
    model: FAST,
    size: "720x1280",
    seconds: "4",
    negative_prompt: "people",
    audio: false,
  }, "key-1");
  assertEquals([job.status, job.progress], ["queued", 0]);
  // The id is the request's own URL under the queue: enough to poll after a restart.
  assertMatch(job.id, /^fal-ai\/veo3\.1\/requests\/[0-9a-f-]+$/);
  assertEquals(sim.submissions[0].endpoint, FAST);
  assertEquals(sim.submissions[0].input, {
    prompt: "a lighthouse at dusk",
    duration: "4s",
    aspect_ratio: "9:16",
    resolution: "720p",
    negative_prompt: "people",
    generate_audio: false,
  });

  const seen = new Set<string>();
  const done = await until(upstream, job.id, context, (j) => j.status === "completed", seen);
  assert(seen.has("in_progress"), `statuses seen: ${[...seen]}`);
  assertEquals([done.progress, done.error], [100, null]);
  assert(done.expires_at && done.expires_at > Date.now() / 1000, "media are kept for days");
  // Polling asks for logs, under the app id without the endpoint's subpath.
  const statusPath = `/fal-ai/veo3.1/requests/${job.id.split("/").pop()}/status`;
  assert(sim.requests.some((r) => r.path === statusPath), "status polled under the app id");

  const download = await upstream.download(job.id, "video", new AbortController().signal);
  assertEquals(download.headers.get("content-type"), "video/mp4");
  assertEquals(
    new Uint8Array(await download.arrayBuffer()),
    fixtureFor("720x1280", 4).video.bytes,
  );

  // Cancel stops an unfinished request; a finished one has nothing left to stop.
  const other = await upstream.create(
    { prompt: "a slow tide", model: FAST, size: "1280x720", seconds: "8" },
    "key-2",
  );
  await upstream.cancel!(other.id);
  assertEquals(sim.getRequest(other.id.split("/").pop()!)?.outcome, "cancelled");
  const cancelled = await upstream.retrieve(other.id, context);
  assertEquals([cancelled.status, cancelled.error?.code], ["failed", "cancelled"]);
  await upstream.cancel!(job.id);
  // fal has no delete: it resolves and leaves the request alone.
  await upstream.delete(job.id);
});

Deno.test("[fal] a restarted app polls and downloads by the stored id alone", async () => {
  const { provider, restart } = falSetup();
  const job = await provider.upstream.create(
    { prompt: "dunes", model: "fal-ai/wan/v2.7/text-to-video", size: "1280x720", seconds: "2" },
    "key",
  );
  const fresh = restart().upstream;
  const done = await until(
    fresh,
    job.id,
    { startedAt: Date.now(), seconds: "2" },
    (j) => j.status === "completed",
  );
  assertEquals(done.status, "completed");
  const again = restart().upstream;
  const download = await again.download(job.id, "video", new AbortController().signal);
  assertEquals(
    new Uint8Array(await download.arrayBuffer()),
    fixtureFor("1280x720", 2).video.bytes,
  );
});

Deno.test("[fal] a reference image goes to the image-to-video endpoint, in the field it takes", async () => {
  const { sim, provider } = falSetup();
  const { upstream } = provider;
  await upstream.create({
    prompt: "the cat turns its head",
    model: "fal-ai/kling-video/v3/pro/text-to-video",
    size: "1080x1920",
    seconds: "7",
    reference: REFERENCE,
  }, "k1");
  await upstream.create({
    prompt: "the cat turns its head",
    model: "bytedance/seedance-2.0/text-to-video",
    size: "480x854",
    seconds: "4",
    reference: REFERENCE,
  }, "k2");
  await upstream.create({
    prompt: "the cat turns its head",
    model: "fal-ai/wan/v2.7/text-to-video",
    size: "1920x1080",
    seconds: "9",
  }, "k3");
  const [kling, seedance, wan] = sim.submissions;
  assertEquals(kling.endpoint, "fal-ai/kling-video/v3/pro/image-to-video");
  assertMatch(String(kling.input.start_image_url), /^data:image\/jpeg;base64,/);
  // Kling's image-to-video takes the image's shape: no aspect ratio; lengths are strings.
  assertEquals([kling.input.aspect_ratio, kling.input.duration], [undefined, "7"]);
  assertEquals(seedance.endpoint, "bytedance/seedance-2.0/image-to-video");
  assertEquals(
    [seedance.input.aspect_ratio, seedance.input.resolution, seedance.input.duration],
    ["9:16", "480p", "4"],
  );
  assertMatch(String(seedance.input.image_url), /^data:image\/jpeg;base64,/);
  // Without an image the text-to-video endpoint; Wan takes its length as a number.
  assertEquals(wan.endpoint, "fal-ai/wan/v2.7/text-to-video");
  assertEquals([wan.input.duration, wan.input.resolution], [9, "1080p"]);
  assert(sim.submissions.every((s) => s.input.generate_audio === undefined), "model default sound");
});

Deno.test("[fal] a refused prompt and an invalid input fail with a person's message", async () => {
  const { provider } = falSetup();
  const { upstream } = provider;
  const refused = await upstream.create(
    { prompt: "a scene of gore", model: FAST, size: "1280x720", seconds: "4" },
    "k",
  );
  const failed = await until(
    upstream,
    refused.id,
    { startedAt: Date.now(), seconds: "4" },
    (j) => j.status === "failed",
  );
  assertEquals(failed.error?.code, "moderation_blocked");
  assertMatch(failed.error!.message, /^fal\.ai refused the prompt: /);

  const invalid = await rejection(upstream.create({
    prompt: "rain on a window",
    model: "fal-ai/wan/v2.7/text-to-video",
    size: "1280x720",
    seconds: "5",
    negative_prompt: "x".repeat(600),
  }, "k"));
  assertEquals([invalid.transient, invalid.code, invalid.status], [false, "invalid_request", 422]);
  assertEquals(
    invalid.message,
    "fal.ai did not accept the request: negative_prompt: String should have at most 500 characters",
  );
});

Deno.test("[fal] 429 with Retry-After and 5xx are transient; a refused key is an outage", async () => {
  const { sim, provider } = falSetup();
  const { upstream } = provider;
  const job = { prompt: "fog", model: FAST, size: "1280x720", seconds: "4" };
  sim.faults.add({ kind: "status", status: 429, retryAfter: 2, method: "POST", times: 1 });
  const limited = await rejection(upstream.create(job, "k"));
  assertEquals([limited.transient, limited.status, limited.retryAfterMs], [true, 429, 2000]);

  sim.faults.add({ kind: "status", status: 503, method: "POST", times: 1 });
  const down = await rejection(upstream.create(job, "k"));
  assertEquals([down.transient, down.status, down.outage], [true, 503, undefined]);

  const created = await upstream.create(job, "k");
  sim.faults.add({ kind: "status", status: 500, path: /\/status/, times: 1 });
  const poll = await rejection(upstream.retrieve(created.id));
  assertEquals([poll.transient, poll.status], [true, 500]);

  sim.faults.add({ kind: "status", status: 401, times: 1 });
  const refused = await rejection(upstream.retrieve(created.id));
  assertEquals([refused.transient, refused.outage], [true, "refused"]);
});

Deno.test("[fal] an error result fails the video; a network failure is an outage", async () => {
  const { sim, provider } = falSetup();
  const { upstream } = provider;
  const created = await upstream.create(
    { prompt: "fog", model: FAST, size: "1280x720", seconds: "4" },
    "k",
  );
  const requestId = created.id.split("/").pop()!;
  await waitFor(() => sim.getRequest(requestId)?.status === "COMPLETED", "the request to end");
  // fal retried the runner itself before answering so: the error is the video's outcome.
  sim.faults.add({ kind: "status", status: 504, path: /\/requests\/[^/]+$/, times: 1 });
  const failed = await upstream.retrieve(created.id, { startedAt: Date.now(), seconds: "4" });
  assertEquals([failed.status, failed.error?.code], ["failed", "request_timeout"]);
  assertEquals(failed.error?.message, "fal.ai could not make this video (Simulated server error).");

  const offline = falProviderWith(() => Promise.reject(new TypeError("connection refused")));
  const broken = await rejection(offline.upstream.ping());
  assertEquals([broken.transient, broken.outage], [true, "unreachable"]);
});

function falProviderWith(fetch: Fetch) {
  const provider = falProvider(loadConfig({ FAL_KEY: "k", SORA_SIMULATE: "0" }), {
    fetch,
    log: silentLogger,
    now: Date.now,
  });
  assert(provider);
  return provider;
}

Deno.test("[fal] a 404 on submit says the model is retired; on extend, that extending is not offered", async () => {
  const { sim, provider } = falSetup();
  sim.faults.add({ kind: "status", status: 404, method: "POST", path: /^\/fal-ai\/veo3\.1$/ });
  const retired = await rejection(
    provider.upstream.create(
      { prompt: "x", model: "fal-ai/veo3.1", size: "1280x720", seconds: "4" },
      "k",
    ),
  );
  assert(retired instanceof ModelRetiredError, retired.message);
  assertEquals(retired.model, "fal-ai/veo3.1");

  const source = await provider.upstream.create(
    { prompt: "a kite", model: FAST, size: "1280x720", seconds: "4" },
    "k",
  );
  await until(
    provider.upstream,
    source.id,
    { startedAt: Date.now(), seconds: "4" },
    (j) => j.status === "completed",
  );
  sim.faults.add({ kind: "status", status: 404, method: "POST", path: /extend-video$/, times: 1 });
  const notOffered = await rejection(
    provider.upstream.extend(
      { source: source.id, prompt: "higher", model: FAST, seconds: "7" },
      "k",
    ),
  );
  assertEquals([notOffered.status, notOffered.code], [404, NOT_OFFERED]);
});

Deno.test("[fal] extend continues a finished Veo 3.1 video by its URL", async () => {
  const { sim, provider } = falSetup();
  const { upstream } = provider;
  const source = await upstream.create(
    { prompt: "a kite over a beach", model: FAST, size: "1280x720", seconds: "8" },
    "k",
  );
  await until(
    upstream,
    source.id,
    { startedAt: Date.now(), seconds: "8" },
    (j) => j.status === "completed",
  );
  const extended = await upstream.extend(
    { source: source.id, prompt: "the kite climbs", model: FAST, seconds: "7" },
    "k",
  );
  const submission = sim.submissions.at(-1)!;
  assertEquals(submission.endpoint, "fal-ai/veo3.1/fast/extend-video");
  assertEquals(submission.input.duration, "7s");
  assertMatch(String(submission.input.video_url), /\/files\/[^/]+\/output\.mp4$/);
  const done = await until(
    upstream,
    extended.id,
    { startedAt: Date.now(), seconds: "7" },
    (j) => j.status === "completed",
  );
  assertEquals(done.status, "completed");
  assertEquals(sim.getRequest(extended.id.split("/").pop()!)?.seconds, 15);

  // Remix and edit are not fal features: a plain refusal, never a 404 (which means "not here").
  const remix = await rejection(upstream.remix(source.id, "x", "k"));
  assertEquals([remix.transient, remix.status], [false, undefined]);
});

Deno.test("[fal] the key never goes to a media host that is not fal's queue or API", async () => {
  const seen: { url: string; key: string | null }[] = [];
  const provider = falProviderWith((input, init) => {
    const request = new Request(input, init);
    seen.push({ url: request.url, key: request.headers.get("authorization") });
    if (request.url.endsWith("/output.mp4")) {
      return Promise.resolve(new Response(MEDIA.video.bytes.slice()));
    }
    return Promise.resolve(Response.json({
      video: { url: "https://v3.fal.media/files/abc/output.mp4", content_type: "video/mp4" },
    }));
  });
  const response = await provider.upstream.download(
    "fal-ai/veo3.1/requests/abc",
    "video",
    new AbortController().signal,
  );
  await response.body?.cancel();
  assertEquals(seen, [
    { url: "https://queue.fal.run/fal-ai/veo3.1/requests/abc", key: "Key k" },
    { url: "https://v3.fal.media/files/abc/output.mp4", key: null },
  ]);
});

Deno.test("[fal] a download cut short by the network breaks the stream (the app then retries)", async () => {
  const { sim, provider } = falSetup();
  const { upstream } = provider;
  const job = await upstream.create(
    { prompt: "a kite", model: FAST, size: "1280x720", seconds: "4" },
    "k",
  );
  await until(
    upstream,
    job.id,
    { startedAt: Date.now(), seconds: "4" },
    (j) => j.status === "completed",
  );
  sim.faults.add({ kind: "truncate", path: /\/files\//, times: 1 });
  const { video } = fixtureFor("1280x720", 4);
  const cut = await upstream.download(job.id, "video", new AbortController().signal);
  assertEquals(cut.headers.get("content-length"), String(video.bytes.byteLength));
  const broke = await cut.arrayBuffer().then(() => false, () => true);
  assert(broke, "the body errors instead of ending early");
  const whole = await upstream.download(job.id, "video", new AbortController().signal);
  assertEquals(new Uint8Array(await whole.arrayBuffer()), video.bytes);
});
