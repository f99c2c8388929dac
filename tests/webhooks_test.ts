import { signWebhook } from "../services/providers/simulators/webhook_signer.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { assertEquals } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

const SECRET = "whsec_" + btoa("a test webhook secret of some length");

function deliver(
  t: Awaited<ReturnType<typeof startTestApp>>,
  d: { body: string; headers: Record<string, string> },
) {
  return t.app.request("/webhooks/openai", { method: "POST", body: d.body, headers: d.headers });
}

Deno.test("[webhooks] a signed video.completed makes the job due at once", async () => {
  // Polling every hour: only the webhook can bring the completion in time.
  await using t = await startTestApp({
    env: { OPENAI_WEBHOOK_SECRET: SECRET, POLL_INTERVAL_MS: "3600000" },
  });
  const token = await t.userToken("ada");
  const { id, upstream_id } = await (await t.api("POST", "/api/videos", token, { prompt: "hi" }))
    .json();
  await waitFor(
    () => t.simulator.getVideo(upstream_id)?.status === "completed",
    "the job to finish upstream",
  );
  const delivery = await signWebhook(SECRET, {
    id: "evt_1",
    type: "video.completed",
    data: { id: upstream_id },
  });
  const res = await deliver(t, delivery);
  assertEquals(res.status, 200);
  assertEquals((await res.json()).videoId, id);
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const replay = await deliver(t, delivery);
  assertEquals(replay.status, 200);
  assertEquals((await replay.json()).duplicate, true);
});

Deno.test("[webhooks] bad, stale and unsigned deliveries are 400", async () => {
  await using t = await startTestApp({ startJobs: false, env: { OPENAI_WEBHOOK_SECRET: SECRET } });
  const good = await signWebhook(SECRET, { id: "evt_2", type: "video.failed", data: { id: "x" } });
  const tampered = { ...good, body: good.body.replace("video.failed", "video.completed") };
  const wrongKey = await signWebhook("whsec_" + btoa("another secret"), {
    id: "evt_3",
    type: "video.completed",
    data: { id: "x" },
  });
  const stale = await signWebhook(SECRET, {
    id: "evt_4",
    type: "video.completed",
    data: { id: "x" },
  }, Math.floor(Date.now() / 1000) - 3600);
  const unsigned = { body: good.body, headers: { "content-type": "application/json" } };
  for (const delivery of [tampered, wrongKey, stale, unsigned]) {
    const res = await deliver(t, delivery);
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.code, "invalid_signature");
  }
  assertEquals((await deliver(t, good)).status, 200);
});

Deno.test("[webhooks] without OPENAI_WEBHOOK_SECRET every delivery is 400", async () => {
  await using t = await startTestApp({ startJobs: false });
  const delivery = await signWebhook(SECRET, { id: "e", type: "video.completed", data: {} });
  const res = await deliver(t, delivery);
  assertEquals(res.status, 400);
});

Deno.test("[webhooks] end to end: the simulator's signed webhook brings the result without polling", async () => {
  // The app exists only after the simulator it talks to: deliveries find it here.
  const target: { app?: (req: Request) => Response | Promise<Response> } = {};
  const delivered: number[] = [];
  const simulator = createSoraSimulator({
    timeScale: 0.01,
    webhooks: {
      secret: SECRET,
      deliver: async (d) => {
        const res = await target.app!(
          new Request("http://app/webhooks/openai", { method: "POST", ...d }),
        );
        delivered.push(res.status);
      },
    },
  });
  await using t = await startTestApp({
    simulator,
    env: { OPENAI_WEBHOOK_SECRET: SECRET, POLL_INTERVAL_MS: "3600000" },
  });
  target.app = (req) => t.app.fetch(req);
  const token = await t.userToken("ada");
  const ok = await (await t.api("POST", "/api/videos", token, { prompt: "calm sea" })).json();
  const bad = await (await t.api("POST", "/api/videos", token, { prompt: "[fail] x" })).json();
  await t.waitForVideo(token, ok.id, (v) => v.status === "completed");
  const failed = await t.waitForVideo(token, bad.id, (v) => v.status === "failed");
  assertEquals(failed.error?.code, "moderation_blocked");
  assertEquals(delivered, [200, 200]);
  simulator.close();
});
