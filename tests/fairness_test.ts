import { RequestBudget } from "../services/providers/request_budget.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, waitFor } from "./helpers.ts";

/** An upstream call as the app sent it, in order; `job` is filled in from a create's answer. */
interface Call {
  method: string;
  path: string;
  job?: string;
}

Deno.test("[fairness] one user's forty videos do not delay another's single video", async () => {
  const simulator = createSoraSimulator({ timeScale: 0.01 });
  const calls: Call[] = [];
  const upstreamFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const call: Call = { method: req.method, path: new URL(req.url).pathname };
    calls.push(call);
    const res = await simulator.fetch(req);
    if (req.method === "POST" && res.ok) call.job = (await res.clone().json()).id;
    return res;
  };
  await using t = await startTestApp({
    simulator,
    upstreamFetch,
    // A burst of 24, then 4 a second: in arrival order, alice would wait for bob's 16 extra
    // creates and then for his jobs' checks and downloads.
    env: { UPSTREAM_MAX_RPM: "240", USER_MAX_IN_FLIGHT: "0", USER_MAX_CREATES_PER_MINUTE: "0" },
  });
  const bob = await t.userToken("bob");
  const alice = await t.userToken("alice");
  const bobId = (await t.runtime.db.userByName("bob"))!.id;

  const bobs = Array.from(
    { length: 40 },
    (_, i) => t.api("POST", "/api/videos", bob, { prompt: `bob's clip ${i}` }),
  );
  // Every one of bob's jobs is waiting for its turn (or has had it) before alice asks.
  await waitFor(async () => await t.runtime.db.inFlightCountOf(bobId) === 40, "bob's 40 videos");
  const callsWhenAliceAsked = calls.length;
  assert(callsWhenAliceAsked < 40, `bob's creates wait for the budget (${calls.length} sent)`);

  const res = await t.api("POST", "/api/videos", alice, { prompt: "alice's one clip" });
  assertEquals(res.status, 201);
  const mine = await res.json();
  const upstreamId = async () => (await t.runtime.db.videoById(mine.id))?.upstream_id;
  await waitFor(async () => !!(await upstreamId()), "alice's video to be sent", 20_000);
  const aliceUpstreamId = await upstreamId();
  const aliceCreate = calls.findIndex((c) => c.method === "POST" && c.job === aliceUpstreamId);
  // Her create went at the next turn or the one after, however many of bob's were waiting.
  assert(
    aliceCreate - callsWhenAliceAsked <= 1,
    `alice's create was call ${aliceCreate}, ${aliceCreate - callsWhenAliceAsked} after she asked`,
  );

  await waitFor(
    async () => (await t.runtime.db.videoById(mine.id))?.status === "completed",
    "alice's video to finish",
    30_000,
  );
  const bobsVideos = await Promise.all(
    (await t.runtime.db.videoIdsOfUser(bobId)).map((id) => t.runtime.db.videoById(id)),
  );
  const bobsDone = bobsVideos.filter((video) => video?.status === "completed").length;
  assert(bobsDone < 20, `alice's video finished before most of bob's (${bobsDone} of his done)`);
  for (const answer of await Promise.all(bobs)) assertEquals(answer.status, 201);
});

Deno.test("[limits] the 11th video in flight is 429 with Retry-After, on every path; once one finishes, a create succeeds", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const create = (prompt: string) => t.api("POST", "/api/videos", ada, { prompt });
  const first = await (await create("the source")).json();
  await t.waitForVideo(ada, first.id, (v) => v.status === "completed");
  // With the poller stopped, new videos stay in flight (each still tries its first step).
  await t.runtime.jobs.stop();
  for (let i = 0; i < 10; i++) assertEquals((await create(`clip ${i}`)).status, 201);

  const refused = await create("one too many");
  assertEquals(refused.status, 429);
  // One poll interval (20 ms here), rounded up to whole seconds.
  assertEquals(refused.headers.get("retry-after"), "1");
  const { error } = await refused.json();
  assertEquals(error.code, "too_many_in_flight");
  assertMatch(error.message, /already have 10 videos being made/);
  const remix = await t.api("POST", `/api/videos/${first.id}/remix`, ada, { prompt: "again" });
  assertEquals(remix.status, 429);
  assertEquals((await remix.json()).error.code, "too_many_in_flight");
  const cookie = await t.sessionCookie("ada");
  assertEquals((await t.postForm("/videos", cookie, { prompt: "from the page" })).status, 429);
  assertEquals(
    await t.runtime.db.inFlightCountOf((await t.runtime.db.userByName("ada"))!.id),
    10,
  );
  // Another user is not held back by ada's.
  assertEquals(
    (await t.api("POST", "/api/videos", await t.userToken("bo"), { prompt: "hi" })).status,
    201,
  );

  t.runtime.jobs.start();
  const adaId = (await t.runtime.db.userByName("ada"))!.id;
  await waitFor(
    async () => await t.runtime.db.inFlightCountOf(adaId) < 10,
    "one of ada's videos to finish",
  );
  assertEquals((await create("now there is room")).status, 201);
});

Deno.test("[limits] the 31st create within a minute is 429 with Retry-After; a minute later it succeeds", async () => {
  let offset = 0;
  await using t = await startTestApp({
    now: () => Date.now() + offset,
    env: { USER_MAX_IN_FLIGHT: "0" },
  });
  const ada = await t.userToken("ada");
  const create = () => t.api("POST", "/api/videos", ada, { prompt: "a quick one" });
  for (let i = 0; i < 30; i++) assertEquals((await create()).status, 201);
  const refused = await create();
  assertEquals(refused.status, 429);
  const wait = Number(refused.headers.get("retry-after"));
  assert(wait >= 1 && wait <= 60, `Retry-After ${wait} is within the minute`);
  const { error } = await refused.json();
  assertEquals(error.code, "rate_limited");
  assertMatch(error.message, /started 30 videos in the last minute/);
  // Another user has their own allowance.
  assertEquals(
    (await t.api("POST", "/api/videos", await t.userToken("bo"), { prompt: "hi" })).status,
    201,
  );

  offset += wait * 1000;
  assertEquals((await create()).status, 201);
});

Deno.test("[limits] fifteen creates at once: exactly ten are accepted, the rest are 429", async () => {
  await using t = await startTestApp({ startJobs: false });
  const ada = await t.userToken("ada");
  const answers = await Promise.all(
    Array.from({ length: 15 }, (_, i) => t.api("POST", "/api/videos", ada, { prompt: `${i}` })),
  );
  const statuses = answers.map((res) => res.status).sort();
  assertEquals(statuses, [...Array(10).fill(201), ...Array(5).fill(429)]);
  for (const res of answers) await res.body?.cancel();
});

Deno.test("[fairness] the request budget takes turns between owners, skipped ones first", async () => {
  let now = 0;
  const budget = new RequestBudget(6000, () => now); // a burst of 600, then one every 10 ms
  for (let i = 0; i < 600; i++) await budget.take(undefined, "warm-up");
  const served: string[] = [];
  const turn = (owner: string) => budget.take(undefined, owner).then(() => served.push(owner));
  const gone = new AbortController();
  const waits = [turn("a"), turn("a"), turn("a"), turn("b")];
  const leaving = budget.take(gone.signal, "d");
  waits.push(turn("c"));
  gone.abort(new Error("gave up"));
  await leaving.then(() => assert(false, "an aborted wait is not served"), () => {});
  // One token at a time, as the clock moves on by a token's worth.
  for (let i = 1; i <= 5; i++) {
    now += 10;
    await waitFor(() => served.length === i, `token ${i}`);
  }
  await Promise.all(waits);
  // After a's first, the owners it skipped go before a's second.
  assertEquals(served, ["a", "b", "c", "a", "a"]);
  assertEquals(budget.waiting, 0);
});
