import { createGeminiSimulator } from "../services/providers/simulators/gemini/simulator.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

const PREVIEW = "gemini-omni-flash-preview";
const SUCCESSOR = "gemini-omni-1.1-flash";

Deno.test("[retired] a model the provider says is gone leaves the form, its queued videos fail naming the successor, and can be made again with it", async () => {
  const gemini = createGeminiSimulator({ timeScale: 0.01, retiredModels: [PREVIEW] });
  await using t = await startTestApp({ simulators: { gemini } });
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, {
    prompt: "a heron at dawn",
    model: PREVIEW,
    size: "1280x720",
    seconds: "6",
  });
  assertEquals(res.status, 201);
  const first: Video = await res.json();
  await t.waitForVideo(token, first.id, (v) => v.status === "failed");
  // A video queued before the retirement was known (as after a restart) fails without asking.
  await t.runtime.db.insertVideoJob({
    id: "vid_" + "0".repeat(24),
    user_id: 1,
    prompt: "a heron at dusk",
    model: PREVIEW,
    size: "1280x720",
    seconds: "6",
    provider: "gemini",
    negative_prompt: null,
    remixed_from: null,
    source_upstream_id: null,
    reference_key: null,
    reference_type: null,
    idempotency_key: crypto.randomUUID(),
    created_at: Date.now(),
  });
  t.runtime.jobs.kick();
  const ids = [first.id, "vid_" + "0".repeat(24)];
  const failed: Video[] = [];
  for (const id of ids) failed.push(await t.waitForVideo(token, id, (v) => v.status === "failed"));
  for (const video of failed) {
    assertEquals(video.error?.code, "model_retired");
    assertMatch(
      video.error!.message,
      /retired Gemini Omni Flash \(preview\).*Gemini Omni 1\.1 Flash/,
    );
    assertEquals(video.cost, 0, "a failed video costs nothing");
    assertEquals(video.remake_with?.model, SUCCESSOR);
    assertEquals([video.remake_with?.size, video.remake_with?.seconds], ["1280x720", "6"]);
  }
  // One create was enough to learn it: the second was never sent.
  const sent = gemini.requests.filter((r) => r.method === "POST" && /interactions$/.test(r.path));
  assertEquals(sent.length, 1);

  // It is no longer offered, and a create naming it says why.
  const models: ModelInfo[] = (await (await t.api("GET", "/api/models", token)).json()).data;
  assert(!models.some((m) => m.id === PREVIEW), "the retired model is not offered");
  assert(models.some((m) => m.id === SUCCESSOR), "its successor still is");
  const refused = await t.api("POST", "/api/videos", token, { prompt: "x", model: PREVIEW });
  assertEquals(refused.status, 400);
  assertMatch((await refused.json()).error.fields.model, /retired/);

  // The provider as a whole is fine: a retirement is no outage.
  assertEquals((await t.app.request("/readyz")).status, 200);

  // "Make it again with …" from the detail page makes it with the successor.
  const cookie = await t.sessionCookie("ada");
  const page = await (await t.app.request(`/videos/${ids[0]}`, { headers: { cookie } })).text();
  assertMatch(page, /Make it again with Gemini Omni 1\.1 Flash/);
  const again = await t.postForm(`/videos/${ids[0]}/rerun?with=successor`, cookie, {});
  assert(again.status < 400, `rerun answered ${again.status}`);
  await waitFor(
    async () =>
      (await t.runtime.db.library({ userId: 1, limit: 10 })).some((r) => r.model === SUCCESSOR),
    "a video of the successor",
  );
});

Deno.test("[retired] the admin page lists a retired model under its provider", async () => {
  const gemini = createGeminiSimulator({ timeScale: 0.01, retiredModels: [PREVIEW] });
  await using t = await startTestApp({ simulators: { gemini } });
  const token = await t.userToken("ada");
  const video: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "a kite",
    model: PREVIEW,
  })).json();
  await t.waitForVideo(token, video.id, (v) => v.status === "failed");
  const { createUser } = await import("../services/auth/auth.ts");
  await createUser(t.runtime.db, "root", "correct horse battery", "admin");
  const cookie = await t.sessionCookie("root");
  const admin = await (await t.app.request("/admin", { headers: { cookie } })).text();
  const gem = admin.slice(admin.indexOf('data-provider="gemini"'));
  assertMatch(
    gem,
    /Retired[\s\S]*Gemini Omni Flash \(preview\)[\s\S]*replaced by gemini-omni-1\.1-flash/,
  );
});
