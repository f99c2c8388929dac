import { priceOf } from "../services/models/catalog.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

async function models(env: Record<string, string>): Promise<ModelInfo[]> {
  await using t = await startTestApp({ env, startJobs: false });
  const token = await t.userToken("ada");
  const res = await t.api("GET", "/api/models", token);
  assertEquals(res.status, 200);
  return (await res.json()).data;
}

const providersOf = (list: ModelInfo[]) => [...new Set(list.map((m) => m.provider))];

Deno.test("[models] demo mode offers every simulated provider, each model described in full", async () => {
  const list = await models({});
  assertEquals(providersOf(list), ["openai", "fal", "gemini", "vertex"]);
  const veo = list.find((m) => m.id === "veo-3.1-generate-001")!;
  assertEquals(veo.provider_name, "Google Veo (Vertex AI)");
  assertEquals(veo.seconds, ["4", "6", "8"]);
  assertEquals(veo.actions, { remix: false, extend: true, edit: false });
  assert(veo.unavailable?.remix && veo.unavailable.edit, "says why remix and edit are missing");
  assertEquals(veo.extension?.seconds, ["7"]);
  assertEquals(veo.inputs, { input_reference: true, negative_prompt: true, audio: true });
  assertEquals(veo.variants, ["video"]);
  assertEquals(veo.price, { unit: "second", source: "list", as_of: "2026-11-27" });
  const omni = list.find((m) => m.provider === "gemini")!;
  assertEquals(omni.inputs.negative_prompt, false, "Omni has no negative prompt");
  assertEquals(omni.actions.edit, true);
  const sora = list.find((m) => m.id === "sora-2")!;
  assertEquals(sora.actions, { remix: true, extend: true, edit: true });
  assertEquals(sora.inputs.negative_prompt, false);
  // Nothing retired is offered: Veo on the Gemini API is gone.
  assert(!list.some((m) => m.id.endsWith("-preview") && m.id.startsWith("veo")), "no retired Veo");
  assert(!list.some((m) => m.retired), "no retired model");
  for (const m of list) {
    for (const size of m.sizes) {
      for (const seconds of m.seconds_by_size?.[size] ?? m.seconds) {
        assert(priceOf(m, { size, seconds }) > 0, `${m.id} prices ${size} at ${seconds} s`);
      }
    }
  }
  const hailuo = list.find((m) => m.price.unit === "video")!;
  assertEquals(hailuo.provider, "fal");
  assert(Object.keys(hailuo.price_per_video ?? {}).length > 0, "a per-video price by length");
});

Deno.test("[models] with keys, only the configured providers are offered", async () => {
  // No request goes out: listing models asks no upstream.
  const only = async (env: Record<string, string>) =>
    providersOf(await models({ SORA_SIMULATE: "0", ...env }));
  assertEquals(await only({ OPENAI_API_KEY: "sk-test" }), ["openai"]);
  assertEquals(await only({ GEMINI_API_KEY: "g-test" }), ["gemini"]);
  assertEquals(await only({ FAL_KEY: "fal-test" }), ["fal"]);
  assertEquals(await only({ OPENAI_API_KEY: "sk-test", FAL_KEY: "fal-test" }), ["openai", "fal"]);
  const chosen = await models({
    SORA_SIMULATE: "0",
    FAL_KEY: "fal-test",
    FAL_MODELS: "fal-ai/kling-video/v3/pro/image-to-video,fal-ai/wan/v2.7/text-to-video",
  });
  assertEquals(chosen.map((m) => m.id), [
    "fal-ai/kling-video/v3/pro/text-to-video",
    "fal-ai/wan/v2.7/text-to-video",
  ]);
});

Deno.test("[models] validation follows the chosen model", async () => {
  await using t = await startTestApp({ startJobs: false, env: { SIMULATOR_TIME_SCALE: "0.01" } });
  const token = await t.userToken("ada");
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ model: "veo-3.1-generate-001", size: "1024x1792" }, "size", /makes 1280x720/],
    [{ model: "veo-3.1-generate-001", seconds: "12" }, "seconds", /4, 6, 8/],
    [{ model: "sora-2", seconds: "6" }, "seconds", /4, 8, 12/],
    [{ model: "sora-2", negative_prompt: "rain" }, "negative_prompt", /no negative prompt/],
    [{ model: "gemini-omni-1.1-flash", negative_prompt: "rain" }, "negative_prompt", /no negative/],
    [{ model: "sora-2", audio: false }, "audio", /always come with/],
    [{ model: "gpt-video" }, "model", /veo-3.1-generate-001/],
    // A model Google shut down: refused, naming its successor.
    [{ model: "veo-3.1-generate-preview" }, "model", /retired .*veo-3\.1-generate-001/],
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
    model: "veo-3.1-fast-generate-001",
  })).json();
  assertEquals([veo.size, veo.seconds, veo.provider], ["1280x720", "8", "vertex"]);
  const sora: Video = await (await t.api("POST", "/api/videos", token, { prompt: "a kite" }))
    .json();
  assertEquals([sora.model, sora.size, sora.seconds], ["sora-2", "720x1280", "4"]);
  assertEquals(sora.cost, 0.4, "the recorded price of 4 s of sora-2");
  // Sound off costs what the catalog says for silent video, and is recorded.
  const silent = await t.api("POST", "/api/videos", token, {
    prompt: "a kite",
    model: "veo-3.1-generate-001",
    size: "1280x720",
    seconds: "8",
    audio: false,
  });
  assertEquals(silent.status, 201);
  const quiet: Video = await silent.json();
  const model = t.runtime.providers.findModel("veo-3.1-generate-001")!;
  assertEquals(quiet.audio, false);
  assertEquals(quiet.cost, priceOf(model, { size: "1280x720", seconds: "8", audio: false }));
  assert(quiet.cost < priceOf(model, { size: "1280x720", seconds: "8", audio: true }));
});

Deno.test("[providers] with only a Gemini key, Omni is the default and Sora is refused", async () => {
  await using t = await startTestApp({
    env: { SORA_SIMULATE: "0", GEMINI_API_KEY: "g-test" },
    startJobs: false,
  });
  const token = await t.userToken("ada");
  const refused = await t.api("POST", "/api/videos", token, { prompt: "a kite", model: "sora-2" });
  assertEquals(refused.status, 400);
  assertMatch((await refused.json()).error.fields.model, /OpenAI Sora is not set up/);
  const res = await t.api("GET", "/api/models", token);
  const list: ModelInfo[] = (await res.json()).data;
  assertEquals(t.runtime.providers.defaultModel?.id, list[0].id);
  assertEquals(list[0].provider, "gemini");
});
