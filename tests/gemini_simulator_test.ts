import { createGeminiSimulator } from "../services/providers/simulators/gemini/simulator.ts";
import { fixtureFor } from "../services/providers/simulators/media.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

const ORIGIN = "https://generativelanguage.googleapis.com";
const KEY = "test-key";

/** A simulator on a clock the test moves, and a raw HTTP client for it. */
function wire(options: { retiredModels?: string[] } = {}) {
  let t = Date.UTC(2026, 10, 27, 12);
  const sim = createGeminiSimulator({ timeScale: 0.01, now: () => t, apiKey: KEY, ...options });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { "x-goog-api-key": KEY },
  ) => {
    const res = await sim.fetch(
      new Request(`${ORIGIN}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON (Google's HTML 404 page, or media bytes).
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  return { sim, call, advance: (ms: number) => t += ms };
}

const VIDEO = { type: "video", aspect_ratio: "16:9", resolution: "720p", duration: "8s" };
/** What a VIDEO interaction delivers: the landscape 8 s demo fixture. */
const FIXTURE = fixtureFor("1280x720", 8);

function createBody(extra: Record<string, unknown> = {}) {
  return {
    model: "gemini-omni-1.1-flash",
    input: "a lighthouse at dusk",
    background: true,
    response_format: VIDEO,
    generation_config: { video_config: { task: "text_to_video" } },
    ...extra,
  };
}

function base64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}

function errorOf(json: Record<string, unknown>) {
  return json.error as { code: number; status: string; message: string };
}

function videoItem(json: Record<string, unknown>) {
  const steps = json.steps as { type: string; content: Record<string, string>[] }[];
  return steps.findLast((s) => s.type === "model_output")?.content.find((c) => c.type === "video");
}

for (const version of ["v1", "v1beta"]) {
  Deno.test(`[gemini] the simulator answers a background create on /${version} and completes it with the fixture inline`, async () => {
    const { call, advance, sim } = wire();
    const created = await call("POST", `/${version}/interactions`, createBody());
    assertEquals(created.status, 200);
    assertEquals(created.json.status, "in_progress");
    assertEquals(created.json.object, "interaction");
    assertEquals(created.json.model, "gemini-omni-1.1-flash");
    const id = created.json.id as string;
    assertMatch(id, /^[\w-]+$/);
    assertEquals(sim.creates.at(-1)?.version, version);

    advance(50);
    assertEquals((await call("GET", `/${version}/interactions/${id}`)).json.status, "in_progress");
    advance(10_000);
    const done = await call("GET", `/${version}/interactions/${id}`);
    assertEquals(done.json.status, "completed");
    const video = videoItem(done.json);
    assertEquals(video?.mime_type, "video/mp4");
    assertEquals(video?.data, base64(FIXTURE.video.bytes));
  });
}

Deno.test("[gemini] the simulator delivers by URI when asked, and serves the file to the key holder", async () => {
  const { call, advance } = wire();
  const created = await call(
    "POST",
    "/v1/interactions",
    createBody({ response_format: { ...VIDEO, resolution: "1080p", delivery: "uri" } }),
  );
  advance(10_000);
  const done = await call("GET", `/v1/interactions/${created.json.id}`);
  const uri = videoItem(done.json)?.uri;
  assert(uri && uri.startsWith(`${ORIGIN}/v1/files/`), uri);
  const path = uri.slice(ORIGIN.length);
  assertEquals((await call("GET", path, undefined, {})).status, 403);
  const file = await call("GET", path);
  assertEquals(file.status, 200);
  assertEquals(file.headers.get("content-type"), "video/mp4");
  assertEquals(Number(file.headers.get("content-length")), FIXTURE.video.bytes.byteLength);
});

Deno.test("[gemini] the simulator records an image input and its task", async () => {
  const { call, sim } = wire();
  const image = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
  const created = await call("POST", "/v1/interactions", {
    ...createBody(),
    input: [
      { type: "text", text: "the waves roll in" },
      { type: "image", data: base64(image), mime_type: "image/jpeg" },
    ],
    generation_config: { video_config: { task: "image_to_video" } },
  });
  assertEquals(created.status, 200);
  const record = sim.creates.at(-1)!;
  assertEquals(record.task, "image_to_video");
  assertEquals(record.prompt, "the waves roll in");
  assertEquals(record.images, [{ mime_type: "image/jpeg", bytes: image.byteLength }]);
});

Deno.test("[gemini] the simulator edits a finished interaction through previous_interaction_id", async () => {
  const { call, advance, sim } = wire();
  const source = await call("POST", "/v1/interactions", createBody());
  // An unfinished source cannot be edited yet.
  const early = await call("POST", "/v1/interactions", {
    model: "gemini-omni-1.1-flash",
    input: "make it night",
    background: true,
    previous_interaction_id: source.json.id,
    generation_config: { video_config: { task: "edit" } },
  });
  assertEquals([early.status, errorOf(early.json).status], [400, "FAILED_PRECONDITION"]);
  advance(10_000);
  const edit = await call("POST", "/v1/interactions", {
    model: "gemini-omni-1.1-flash",
    input: "make it night",
    background: true,
    previous_interaction_id: source.json.id,
    response_format: { type: "video" },
    generation_config: { video_config: { task: "edit" } },
  });
  assertEquals(edit.status, 200);
  assertEquals(sim.getInteraction(edit.json.id as string)?.task, "edit");
  assertEquals(sim.getInteraction(edit.json.id as string)?.seconds, 8);
  advance(10_000);
  const done = await call("GET", `/v1/interactions/${edit.json.id}`);
  assertEquals(done.json.previous_interaction_id, source.json.id);
  assertEquals(done.json.status, "completed");

  const unknown = await call("POST", "/v1/interactions", {
    model: "gemini-omni-1.1-flash",
    input: "make it night",
    previous_interaction_id: "v1_nothing",
    generation_config: { video_config: { task: "edit" } },
  });
  assertEquals([unknown.status, errorOf(unknown.json).status], [404, "NOT_FOUND"]);
});

Deno.test("[gemini] the simulator extends a 720p video up to 30 seconds in all, on models that extend", async () => {
  const { call, advance, sim } = wire();
  const source = await call("POST", "/v1/interactions", createBody());
  advance(10_000);
  const extend = (model: string, duration: string) =>
    call("POST", "/v1/interactions", {
      model,
      input: "the camera rises",
      background: true,
      previous_interaction_id: source.json.id,
      response_format: { type: "video", duration },
      generation_config: { video_config: { task: "extend" } },
    });
  const ok = await extend("gemini-omni-1.1-flash", "10s");
  assertEquals(ok.status, 200);
  assertEquals(sim.getInteraction(ok.json.id as string)?.seconds, 18);
  assertEquals((await extend("gemini-omni-1.1-flash", "11s")).status, 400);
  const preview = await extend("gemini-omni-flash-preview", "5s");
  assertMatch(errorOf(preview.json).message, /does not support video extension/);
});

Deno.test("[gemini] the simulator fails a refused prompt with errors[]", async () => {
  const { call, advance } = wire();
  const created = await call("POST", "/v1/interactions", createBody({ input: "gore everywhere" }));
  assertEquals(created.status, 200);
  advance(10_000);
  const done = await call("GET", `/v1/interactions/${created.json.id}`);
  assertEquals(done.json.status, "failed");
  const errors = done.json.errors as { code: string; message: string }[];
  assertMatch(errors[0].message, /policy/i);
  assertEquals(done.json.steps, undefined);
});

Deno.test("[gemini] the simulator refuses invalid arguments with 400 INVALID_ARGUMENT", async () => {
  const { call } = wire();
  const cases: Record<string, unknown>[] = [
    { response_format: { ...VIDEO, aspect_ratio: "1:1" } },
    { response_format: { ...VIDEO, duration: "12s" } },
    { response_format: { ...VIDEO, duration: "eight" } },
    { model: "gemini-omni-flash-preview", response_format: { ...VIDEO, resolution: "1080p" } },
    { generation_config: { video_config: { task: "image_to_video" } } },
    { input: [{ type: "image", data: "not base64!", mime_type: "image/jpeg" }] },
  ];
  for (const extra of cases) {
    const res = await call("POST", "/v1/interactions", createBody(extra));
    assertEquals(
      [res.status, errorOf(res.json).status],
      [400, "INVALID_ARGUMENT"],
      JSON.stringify(extra),
    );
  }
  // A body that is not JSON at all.
  const res = await call("POST", "/v1/interactions");
  assertEquals([res.status, errorOf(res.json).status], [400, "INVALID_ARGUMENT"]);
});

Deno.test("[gemini] the simulator answers retired models with 404 no longer available", async () => {
  const { call } = wire({ retiredModels: ["gemini-omni-flash-preview"] });
  for (const model of ["veo-3.1-generate-preview", "gemini-omni-flash-preview"]) {
    const res = await call("POST", "/v1/interactions", createBody({ model }));
    assertEquals(res.status, 404);
    assertMatch(errorOf(res.json).message, /is no longer available/);
  }
});

Deno.test("[gemini] the simulator checks the key, lists models, cancels and deletes", async () => {
  const { call } = wire();
  assertEquals((await call("GET", "/v1/models?pageSize=1", undefined, {})).status, 403);
  const wrong = await call("GET", "/v1/models", undefined, { "x-goog-api-key": "nope" });
  assertEquals(wrong.status, 400);
  assertMatch(errorOf(wrong.json).message, /API key not valid/);
  const models = await call("GET", "/v1beta/models?pageSize=1");
  assertEquals((models.json.models as unknown[]).length, 1);
  assert(models.json.nextPageToken);

  const created = await call("POST", "/v1/interactions", createBody());
  const cancelled = await call("POST", `/v1/interactions/${created.json.id}/cancel`);
  assertEquals(cancelled.json.status, "cancelled");
  assertEquals((await call("POST", `/v1/interactions/${created.json.id}/cancel`)).status, 400);
  assertEquals((await call("DELETE", `/v1/interactions/${created.json.id}`)).status, 200);
  assertEquals((await call("GET", `/v1/interactions/${created.json.id}`)).status, 404);
  // A path no API serves gets Google's HTML page, not JSON.
  const page = await call("GET", "/v2/interactions");
  assertEquals(page.status, 404);
  assertMatch(page.text, /<html/);
});
