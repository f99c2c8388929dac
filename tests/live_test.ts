import { mediaPath } from "../services/stores/media/files.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { fixtureOf, startTestApp, waitFor } from "./helpers.ts";
import { SseReader } from "./sse.ts";

Deno.test("[loop] create → progress events → completed → byte-identical → remix → delete", async () => {
  await using t = await startTestApp({ env: { POLL_INTERVAL_MS: "10" } });
  const token = await t.userToken("ada");
  const events = await t.app.request("/api/events", {
    headers: { authorization: `Bearer ${token}` },
  });
  assertEquals(events.status, 200);
  assertEquals(events.headers.get("content-type"), "text/event-stream");
  const stream = new SseReader(events);
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "waves at dusk" }))
    .json();
  const seen = await stream.until((m) => JSON.parse(m.data).status === "completed");
  const mine = seen.map((m) => JSON.parse(m.data) as Video).filter((v) => v.id === id);
  assert(seen.every((m) => m.event === "video"));
  assertEquals(mine.at(-1)?.status, "completed");
  const statuses = new Set(mine.map((v) => v.status));
  assert(statuses.has("queued") && statuses.has("downloading"), [...statuses].join());
  const progress = mine.map((v) => v.progress);
  assertEquals(progress, [...progress].sort((a, b) => a - b), "progress never goes back");
  assertEquals(
    await Deno.readFile(mediaPath(t.dataDir, id, "video")),
    fixtureOf(mine.at(-1)!).video.bytes,
  );

  const remix = await (await t.api("POST", `/api/videos/${id}/remix`, token, { prompt: "storm" }))
    .json();
  await stream.until((m) => {
    const v = JSON.parse(m.data);
    return v.id === remix.id && v.status === "completed";
  });
  assertEquals((await t.api("DELETE", `/api/videos/${remix.id}`, token)).status, 204);
  await Deno.stat(mediaPath(t.dataDir, remix.id, "video")).then(
    () => assert(false, "remix file left behind"),
    () => {},
  );
  await stream.close();
});

Deno.test("[live] another user's changes never reach my stream", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const stream = new SseReader(
    await t.app.request("/api/events", { headers: { authorization: `Bearer ${bob}` } }),
  );
  const { id } = await (await t.api("POST", "/api/videos", ada, { prompt: "ada's" })).json();
  await t.waitForVideo(ada, id, (v) => v.status === "completed");
  const own = await (await t.api("POST", "/api/videos", bob, { prompt: "bob's" })).json();
  const seen = await stream.until((m) => JSON.parse(m.data).id === own.id);
  assertEquals(seen.filter((m) => JSON.parse(m.data).id === id), []);
  await stream.close();
});

Deno.test("[live] a reconnect with Last-Event-ID gets what changed meanwhile", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "while away" })).json();
  const before = await t.api("GET", `/api/videos/${id}`, token);
  const lastSeen = Date.parse((await before.json()).updated_at) - 1;
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const stream = new SseReader(
    await t.app.request("/api/events", {
      headers: { authorization: `Bearer ${token}`, "last-event-id": String(lastSeen) },
    }),
  );
  const seen = await stream.until((m) => JSON.parse(m.data).status === "completed");
  assertEquals(JSON.parse(seen.at(-1)!.data).id, id);
  await stream.close();
});

Deno.test("[live] an idle stream sends comment lines to keep the connection open", async () => {
  await using t = await startTestApp({ heartbeatMs: 20 });
  const token = await t.userToken("ada");
  const stream = new SseReader(
    await t.app.request("/api/events", { headers: { authorization: `Bearer ${token}` } }),
  );
  const pending = stream.until(() => true, 2000).catch(() => []);
  await waitFor(() => stream.comments.includes("keep-alive"), "a keep-alive comment");
  await stream.close();
  await pending;
});
