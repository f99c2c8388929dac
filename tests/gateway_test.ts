import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { join } from "node:path";
import { createUser } from "../services/auth/auth.ts";
import { ConfigError, loadConfig } from "../services/app/config.ts";
import { openRuntime } from "../services/app/runtime.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import { formatCost } from "../views/format.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { createGatewayDouble, GATEWAY_BASE_URL, type GatewayDouble } from "./gateway_double.ts";
import { startTestApp, type TestApp, waitFor } from "./helpers.ts";

const MODEL = {
  id: "gw-video-1",
  label: "Gateway Video 1",
  sizes: ["1280x720", "720x1280"],
  seconds: ["4", "8"],
  price_per_second: { "1280x720": 0.08, "720x1280": 0.12 },
  actions: { remix: true, extend: true, edit: true },
  extension: { seconds: ["4"] },
  variants: ["video", "thumbnail", "spritesheet"],
};
const GIVE_UP_MS = 400;

function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: GATEWAY_BASE_URL,
    SORA_SIMULATE: "0",
    OPENAI_MODELS: JSON.stringify([MODEL]),
    POLL_INTERVAL_MS: "20",
    POLL_GIVE_UP_MS: String(GIVE_UP_MS),
    ...extra,
  };
}

/** The app configured for the gateway double; `gw` is the gateway it talks to. */
async function startBehindGateway(
  options: { env?: Record<string, string>; apiKey?: string; startJobs?: boolean } = {},
): Promise<TestApp & { gw: GatewayDouble }> {
  const gw = createGatewayDouble({ apiKey: "sk-test" });
  const t = await startTestApp({
    env: gatewayEnv({
      ...(options.apiKey ? { OPENAI_API_KEY: options.apiKey } : {}),
      ...options.env,
    }),
    upstreamFetch: gw.fetch,
    startJobs: options.startJobs,
  });
  return Object.assign(t, { gw });
}

async function finished(t: TestApp, token: string, body: Record<string, string>) {
  const res = await t.api("POST", "/api/videos", token, body);
  assertEquals(res.status, 201, await res.clone().text());
  const created: Video = await res.json();
  return await t.waitForVideo(token, created.id, (v) => v.status === "completed");
}

async function models(t: TestApp, token: string): Promise<ModelInfo[]> {
  const res = await t.api("GET", "/api/models", token);
  assertEquals(res.status, 200);
  return (await res.json()).data;
}

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** What the simulator behind the gateway holds for a video: the MP4 the gateway passes on. */
async function upstreamMp4(gw: GatewayDouble, simulatorId: string): Promise<Uint8Array> {
  const res = await gw.simulator.fetch(
    new Request(`http://sora-simulator.local/v1/videos/${simulatorId}/content?variant=video`, {
      headers: { authorization: "Bearer sk-test" },
    }),
  );
  assertEquals(res.status, 200);
  return await bytesOf(res);
}

function startsWith(bytes: Uint8Array, text: string, at = 0): boolean {
  return new TextDecoder().decode(bytes.subarray(at, at + text.length)) === text;
}

async function adminCookie(t: TestApp): Promise<string> {
  await createUser(t.runtime.db, "root", "correct horse battery", "admin");
  return await t.sessionCookie("root");
}

async function adminPage(t: TestApp, cookie: string): Promise<string> {
  const res = await t.app.request("/admin", { headers: { cookie } });
  assertEquals(res.status, 200);
  return await res.text();
}

/** The app served on a real port, and an MCP client connected as one user (as in mcp_test.ts). */
async function connectMcp(t: TestApp, token: string) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  const client = new Client({ name: "sora-studio-gateway-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.addr.port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return {
    async json(name: string, args: Record<string, unknown> = {}) {
      const result = await client.callTool({ name, arguments: args }) as {
        isError?: boolean;
        content: { text?: string }[];
      };
      assert(!result.isError, `${name} failed: ${result.content[0]?.text}`);
      return JSON.parse(result.content[0].text!);
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.shutdown();
    },
  };
}

/** Text as an HTML page shows it (the few entities the views escape). */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

Deno.test("[gateway] GET /api/models lists only the declared model, with its prices", async () => {
  await using t = await startBehindGateway({ startJobs: false });
  const token = await t.userToken("ada");
  const data = await models(t, token);
  assertEquals(data.map((m) => m.id), ["gw-video-1"]);
  const [model] = data;
  assertEquals(model.provider, "openai");
  assertEquals(model.label, "Gateway Video 1");
  assertEquals(model.sizes, ["1280x720", "720x1280"]);
  assertEquals(model.seconds, ["4", "8"]);
  assertEquals(model.price_per_second, { "1280x720": 0.08, "720x1280": 0.12 });
  assertEquals(model.actions, { remix: true, extend: true, edit: true });
  assertEquals(model.variants, ["video", "thumbnail", "spritesheet"]);

  // sora-2 is not what this endpoint serves: refused before anything is sent.
  const sora = await t.api("POST", "/api/videos", token, { prompt: "a fox", model: "sora-2" });
  assertEquals(sora.status, 400);
  assert((await sora.json()).error.fields?.model, "the model field is named");
  assertEquals(t.gw.received.filter((r) => r.method === "POST").length, 0);

  // Without a model, the declared one is used, at its price: 8 s at 720x1280 × $0.12.
  const res = await t.api("POST", "/api/videos", token, {
    prompt: "a fox",
    size: "720x1280",
    seconds: "8",
  });
  assertEquals(res.status, 201);
  const video: Video = await res.json();
  assertEquals([video.model, video.size, video.seconds, video.cost], [
    "gw-video-1",
    "720x1280",
    "8",
    0.96,
  ]);
});

Deno.test("[gateway] a video is made: the create's id is kept, the MP4 is byte-identical", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, { prompt: "a red fox in fresh snow" });
  assertEquals(res.status, 201);
  const created: Video = await res.json();
  const done = await t.waitForVideo(token, created.id, (v) => v.status === "completed");

  // The gateway answered one id on create and a different one on every retrieve.
  assertEquals(t.gw.created.length, 1);
  const { id: createdId, simulatorId } = t.gw.created[0];
  assert(createdId.length > 60, "a long, opaque id");
  assertEquals(done.upstream_id, createdId, "the id the create answered is kept");
  const polls = t.gw.retrieved.filter((r) => r.status === 200);
  assert(polls.length >= 1, "the video was polled");
  for (const poll of polls) {
    assertEquals(poll.asked, createdId, "every poll asks with the create's id");
    assert(poll.answered !== createdId, "the gateway answered another id");
  }
  const contentAsks = t.gw.received.filter((r) => r.path.endsWith("/content"));
  assert(contentAsks.length >= 1);
  for (const ask of contentAsks) {
    assertEquals(ask.path, `/v1/videos/${createdId}/content`, "downloads use the create's id");
  }

  // The gateway got an Idempotency-Key from the app and dropped it.
  const create = t.gw.received.find((r) => r.method === "POST" && r.path === "/v1/videos");
  assert(create?.idempotencyKey, "the app sends an Idempotency-Key");
  assert(t.gw.forwarded.every((r) => r.idempotencyKey === null), "the gateway dropped it");

  const content = await t.api("GET", `/api/videos/${done.id}/content`, token);
  assertEquals(content.status, 200);
  assertEquals(content.headers.get("content-type"), "video/mp4");
  assertEquals(await bytesOf(content), await upstreamMp4(t.gw, simulatorId));
});

Deno.test("[gateway] thumbnail and spritesheet answered with the MP4 are made here with ffmpeg", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  assert(t.runtime.facts.ffmpeg, "ffmpeg runs here (it is installed on CI)");
  const done = await finished(t, token, { prompt: "a lighthouse at dusk" });
  const mp4 = await upstreamMp4(t.gw, t.gw.created[0].simulatorId);

  // Asked for each variant, the gateway answered the MP4's bytes with 200.
  const asked = t.gw.received.filter((r) => r.path.endsWith("/content")).map((r) => r.search);
  assertEquals(asked.sort(), ["?variant=spritesheet", "?variant=thumbnail", "?variant=video"]);

  assertEquals(done.variants, ["video", "thumbnail", "spritesheet"]);
  const thumbnail = await t.api("GET", `/api/videos/${done.id}/content?variant=thumbnail`, token);
  assertEquals(thumbnail.status, 200);
  assertEquals(thumbnail.headers.get("content-type"), "image/webp");
  const webp = await bytesOf(thumbnail);
  assert(startsWith(webp, "RIFF") && startsWith(webp, "WEBP", 8), "a real WebP");
  assert(webp.length !== mp4.length, "not the MP4");

  const sheet = await t.api("GET", `/api/videos/${done.id}/content?variant=spritesheet`, token);
  assertEquals(sheet.status, 200);
  assertEquals(sheet.headers.get("content-type"), "image/jpeg");
  const jpeg = await bytesOf(sheet);
  assertEquals([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], "a real JPEG");
  assert(jpeg.length !== mp4.length, "not the MP4");

  // The endpoint does not really have those variants: the model no longer claims them.
  assertEquals((await models(t, token))[0].variants, ["video"]);
  // …so the next video asks for the MP4 only, and still gets both images, made here.
  const before = t.gw.received.length;
  const next = await finished(t, token, { prompt: "a lighthouse at dawn" });
  const again = t.gw.received.slice(before).filter((r) => r.path.endsWith("/content"));
  assertEquals(again.map((r) => r.search), ["?variant=video"]);
  assertEquals(next.variants, ["video", "thumbnail", "spritesheet"]);
});

Deno.test("[gateway] without ffmpeg, the MP4 sent as images is thrown away: no thumbnail", async () => {
  await using t = await startBehindGateway({
    env: { FFMPEG_PATH: "/nonexistent/ffmpeg-for-gateway-test" },
  });
  const token = await t.userToken("ada");
  assert(!t.runtime.facts.ffmpeg);
  const done = await finished(t, token, { prompt: "a lighthouse at dusk" });
  assertEquals(done.variants, ["video"]);
  for (const variant of ["thumbnail", "spritesheet"]) {
    const res = await t.api("GET", `/api/videos/${done.id}/content?variant=${variant}`, token);
    assertEquals(res.status, 404, `no ${variant}: the MP4 is never served as one`);
    await res.body?.cancel();
  }
  const video = await t.api("GET", `/api/videos/${done.id}/content`, token);
  assertEquals(await bytesOf(video), await upstreamMp4(t.gw, t.gw.created[0].simulatorId));
  assertEquals((await models(t, token))[0].variants, ["video"]);
});

Deno.test("[gateway] a remix that cannot be polled fails with a plain message after POLL_GIVE_UP_MS", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  const source = await finished(t, token, { prompt: "a paper boat" });
  const res = await t.api("POST", `/api/videos/${source.id}/remix`, token, {
    prompt: "a paper boat in the rain",
  });
  assertEquals(res.status, 201);
  const remix: Video = await res.json();
  assertEquals(remix.remixed_from, source.id);
  assertEquals(remix.upstream_id, t.gw.remixed[0], "the id the remix answered is kept");
  assertEquals(remix.cost, source.cost);

  const startedAt = Date.now();
  const failed = await t.waitForVideo(token, remix.id, (v) => v.status === "failed");
  const waited = Date.now() - startedAt;
  assert(waited >= GIVE_UP_MS * 0.5, `given up after ${waited} ms, not at once`);
  assertEquals(failed.error?.code, "status_unreadable");
  const message = failed.error!.message;
  assertMatch(message, /could not tell this video's status/);
  assertMatch(message, /Try again\./);
  assert(!/\b0 minutes\b/.test(message), `a plain length of time: ${message}`);
  assertEquals(failed.cost, 0, "a failed video costs nothing");
  const polls = t.gw.retrieved.filter((r) => r.asked === remix.upstream_id);
  assert(polls.length >= 2, "it was polled more than once before giving up");
  assert(polls.every((p) => p.status === 500));
  // The source is unaffected.
  const again = await (await t.api("GET", `/api/videos/${source.id}`, token)).json();
  assertEquals(again.status, "completed");
});

Deno.test("[gateway] extend and edit answered 405 are 409 with a plain reason; the catalog learns it", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  const source = await finished(t, token, { prompt: "a windmill" });
  assertEquals(source.actions.extend.available, true, "declared: extend");
  assertEquals(source.actions.edit.available, true, "declared: edit");

  const paths = { extend: "/v1/videos/extensions", edit: "/v1/videos/edits" };
  for (const action of ["extend", "edit"] as const) {
    const res = await t.api("POST", `/api/videos/${source.id}/${action}`, token, {
      prompt: "and more",
    });
    assertEquals(res.status, 409, `${action}: 409`);
    const { error } = await res.json();
    assertEquals(error.code, `${action}_not_supported`);
    assertEquals(
      error.message,
      `OpenAI-compatible endpoint does not offer ${action} for Gateway Video 1 at this endpoint.`,
    );
    const sent = t.gw.received.filter((r) => r.path === paths[action]);
    assertEquals(sent.map((r) => r.status), [405], `${action} was tried once`);

    const video: Video = await (await t.api("GET", `/api/videos/${source.id}`, token)).json();
    assertEquals(video.actions[action], { available: false, reason: error.message });
    const model = (await models(t, token))[0];
    assertEquals(model.actions[action], false);
    // Asked again: refused here, nothing sent.
    const again = await t.api("POST", `/api/videos/${source.id}/${action}`, token, {
      prompt: "and more",
    });
    assertEquals(again.status, 409);
    assertEquals((await again.json()).error.message, error.message);
    assertEquals(t.gw.received.filter((r) => r.path === paths[action]).length, 1);
  }
  assertEquals((await models(t, token))[0].actions, { remix: true, extend: false, edit: false });
  // Nothing was made, so nothing is kept or paid for.
  const library = await (await t.api("GET", "/api/videos", token)).json();
  assertEquals(library.data.map((v: Video) => v.id), [source.id]);
});

Deno.test("[gateway] delete is 204; the copy the gateway refused to delete is on the admin page", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  const admin = await adminCookie(t);
  const done = await finished(t, token, { prompt: "a tram at night" });
  assert(!(await adminPage(t, admin)).includes("Kept upstream"));

  const res = await t.api("DELETE", `/api/videos/${done.id}`, token);
  assertEquals(res.status, 204);
  assertEquals((await t.api("GET", `/api/videos/${done.id}`, token)).status, 404);
  const deletes = t.gw.received.filter((r) => r.method === "DELETE");
  assertEquals(deletes.map((r) => [r.path, r.status]), [[`/v1/videos/${done.upstream_id}`, 405]]);

  const html = await adminPage(t, admin);
  assertMatch(html, /data-kept-upstream/);
  assertMatch(html, /Kept upstream/);
  assert(html.includes(`<code>${done.upstream_id}</code>`), "names the upstream copy");
  assertMatch(html, /gw-video-1, openai/);
  // With what the gateway said.
  assertMatch(html, /405 \{&quot;detail&quot;:&quot;Method Not Allowed&quot;\}/);
});

Deno.test("[gateway] /readyz and the admin page: a key check answered 400 cannot be verified", async () => {
  await using t = await startBehindGateway({ startJobs: false });
  const res = await t.app.request("/readyz");
  assertEquals(res.status, 200);
  const ready = await res.json();
  assertEquals(ready.upstream.ok, true);
  assertEquals(ready.upstream.verified, false, "never reported as working");
  assertMatch(ready.upstream.detail, /answered 400/);
  assert(t.gw.received.some((r) => r.method === "GET" && r.path === "/v1/videos"), "it listed");

  const admin = await adminCookie(t);
  const html = await adminPage(t, admin);
  assertMatch(html, /Cannot be verified/);
  assertMatch(html, /data-upstream-verified="false"/);
  assert(!html.includes("Works (checked"), "never says the key works");
  // The gateway drops Idempotency-Key: a retried create may make a second video.
  assertMatch(html, /This provider has no idempotency key/);
});

Deno.test("[gateway] a wrong key answered 400 'No connected db.' is not verified either", async () => {
  await using t = await startBehindGateway({ apiKey: "sk-wrong", startJobs: false });
  const ready = await (await t.app.request("/readyz")).json();
  assertEquals(ready.upstream.verified, false);
  assertMatch(ready.upstream.detail, /No connected db\./);
  const html = await adminPage(t, await adminCookie(t));
  assertMatch(html, /Cannot be verified/);
  assert(!html.includes("Works (checked"));
});

Deno.test("[gateway] after videos were made, the key is still 'cannot be verified'", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  await finished(t, token, { prompt: "a quiet harbour" });
  const ready = await (await t.app.request("/readyz")).json();
  assertEquals(ready.upstream.verified, false, JSON.stringify(ready.upstream));
  const html = await adminPage(t, await adminCookie(t));
  assertMatch(html, /Cannot be verified/);
  assert(!html.includes("Works (checked"));
});

Deno.test("[gateway] an invalid OPENAI_MODELS stops the start with one clear line", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-gateway-config-" });
  try {
    const withModel = (changes: Record<string, unknown>, drop: string[] = []) => {
      const model: Record<string, unknown> = { ...MODEL, ...changes };
      for (const key of drop) delete model[key];
      return JSON.stringify([model]);
    };
    const cases: [string, string, RegExp][] = [
      ["an unknown key", withModel({ colour: "red" }), /OPENAI_MODELS.*colour/],
      [
        "a size without a price",
        withModel({ price_per_second: { "1280x720": 0.08 } }),
        /OPENAI_MODELS at 0\.price_per_second: needs a price for 720x1280\./,
      ],
      [
        "extend without extension",
        withModel({}, ["extension"]),
        /OPENAI_MODELS at 0\.extension: is needed when actions\.extend is true\./,
      ],
      ["bad JSON", '[{"id": "gw-video-1",', /OPENAI_MODELS is not valid JSON/],
      [
        "a missing file",
        join(dataDir, "no-such-models.json"),
        /OPENAI_MODELS=".*no-such-models\.json" is not valid: use a JSON file path, or inline JSON/,
      ],
    ];
    for (const [what, value, expected] of cases) {
      let error: unknown;
      try {
        const config = loadConfig({ DATA_DIR: dataDir, ...gatewayEnv({ OPENAI_MODELS: value }) });
        const runtime = await openRuntime(config);
        await runtime.close();
      } catch (caught) {
        error = caught;
      }
      assert(error instanceof ConfigError, `${what}: a ConfigError, got ${error}`);
      assertMatch(error.message, expected, what);
      assert(!error.message.includes("\n"), `${what}: one line: ${error.message}`);
    }

    // The same declaration in a file is read.
    const file = join(dataDir, "models.json");
    await Deno.writeTextFile(file, JSON.stringify([MODEL]));
    const config = loadConfig({ DATA_DIR: dataDir, ...gatewayEnv({ OPENAI_MODELS: file }) });
    const runtime = await openRuntime(config);
    try {
      assertEquals(runtime.providers.models.map((m) => m.id), ["gw-video-1"]);
    } finally {
      await runtime.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[gateway] the page, the JSON API and MCP give the same cost and actions", async () => {
  await using t = await startBehindGateway();
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  await using mcp = await connectMcp(t, token);
  const source = await finished(t, token, { prompt: "a glass of water", size: "720x1280" });

  const compare = async (stage: string) => {
    const json: Video = await (await t.api("GET", `/api/videos/${source.id}`, token)).json();
    const tool = await mcp.json("get_video", { id: source.id });
    assertEquals(tool.cost, json.cost, `${stage}: MCP cost`);
    assertEquals(tool.estimated_cost_usd, json.cost, `${stage}: MCP estimated cost`);
    assertEquals(tool.actions, json.actions, `${stage}: MCP actions`);
    const page = await t.app.request(`/videos/${source.id}`, { headers: { cookie } });
    assertEquals(page.status, 200);
    const html = await page.text();
    assert(
      html.includes(`<dd class="cost">${formatCost(json.cost)}</dd>`),
      `${stage}: the page's cost is ${formatCost(json.cost)}`,
    );
    for (const [action, offer] of Object.entries(json.actions)) {
      // Cancel belongs to a video being made; a finished one's page does not offer it at all.
      if (offer.available || action === "cancel") continue;
      assert(html.includes(escaped(offer.reason!)), `${stage}: the page says why not ${action}`);
    }
    if (json.actions.extend.available) {
      for (const option of json.actions.extend.options ?? []) {
        assert(
          html.includes(`${option.seconds} seconds · ${formatCost(option.cost)}`),
          `${stage}: the page prices the ${option.seconds}-second extension`,
        );
      }
    }
    return json;
  };

  // 4 s at 720x1280 × $0.12.
  const first = await compare("finished");
  assertEquals(first.cost, 0.48);
  assertEquals(first.actions.remix, { available: true, cost: 0.48 });
  assertEquals(first.actions.extend.cost, 0.48, "the 4-second segment");

  assertEquals(
    (await t.api("POST", `/api/videos/${source.id}/extend`, token, {
      prompt: "on",
    })).status,
    409,
  );
  const second = await compare("after extend was refused");
  assertEquals(second.actions.extend.available, false);
  assertEquals(second.cost, 0.48);
  await waitFor(() => t.runtime.jobs.activeCount === 0, "the jobs to settle");
});
