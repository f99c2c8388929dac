import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

Deno.test("[outage] /readyz is ready when the database takes writes and the upstream answers", async () => {
  await using t = await startTestApp({ startJobs: false });
  const res = await t.api("GET", "/readyz");
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals([body.ok, body.database, body.upstream.ok, body.upstream.simulated], [
    true,
    "ok",
    true,
    true,
  ]);
});

for (
  const [what, status, problem] of [
    ["a refused key (401)", 401, "refused"],
    ["a forbidden account (403)", 403, "refused"],
    ["a missing videos endpoint (404)", 404, "gone"],
    ["a withdrawn API (410)", 410, "gone"],
  ] as const
) {
  Deno.test(`[outage] ${what} holds new jobs as queued, and they go once it is back`, async () => {
    const simulator = createSoraSimulator({ timeScale: 0.01 });
    await using t = await startTestApp({ simulator });
    const token = await t.userToken("ada");
    const fault = simulator.faults.add({ kind: "status", status });
    const res = await t.api("POST", "/api/videos", token, { prompt: "held" });
    assertEquals(res.status, 201);
    const video = await res.json();
    assertEquals([video.status, video.upstream_id, video.error], ["queued", null, null]);
    assertEquals(t.runtime.health.status.outage, problem);
    const ready = await t.api("GET", "/readyz");
    assertEquals(ready.status, 503);
    assertEquals((await ready.json()).upstream.problem, problem);
    // The library keeps working meanwhile.
    assertEquals((await t.api("GET", "/api/videos", token)).status, 200);
    fault.remove();
    // The next readiness check (or job retry) notices the recovery and releases the queue.
    await waitFor(async () => (await t.api("GET", "/readyz")).status === 200, "recovery", 15_000);
    const done = await t.waitForVideo(token, video.id, (v) => v.status === "completed");
    assert(done.upstream_id);
  });
}

Deno.test("[outage] an unreachable upstream holds jobs too", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  let reachable = false;
  await using t = await startTestApp({
    simulator,
    upstreamFetch: (input, init) =>
      reachable
        ? simulator.fetch(new Request(input, init))
        : Promise.reject(new TypeError("error sending request: dns error")),
  });
  const token = await t.userToken("ada");
  const video = await (await t.api("POST", "/api/videos", token, { prompt: "offline" })).json();
  assertEquals(video.status, "queued");
  assertEquals(t.runtime.health.status.outage, "unreachable");
  reachable = true;
  await waitFor(async () => (await t.api("GET", "/readyz")).status === 200, "recovery", 15_000);
  await t.waitForVideo(token, video.id, (v) => v.status === "completed");
});

Deno.test("[outage] pages show a banner saying what failed and what to do, gone once it is back", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  await using t = await startTestApp({ simulator });
  await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const banner = async () =>
    await (await t.app.request("/status/banner", { headers: { cookie } })).text();
  const page = await (await t.app.request("/", { headers: { cookie } })).text();
  assert(page.includes('hx-get="/status/banner"'), "every page asks for the banner");
  assertEquals(await banner(), "");
  const fault = simulator.faults.add({ kind: "status", status: 401 });
  await t.api("POST", "/api/videos", await t.userToken("bob"), { prompt: "held" });
  const shown = await banner();
  assert(shown.includes("refused the API key") && shown.includes("OPENAI_API_KEY"), shown);
  assert(!shown.includes("admin page"), "the admin link is for admins");
  fault.remove();
  await waitFor(async () => (await banner()) === "", "the banner to go", 15_000);
});
