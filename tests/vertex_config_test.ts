// Turning Veo on Vertex AI on: the key file is read at start and a wrong one stops the server with
// one line naming GOOGLE_APPLICATION_CREDENTIALS; demo mode uses the simulator's own key. And the
// catalog it offers.
import { ConfigError, loadConfig } from "../services/app/config.ts";
import { createLogger } from "../services/app/log.ts";
import { VERTEX_MODELS } from "../services/providers/vertex/catalog.ts";
import { defaultBaseUrl, vertexProvider } from "../services/providers/vertex/provider.ts";
import { createVertexSimulator } from "../services/providers/simulators/vertex/simulator.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

const log = createLogger({ level: "error", format: "text" });
const common = { log, now: Date.now };

function config(env: Record<string, string>) {
  return loadConfig({ DATA_DIR: "/tmp/unused", OPENAI_API_KEY: "sk-other", ...env });
}

function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    assert(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("[vertex] a key file that is missing or not a service account's stops the start, in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vertex-config-" });
  try {
    const write = async (name: string, text: string) => {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    };
    const cases: [string, RegExp][] = [
      [`${dir}/absent.json`, /could not be read \(there is no such file\)/],
      [await write("notes.txt", "hello"), /not a service-account key file \(it is not JSON\)/],
      [
        await write("user.json", JSON.stringify({ type: "authorized_user", client_id: "x" })),
        /its type is "authorized_user", not "service_account"/,
      ],
      [
        await write(
          "nokey.json",
          JSON.stringify({ type: "service_account", client_email: "a@b.c", private_key: "x" }),
        ),
        /private_key is not a PEM PKCS#8 key/,
      ],
    ];
    for (const [path, why] of cases) {
      const error = configError(() =>
        vertexProvider(
          config({ GOOGLE_CLOUD_PROJECT: "p", GOOGLE_APPLICATION_CREDENTIALS: path }),
          common,
        )
      );
      assertMatch(error.message, /^GOOGLE_APPLICATION_CREDENTIALS="/);
      assertMatch(error.message, why);
      assert(!error.message.includes("\n"), "one line");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[vertex] a project without a key file is a configuration error; neither is just off", () => {
  const error = configError(() => vertexProvider(config({ GOOGLE_CLOUD_PROJECT: "p" }), common));
  assertMatch(error.message, /GOOGLE_APPLICATION_CREDENTIALS is not/);
  assertEquals(vertexProvider(config({}), common), undefined);
});

Deno.test("[vertex] a good key file turns Vertex AI on, with the key's project when none is set", async () => {
  const sim = createVertexSimulator();
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(sim.credentials("http://vertex.test")));
    const hosts: string[] = [];
    const provider = vertexProvider(
      config({ GOOGLE_APPLICATION_CREDENTIALS: path, GOOGLE_CLOUD_LOCATION: "europe-west4" }),
      {
        ...common,
        fetch: (input, init) => {
          const request = new Request(input, init);
          hosts.push(new URL(request.url).host);
          return sim.fetch(
            new Request(request.url.replace(/^https:\/\/[^/]+/, "http://vertex.test"), request),
          );
        },
      },
    );
    assert(provider);
    assertEquals([provider.id, provider.name, provider.simulated], [
      "vertex",
      "Google Veo (Vertex AI)",
      false,
    ]);
    assertEquals(provider.keyVariable, "GOOGLE_APPLICATION_CREDENTIALS");
    assertEquals(provider.upstream.name, "https://europe-west4-aiplatform.googleapis.com");
    assertMatch(provider.advice.refused, /GOOGLE_APPLICATION_CREDENTIALS/);
    await provider.upstream.create(
      { prompt: "x", model: "veo-3.1-generate-001", size: "1280x720", seconds: "4" },
      "k",
    );
    assertEquals(sim.creates[0].project, sim.credentials().project_id);
    assertEquals(sim.creates[0].location, "europe-west4");
    assertEquals(hosts, ["vertex.test", "europe-west4-aiplatform.googleapis.com"]);
  } finally {
    await Deno.remove(path);
  }
  assertEquals(defaultBaseUrl("global"), "https://aiplatform.googleapis.com");
});

Deno.test("[vertex] demo mode reaches the simulator with the simulator's own key, no file", async () => {
  const sim = createVertexSimulator({ timeScale: 0.01 });
  const demo = loadConfig({ DATA_DIR: "/tmp/unused", SORA_SIMULATE: "1" });
  const provider = vertexProvider(demo, { ...common, simulator: sim });
  assert(provider?.simulated);
  await provider.upstream.ping();
  assertEquals(sim.tokens.length, 1);
  assertEquals(vertexProvider(demo, common), undefined);
});

Deno.test("[vertex] the catalog: Veo 3.1 and 3.1 Fast, sizes, lengths, prices with and without sound, extension", () => {
  assertEquals(VERTEX_MODELS.map((m) => [m.id, m.label]), [
    ["veo-3.1-generate-001", "Veo 3.1"],
    ["veo-3.1-fast-generate-001", "Veo 3.1 Fast"],
  ]);
  for (const model of VERTEX_MODELS) {
    assertEquals([model.provider, model.provider_name], ["vertex", "Google Veo (Vertex AI)"]);
    assertEquals(model.sizes, [
      "1280x720",
      "720x1280",
      "1920x1080",
      "1080x1920",
      "3840x2160",
      "2160x3840",
    ]);
    assertEquals(model.seconds, ["4", "6", "8"]);
    assertEquals(model.seconds_by_size, undefined);
    assertEquals(model.inputs, { input_reference: true, negative_prompt: true, audio: true });
    assertEquals(model.actions, { remix: false, extend: true, edit: false });
    assert(
      model.unavailable?.remix && model.unavailable.edit,
      "says why remix and edit are missing",
    );
    assertEquals(model.extension, {
      seconds: ["7"],
      sizes: ["1280x720", "720x1280"],
      max_source_seconds: 30,
    });
    assertEquals(model.variants, ["video"]);
    assertEquals(model.price, { unit: "second", source: "list", as_of: "2026-11-27" });
    for (const size of model.sizes) {
      assert(model.price_per_second_silent![size] < model.price_per_second[size], size);
    }
  }
  const [veo, fast] = VERTEX_MODELS;
  assertEquals([veo.price_per_second["1280x720"], veo.price_per_second["3840x2160"]], [0.4, 0.6]);
  assertEquals(veo.price_per_second_silent!["1920x1080"], 0.2);
  assertEquals([fast.price_per_second["1280x720"], fast.price_per_second["1080x1920"]], [
    0.1,
    0.12,
  ]);
  assertEquals(fast.price_per_second_silent!["2160x3840"], 0.25);
});
