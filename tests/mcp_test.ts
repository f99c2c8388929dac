import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import jpeg from "jpeg-js";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string; data?: string; mimeType?: string }[];
}

interface ToolInfo {
  name: string;
  description?: string;
  inputSchema: { required?: string[]; properties?: Record<string, unknown> };
}

/** The app served on a real port, and an MCP client connected as one user. */
async function connect(t: TestApp, token: string) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  const url = new URL(`http://127.0.0.1:${server.addr.port}/mcp`);
  const client = new Client({ name: "sora-studio-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    await client.callTool({ name, arguments: args }) as ToolResult;
  const json = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    assert(!result.isError, `${name} failed: ${result.content[0]?.text}`);
    return JSON.parse(result.content[0].text!);
  };
  return {
    url,
    client,
    call,
    json,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.shutdown();
    },
  };
}

Deno.test("[mcp] lists the tools with descriptions and input schemas", async () => {
  await using t = await startTestApp();
  await using mcp = await connect(t, await t.userToken("ada"));
  const { tools } = await mcp.client.listTools() as { tools: ToolInfo[] };
  const names = tools.map((tool) => tool.name).sort();
  assertEquals(names, [
    "cancel_video",
    "continue_video",
    "create_video",
    "delete_video",
    "edit_video",
    "extend_video",
    "get_frame",
    "get_video",
    "list_models",
    "list_videos",
    "my_spend",
    "remix_video",
    "wait_for_video",
  ]);
  for (const tool of tools) assert(tool.description && tool.description.length > 40, tool.name);
  const create = tools.find((tool) => tool.name === "create_video")!;
  assertEquals(create.inputSchema.required, ["prompt"]);
  assert("model" in create.inputSchema.properties! && "seconds" in create.inputSchema.properties!);
  const models = await mcp.json("list_models");
  const sora = models.find((m: { id: string }) => m.id === "sora-2");
  assertEquals(sora.price_usd_per_second["720x1280"], 0.1);
  assertEquals([sora.extend, sora.edit], [true, true]);
  assertEquals(sora.extend_seconds, ["4", "8", "12", "16", "20"]);
  const extend = tools.find((tool) => tool.name === "extend_video")!;
  assertEquals(extend.inputSchema.required, ["prompt", "id"]);
});

Deno.test("[mcp] create, wait until completed, look at a frame, see the spend", async () => {
  await using t = await startTestApp();
  await using mcp = await connect(t, await t.userToken("ada"));
  const created = await mcp.json("create_video", { prompt: "a red fox in fresh snow" });
  assertMatch(created.id, /^vid_/);
  assertEquals(created.model, "sora-2");
  assertEquals(created.estimated_cost_usd, 0.4);

  let waited = await mcp.json("wait_for_video", { id: created.id, timeout_seconds: 20 });
  for (let i = 0; !waited.finished && i < 5; i++) {
    waited = await mcp.json("wait_for_video", { id: created.id, timeout_seconds: 20 });
  }
  assertEquals(waited.status, "completed");
  assertEquals(waited.finished, true);
  assertEquals((await mcp.json("get_video", { id: created.id })).status, "completed");

  const frame = await mcp.call("get_frame", { id: created.id, frame: 9 });
  assert(!frame.isError, frame.content[0]?.text);
  const image = frame.content.find((c) => c.type === "image")!;
  assertEquals(image.mimeType, "image/jpeg");
  const decoded = jpeg.decode(Uint8Array.from(atob(image.data!), (ch) => ch.charCodeAt(0)), {
    useTArray: true,
  });
  // Taken from the MP4 by ffmpeg, large enough for an agent to judge (CI installs ffmpeg).
  assert(decoded.width >= 480, `a frame ${decoded.width} px wide`);
  // The video's own shape, to the pixel: ffmpeg makes the height even (a 180x320 video's frame
  // 480 px wide is 854 tall, not 853.3).
  const { media } = await mcp.json("get_video", { id: created.id });
  const height = decoded.width * media.height / media.width;
  assert(
    Math.abs(decoded.height - height) <= 1,
    `a ${decoded.width}x${decoded.height} frame of a ${media.width}x${media.height} video`,
  );

  const found = await mcp.json("list_videos", { q: "fox" });
  assertEquals(found.data.map((v: { id: string }) => v.id), [created.id]);
  assertEquals((await mcp.json("list_videos", { q: "whale" })).data, []);

  const spend = await mcp.json("my_spend");
  assertEquals([spend.videos, spend.estimated_usd], [1, 0.4]);
  assertEquals([spend.by_model[0].model, spend.by_model[0].label], ["sora-2", "Sora 2"]);

  const next = await mcp.json("continue_video", { id: created.id, prompt: "and then, night" });
  assertEquals(next.remixed_from, created.id);
  const longer = await mcp.json("extend_video", { id: created.id, prompt: "on", seconds: "8" });
  assertEquals([longer.remixed_from, longer.seconds], [created.id, "12"]);
  const edited = await mcp.json("edit_video", { id: created.id, prompt: "in winter" });
  assertEquals([edited.remixed_from, edited.seconds], [created.id, "4"]);
  const refused = await mcp.call("extend_video", { id: created.id, prompt: "on", seconds: "7" });
  assert(refused.isError);
  assertMatch(JSON.stringify(refused.content), /Choose 4, 8, 12, 16, 20 seconds/);
});

Deno.test("[mcp] refusals are tool errors with the service's message", async () => {
  await using t = await startTestApp();
  await using mcp = await connect(t, await t.userToken("ada"));
  const bad = await mcp.call("create_video", { prompt: "x", model: "sora-2", seconds: "5" });
  assert(bad.isError);
  assertMatch(bad.content[0].text!, /4, 8, 12/);

  const retired = await mcp.call("create_video", {
    prompt: "waves",
    model: "veo-3.1-fast-generate-preview",
  });
  assert(retired.isError);
  assertMatch(retired.content[0].text!, /retired/);
  const veo = await mcp.json("create_video", {
    prompt: "waves",
    model: "veo-3.1-fast-generate-001",
  });
  const frame = await mcp.call("get_frame", { id: veo.id });
  assert(frame.isError);
  assertMatch(frame.content[0].text!, /not ready/);

  const deleted = await mcp.json("delete_video", { id: veo.id });
  assertEquals(deleted.deleted, veo.id);
  const gone = await mcp.call("get_video", { id: veo.id });
  assert(gone.isError);
  assertMatch(gone.content[0].text!, /not found/);
});

Deno.test("[mcp] another user's video is not found", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  await using mine = await connect(t, ada);
  const created = await mine.json("create_video", { prompt: "a lighthouse at dusk" });
  await using theirs = await connect(t, await t.userToken("bob"));
  for (const tool of ["get_video", "get_frame", "delete_video", "wait_for_video"]) {
    const result = await theirs.call(tool, { id: created.id });
    assert(result.isError, tool);
    assertMatch(result.content[0].text!, /not found/, tool);
  }
  const remix = await theirs.call("remix_video", { id: created.id, prompt: "at dawn" });
  assertMatch(remix.content[0].text!, /not found/);
  assertEquals((await theirs.json("list_videos")).data, []);
  assertEquals((await theirs.json("my_spend")).estimated_usd, 0);
  assertEquals((await mine.json("get_video", { id: created.id })).id, created.id);
});

Deno.test("[mcp] without a valid token the endpoint answers 401", async () => {
  await using t = await startTestApp();
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
  const headers = { "content-type": "application/json", accept: "application/json" };
  for (const authorization of [undefined, "Bearer nonsense"]) {
    const res = await t.app.request("/mcp", {
      method: "POST",
      body,
      headers: authorization ? { ...headers, authorization } : headers,
    });
    assertEquals(res.status, 401);
    assertMatch(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    assertEquals((await res.json()).error.code, "unauthorized");
  }
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  const client = new Client({ name: "no-token", version: "1.0.0" });
  let refused = false;
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.addr.port}/mcp`)),
    );
  } catch {
    refused = true;
  } finally {
    await client.close();
    await server.shutdown();
  }
  assert(refused, "the SDK client connected without a token");
});

Deno.test("[mcp] cancel_video cancels an unfinished video and refuses a finished one", async () => {
  // The provider cannot be reached: the first video waits, queued, never sent.
  let reachable = false;
  await using t = await startTestApp({
    upstreamFetch: (input, init) =>
      reachable
        ? t.simulator.fetch(new Request(input, init))
        : Promise.reject(new TypeError("connection refused")),
  });
  const token = await t.userToken("ada");
  await using mcp = await connect(t, token);
  const queued = await mcp.json("create_video", { prompt: "a paper boat on a puddle" });
  assertEquals(queued.status, "queued");
  const cancelled = await mcp.json("cancel_video", { id: queued.id });
  assertEquals([cancelled.status, cancelled.error.code, cancelled.cost], [
    "failed",
    "cancelled",
    0,
  ]);
  assertMatch(cancelled.error.message, /^Cancelled by ada\./);

  reachable = true;
  const made = await mcp.json("create_video", { prompt: "a kite over the dunes" });
  await t.waitForVideo(token, made.id, (v) => v.status === "completed");
  const refused = await mcp.call("cancel_video", { id: made.id });
  assert(refused.isError, "a finished video cannot be cancelled");
  assertMatch(refused.content[0].text!, /finished, so there is nothing to cancel/);
});
