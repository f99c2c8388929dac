import { FalWebhookRejected } from "../services/providers/fal/webhook_verify.ts";
import { createFalSimulator } from "../services/providers/simulators/fal/simulator.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { falSetup } from "./fal_helpers.ts";
import { startTestApp, waitFor } from "./helpers.ts";

const PUBLIC = { PUBLIC_URL: "https://studio.example.com" };

/** A provider whose submits ask for webhooks, and the deliveries its simulator signed. */
async function signedDelivery(now?: () => number) {
  const deliveries: Request[] = [];
  const setup = falSetup({
    env: { ...PUBLIC, FAL_JWKS_URL: "https://rest.fal.ai/.well-known/jwks.json" },
    sim: { webhooks: { deliver: (request) => Promise.resolve(deliveries.push(request)) } },
    now,
  });
  const job = await setup.provider.upstream.create(
    { prompt: "a heron", model: "fal-ai/veo3.1/fast", size: "1280x720", seconds: "4" },
    "k",
  );
  assertEquals(
    setup.sim.submissions[0].webhook,
    "https://studio.example.com/webhooks/fal",
    "the submit names the app's webhook",
  );
  await waitFor(() => deliveries.length === 1, "the webhook delivery");
  const delivery = deliveries[0];
  return {
    ...setup,
    job,
    url: delivery.url,
    headers: delivery.headers,
    body: new Uint8Array(await delivery.arrayBuffer()),
  };
}

async function rejected(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert(error instanceof FalWebhookRejected, String(error));
    return error.message;
  }
  throw new Error("expected the delivery to be rejected");
}

Deno.test("[fal] a signed delivery verifies against fal's JWKS and names the request", async () => {
  const { provider, job, body, headers, sim } = await signedDelivery();
  const delivery = await provider.webhooks.verify(body, headers);
  assertEquals(delivery.requestId, job.id.split("/").pop());
  assert(provider.webhooks.upstreamIds(delivery.requestId).includes(job.id));
  const payload = JSON.parse(new TextDecoder().decode(body));
  assertEquals([payload.status, typeof payload.payload.video.url], ["OK", "string"]);
  // The keys came from the JWKS URL, once.
  assertEquals(sim.requests.filter((r) => r.path === "/.well-known/jwks.json").length, 1);
  await provider.webhooks.verify(body, headers);
  assertEquals(sim.requests.filter((r) => r.path === "/.well-known/jwks.json").length, 1);
});

Deno.test("[fal] a bad signature, a changed body or a stale timestamp is rejected", async () => {
  const { provider, body, headers } = await signedDelivery();
  const forged = new Headers(headers);
  const signature = headers.get("x-fal-webhook-signature")!;
  forged.set("x-fal-webhook-signature", (signature[0] === "0" ? "1" : "0") + signature.slice(1));
  assertEquals(
    await rejected(provider.webhooks.verify(body, forged)),
    "the signature does not verify with fal's keys",
  );
  const changed = new TextEncoder().encode(new TextDecoder().decode(body).replace("OK", "KO"));
  await rejected(provider.webhooks.verify(changed, headers));
  const missing = new Headers(headers);
  missing.delete("x-fal-webhook-user-id");
  await rejected(provider.webhooks.verify(body, missing));

  // The same delivery seen more than five minutes later.
  const late = await signedDelivery(() => Date.now() + 301_000);
  assertEquals(
    await rejected(late.provider.webhooks.verify(late.body, late.headers)),
    "the timestamp is too far from now",
  );
});

Deno.test("[fal] POST /webhooks/fal: a valid delivery makes the job due now; a forged one is 400", async () => {
  const deliveries: Request[] = [];
  const sim = createFalSimulator({
    timeScale: 0.01,
    webhooks: { deliver: (request) => Promise.resolve(deliveries.push(request)) },
  });
  await using t = await startTestApp({
    // Polls an hour apart: only the webhook can bring the video in within the test.
    env: {
      FAL_KEY: "test-key",
      SORA_SIMULATE: "0",
      POLL_INTERVAL_MS: "3600000",
      ...PUBLIC,
    },
    fetches: { fal: (input, init) => sim.fetch(new Request(input, init)) },
  });
  const token = await t.userToken("ada");
  const res = await t.api("POST", "/api/videos", token, {
    prompt: "a heron takes off",
    model: "fal-ai/veo3.1/fast",
    size: "1280x720",
    seconds: "4",
  });
  assertEquals(res.status, 201);
  const created: Video = await res.json();
  await waitFor(() => deliveries.length === 1, "fal's webhook delivery");
  const delivery = deliveries[0];
  assertEquals(new URL(delivery.url).pathname, "/webhooks/fal");
  const body = await delivery.arrayBuffer();

  const forgedHeaders = new Headers(delivery.headers);
  forgedHeaders.set("x-fal-webhook-signature", "00".repeat(64));
  const forged = await t.app.request("/webhooks/fal", {
    method: "POST",
    headers: forgedHeaders,
    body,
  });
  assertEquals(forged.status, 400);
  assertEquals((await forged.json()).error.code, "invalid_signature");

  const accepted = await t.app.request("/webhooks/fal", {
    method: "POST",
    headers: delivery.headers,
    body,
  });
  assertEquals(accepted.status, 200);
  assertEquals((await accepted.json()).videoId, created.id);
  const done = await t.waitForVideo(token, created.id, (v) => v.status === "completed");
  assertEquals(done.progress, 100);
});
