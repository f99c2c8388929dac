import { ConfigError, loadConfig } from "../services/app/config.ts";
import { silentLogger } from "../services/app/log.ts";
import { FAL_SPECS } from "../services/providers/fal/catalog.ts";
import { falProvider } from "../services/providers/fal/provider.ts";
import { createFalSimulator } from "../services/providers/simulators/fal/simulator.ts";
import { UpstreamError } from "../services/providers/upstream.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { falSetup } from "./fal_helpers.ts";
import { startTestApp } from "./helpers.ts";
import type { ModelInfo } from "../services/types.ts";

const DAY = Date.UTC(2026, 11, 3, 9, 30);

Deno.test("[fal] the catalog: six models, sizes mapped, prices listed, only Veo extends", () => {
  const { provider } = falSetup();
  assertEquals(provider.models.map((m) => m.id), FAL_SPECS.map((s) => s.id));
  for (const model of provider.models) {
    assertEquals([model.provider, model.provider_name, model.variants], ["fal", "fal.ai", [
      "video",
    ]]);
    assertEquals(model.price, { unit: model.price.unit, source: "list", as_of: "2026-11-27" });
    for (const size of model.sizes) assertMatch(size, /^\d+x\d+$/);
    assert(
      model.sizes.includes(model.default_size) && model.seconds.includes(model.default_seconds),
    );
    assertEquals(model.actions.remix || model.actions.edit, false);
    assert(model.unavailable?.remix && model.unavailable.edit, "says why not");
  }
  const veo = provider.models.find((m) => m.id === "fal-ai/veo3.1")!;
  assertEquals(veo.price_per_second["3840x2160"], 0.6);
  assertEquals(veo.price_per_second_silent?.["1280x720"], 0.2);
  assertEquals([veo.actions.extend, veo.extension?.seconds], [true, ["7"]]);
  assertEquals(veo.inputs, { input_reference: true, negative_prompt: true, audio: true });
  const hailuo = provider.models.find((m) => m.id.includes("hailuo"))!;
  assertEquals([hailuo.price.unit, hailuo.price_per_video, hailuo.price_per_second], [
    "video",
    { "6": 0.28, "10": 0.56 },
    {},
  ]);
  assertEquals([hailuo.audio, hailuo.inputs.audio, hailuo.actions.extend], [false, false, false]);
  const wan = provider.models.find((m) => m.id.includes("wan"))!;
  assertEquals([wan.audio, wan.inputs.audio], [true, false]);
});

Deno.test("[fal] refresh reads fal's prices, scales the other sizes alike and dates them", async () => {
  const { provider, sim } = falSetup({
    now: () => DAY,
    sim: {
      prices: {
        // A 10 % discount on Veo 3.1, and Hailuo per video.
        "fal-ai/veo3.1": { unit_price: 0.36, unit: "video_second" },
        "fal-ai/minimax/hailuo-2.3/standard/text-to-video": { unit_price: 0.25, unit: "video" },
        // A unit that says nothing about length keeps the list price.
        "fal-ai/wan/v2.7/text-to-video": { unit_price: 0.002, unit: "megapixel" },
      },
    },
  });
  await provider.refresh!();
  const pricing = sim.requests.find((r) => r.path === "/v1/models/pricing");
  assert(pricing, "asked fal's pricing API");
  const veo = provider.models.find((m) => m.id === "fal-ai/veo3.1")!;
  assertEquals(veo.price, { unit: "second", source: "provider", as_of: "2026-12-03" });
  assertEquals(veo.price_per_second["1280x720"], 0.36);
  assertEquals(veo.price_per_second["3840x2160"], 0.54);
  assertEquals(veo.price_per_second_silent?.["1280x720"], 0.18);
  const hailuo = provider.models.find((m) => m.id.includes("hailuo"))!;
  assertEquals(hailuo.price_per_video, { "6": 0.25, "10": 0.5 });
  assertEquals(hailuo.price.source, "provider");
  const wan = provider.models.find((m) => m.id.includes("wan"))!;
  assertEquals([wan.price.source, wan.price_per_second["1280x720"]], ["list", 0.1]);
  // The simulator's own prices are the list's: the other models keep their values, now dated.
  const kling = provider.models.find((m) => m.id.includes("kling"))!;
  assertEquals([kling.price.source, kling.price_per_second["1920x1080"]], ["provider", 0.168]);

  // A second refresh starts from the list again: prices never compound.
  await provider.refresh!();
  assertEquals(
    provider.models.find((m) => m.id === "fal-ai/veo3.1")!.price_per_second["3840x2160"],
    0.54,
  );
});

Deno.test("[fal] when pricing answers 500 the list prices stay and refresh does not throw", async () => {
  const { provider, sim } = falSetup({ now: () => DAY });
  sim.faults.add({ kind: "status", status: 500, path: /\/v1\/models\/pricing/ });
  const before = provider.models;
  await provider.refresh!();
  assertEquals(provider.models, before);
  assert(provider.models.every((m) => m.price.source === "list"));
});

Deno.test("[fal] ping asks the pricing API: a refused key is an outage, another 4xx cannot verify", async () => {
  const { provider, sim } = falSetup();
  await provider.upstream.ping();
  assertEquals(sim.requests.at(-1)?.path, "/v1/models/pricing");

  const guarded = createFalSimulator({ apiKey: "the-right-key" });
  const wrong = falProvider(loadConfig({ FAL_KEY: "a-wrong-key", SORA_SIMULATE: "0" }), {
    fetch: (input, init) => guarded.fetch(new Request(input, init)),
    log: silentLogger,
    now: Date.now,
  })!;
  const refused = await wrong.upstream.ping().then(() => undefined, (e) => e);
  assert(refused instanceof UpstreamError);
  assertEquals([refused.outage, refused.status], ["refused", 401]);

  sim.faults.add({ kind: "status", status: 404, path: /pricing/, times: 1 });
  const unverified = await provider.upstream.ping().then(() => undefined, (e) => e);
  assert(unverified instanceof UpstreamError);
  assertEquals([unverified.status, unverified.outage, unverified.transient], [
    404,
    undefined,
    false,
  ]);
});

Deno.test("[fal] FAL_MODELS chooses the models by either endpoint; an unknown id stops the start", () => {
  const { provider } = falSetup({
    env: { FAL_MODELS: "fal-ai/kling-video/v3/pro/image-to-video, fal-ai/veo3.1" },
  });
  assertEquals(provider.models.map((m) => m.id), [
    "fal-ai/veo3.1",
    "fal-ai/kling-video/v3/pro/text-to-video",
  ]);
  let error: unknown;
  try {
    falSetup({ env: { FAL_MODELS: "fal-ai/veo3.1,fal-ai/sora-9" } });
  } catch (e) {
    error = e;
  }
  assert(error instanceof ConfigError, String(error));
  assert(!error.message.includes("\n"), "one line");
  assertMatch(error.message, /FAL_MODELS names "fal-ai\/sora-9"/);
  for (const spec of FAL_SPECS) assert(error.message.includes(spec.id), spec.id);
});

Deno.test("[fal] without FAL_KEY and outside demo mode, fal.ai is off", () => {
  const config = loadConfig({ OPENAI_API_KEY: "sk-x", SORA_SIMULATE: "0" });
  assertEquals(
    falProvider(config, { log: silentLogger, now: Date.now }),
    undefined,
  );
});

Deno.test("[fal] a model fal's list marks deprecated is retired: no longer offered, its videos keep their name", async () => {
  const sim = createFalSimulator({ timeScale: 0.01 });
  const WAN = "fal-ai/wan/v2.7/text-to-video";
  // fal's model list (find mode) says Wan 2.7 is deprecated; everything else is the simulator.
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname !== "/v1/models") return await sim.fetch(request);
    assertEquals(url.searchParams.getAll("endpoint_id").includes(WAN), true);
    const models = url.searchParams.getAll("endpoint_id").map((endpoint_id) => ({
      endpoint_id,
      metadata: { status: endpoint_id === WAN ? "deprecated" : "active" },
    }));
    return Response.json({ models, next_cursor: null, has_more: false });
  };
  await using t = await startTestApp({
    env: { SORA_SIMULATE: "0", FAL_KEY: "test-key" },
    fetches: { fal: fetch },
    startJobs: false,
  });
  const token = await t.userToken("ada");
  assert(t.runtime.providers.findModel(WAN), "offered before fal said otherwise");
  await t.runtime.providers.refresh();
  const list: ModelInfo[] = (await (await t.api("GET", "/api/models", token)).json()).data;
  assert(!list.some((m) => m.id === WAN), "a deprecated model is not offered");
  assert(list.length > 0, "the others still are");
  assertEquals(t.runtime.providers.catalog.retired.map((m) => m.id), [WAN]);
  assertEquals(t.runtime.providers.catalog.describe(WAN)?.label, "Wan 2.7");
});
