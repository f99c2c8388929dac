import { createApp } from "../main.ts";
import { createUser } from "../services/auth.ts";
import { loadConfig } from "../services/config.ts";
import { priceOf } from "../services/catalog.ts";
import { VEO_MODELS } from "../services/providers/veo_models.ts";

const estimateCost = (model: string, size: string, seconds: string) =>
  priceOf(VEO_MODELS.find((m) => m.id === model), { size, seconds });
import { openRuntime } from "../services/runtime.ts";
import { MEDIA } from "../services/simulator/media.ts";
import { createVeoSimulator } from "../services/simulator/veo/simulator.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

async function models(env: Record<string, string>): Promise<ModelInfo[]> {
  await using t = await startTestApp({ env, startJobs: false });
  const token = await t.userToken("ada");
  const res = await t.api("GET", "/api/models", token);
  assertEquals(res.status, 200);
  return (await res.json()).data;
}

const providersOf = (list: ModelInfo[]) => [...new Set(list.map((m) => m.provider))];

Deno.test("[models] demo mode offers both simulated providers, each model described in full", async () => {
  const list = await models({});
  assertEquals(providersOf(list), ["openai", "google"]);
  const veo = list.find((m) => m.id === "veo-3.1-generate-preview")!;
  assertEquals(veo.provider_name, "Google Veo");
  assertEquals(veo.seconds, ["4", "6", "8"]);
  assertEquals(veo.sizes, [
    "1280x720",
    "720x1280",
    "1920x1080",
    "1080x1920",
    "3840x2160",
    "2160x3840",
  ]);
  assertEquals(veo.price_per_second["1280x720"], 0.4);
  assertEquals(veo.price_per_second["3840x2160"], 0.6);
  assertEquals(veo.seconds_by_size?.["1920x1080"], ["8"]);
  assertEquals([veo.default_size, veo.default_seconds], ["1280x720", "8"]);
  assertEquals(veo.actions, { remix: false, extend: true, edit: false });
  assert(veo.unavailable?.remix && veo.unavailable.edit, "says why remix and edit are missing");
  assertEquals(veo.extension?.seconds, ["7"]);
  assertEquals(veo.inputs, { input_reference: true, negative_prompt: true, audio: false });
  assertEquals(veo.variants, ["video"]);
  const sora = list.find((m) => m.id === "sora-2")!;
  assertEquals(sora.actions, { remix: true, extend: true, edit: true });
  assertEquals(sora.inputs.negative_prompt, false);
  for (const m of list) {
    for (const size of m.sizes) assert(m.price_per_second[size] > 0, `${m.id} prices ${size}`);
  }
});

Deno.test("[models] with keys, only the configured providers are offered", async () => {
  // No request goes out: listing models asks no upstream.
  assertEquals(providersOf(await models({ SORA_SIMULATE: "0", OPENAI_API_KEY: "sk-test" })), [
    "openai",
  ]);
  assertEquals(providersOf(await models({ SORA_SIMULATE: "0", GEMINI_API_KEY: "g-test" })), [
    "google",
  ]);
  assertEquals(
    providersOf(
      await models({ SORA_SIMULATE: "0", OPENAI_API_KEY: "sk-test", GEMINI_API_KEY: "g-test" }),
    ),
    ["openai", "google"],
  );
});

Deno.test("[models] validation follows the chosen model", async () => {
  await using t = await startTestApp({ startJobs: false, env: { SIMULATOR_TIME_SCALE: "0.01" } });
  const token = await t.userToken("ada");
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ model: "veo-3.1-generate-preview", size: "1024x1792" }, "size", /makes 1280x720/],
    [{ model: "veo-3.1-generate-preview", seconds: "12" }, "seconds", /4, 6, 8/],
    [{ model: "veo-3.1-generate-preview", size: "1920x1080", seconds: "4" }, "seconds", /8 s/],
    [{ model: "veo-3.0-generate-001", size: "3840x2160", seconds: "8" }, "size", /makes/],
    [{ model: "sora-2", seconds: "6" }, "seconds", /4, 8, 12/],
    [{ model: "sora-2", negative_prompt: "rain" }, "negative_prompt", /no negative prompt/],
    [{ model: "gpt-video" }, "model", /veo-3.1-generate-preview/],
  ];
  for (const [body, field, message] of cases) {
    const res = await t.api("POST", "/api/videos", token, { prompt: "a kite", ...body });
    assertEquals(res.status, 400, JSON.stringify(body));
    const { error } = await res.json();
    assertMatch(error.fields?.[field] ?? "", message, JSON.stringify(body));
  }
  // Left out, size and length are the chosen model's defaults.
  const veo: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "a kite",
    model: "veo-3.1-fast-generate-preview",
  })).json();
  assertEquals([veo.size, veo.seconds], ["1280x720", "8"]);
  const sora: Video = await (await t.api("POST", "/api/videos", token, { prompt: "a kite" }))
    .json();
  assertEquals([sora.model, sora.size, sora.seconds], ["sora-2", "720x1280", "4"]);
  // 4K at 8 s is allowed for Veo 3.1, and priced from the same table.
  const big = await t.api("POST", "/api/videos", token, {
    prompt: "a kite",
    model: "veo-3.1-generate-preview",
    size: "3840x2160",
    seconds: 8,
  });
  assertEquals(big.status, 201);
  assertEquals(estimateCost("veo-3.1-generate-preview", "3840x2160", "8"), 4.8);
  assertEquals(estimateCost("veo-3.1-fast-generate-preview", "1280x720", "4"), 0.6);
});

Deno.test("[providers] with only a Gemini key, Veo is the default and Sora is refused", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-test-" });
  // The real-key code path (key header, base URL) against a simulator that checks the key.
  const veo = createVeoSimulator({ timeScale: 0.01, apiKey: "g-test-key" });
  const config = loadConfig({
    DATA_DIR: dataDir,
    GEMINI_API_KEY: "g-test-key",
    GEMINI_BASE_URL: "https://gemini.test",
    POLL_INTERVAL_MS: "20",
    LOG_LEVEL: "error",
  });
  assertEquals(config.simulate, false);
  const runtime = await openRuntime(config, {
    veoFetch: (input, init) => veo.fetch(new Request(input, init)),
  });
  try {
    runtime.jobs.start();
    const app = createApp({ ...runtime });
    await createUser(runtime.db, "ada", "correct horse battery", "user");
    const { token } = await (await app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    })).json();
    const api = (method: string, path: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
    const refused = await api("POST", "/api/videos", { prompt: "a kite", model: "sora-2" });
    assertEquals(refused.status, 400);
    assertMatch((await refused.json()).error.fields.model, /OpenAI Sora is not set up/);

    const res = await api("POST", "/api/videos", { prompt: "a kite", seconds: "6" });
    assertEquals(res.status, 201);
    const video: Video = await res.json();
    assertEquals([video.model, video.size, video.seconds], [
      "veo-3.1-generate-preview",
      "1280x720",
      "6",
    ]);
    await waitFor(
      async () =>
        (await (await api("GET", `/api/videos/${video.id}`)).json()).status === "completed",
      "the video to complete",
    );
    const content = await api("GET", `/api/videos/${video.id}/content`);
    assertEquals(new Uint8Array(await content.arrayBuffer()), MEDIA.video.bytes);
    assert(veo.requests.every((r) => !r.fault), "the key was accepted on every request");
    assertEquals((await app.request("/readyz")).status, 200);
  } finally {
    await runtime.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
