import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, TEST_ORIGIN, type TestApp } from "./helpers.ts";
import { DEFAULT_LIMITS, LoginThrottle } from "../services/auth/login_throttle.ts";
import { hashing, HASHING_AT_ONCE, HASHING_QUEUE } from "../services/auth/passwords.ts";
import { BoundedWork } from "../services/auth/bounded_work.ts";

const RIGHT = "correct horse battery";
const FREE = DEFAULT_LIMITS.freePerAccount;

function apiLogin(t: TestApp, username: string, password: string, address = "203.0.113.9") {
  return Promise.resolve(t.app.request("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ username, password }),
  }));
}

function pageLogin(t: TestApp, username: string, password: string, address = "203.0.113.9") {
  return Promise.resolve(t.app.request("/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: TEST_ORIGIN,
      "x-forwarded-for": address,
    },
    body: new URLSearchParams({ username, password }),
  }));
}

/** Statuses of a burst, and that every 429 says when to come back. */
async function burst(responses: Promise<Response>[]): Promise<number[]> {
  const answered = await Promise.all(responses);
  for (const res of answered) {
    if (res.status === 429 || res.status === 503) {
      const wait = Number(res.headers.get("retry-after"));
      assert(wait > 0, `a ${res.status} without Retry-After`);
    }
    await res.body?.cancel();
  }
  return answered.map((res) => res.status);
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/**
 * A throttle whose clock stands still, so the account's first delay (a second) cannot lapse while
 * a slow machine is still hashing the burst's first attempts.
 */
function stillClock(t: TestApp): void {
  t.runtime.auth.throttle = new LoginThrottle(DEFAULT_LIMITS, () => 1_000_000);
}

Deno.test("[login] 40 concurrent wrong API logins for one account: the limit's worth checked, the rest 429", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  stillClock(t);
  const statuses = await burst(
    Array.from({ length: 40 }, () => apiLogin(t, "ada", "wrong password!")),
  );
  assertEquals(count(statuses, 401), FREE);
  assertEquals(count(statuses, 429), 40 - FREE);
});

Deno.test("[login] 40 concurrent wrong page logins for one account: the limit's worth checked, the rest 429", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  stillClock(t);
  const statuses = await burst(
    Array.from({ length: 40 }, () => pageLogin(t, "ada", "wrong password!")),
  );
  assertEquals(count(statuses, 401), FREE);
  assertEquals(count(statuses, 429), 40 - FREE);
});

Deno.test("[login] a burst of 30 with the right password 25th logs nobody in", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  stillClock(t);
  const attempts = Array.from({ length: 30 }, (_, i) => i === 24 ? RIGHT : `wrong guess ${i}`);
  const api = await burst(attempts.map((password) => apiLogin(t, "ada", password)));
  assertEquals(count(api, 200), 0);
  assertEquals(api[24], 429);

  await using p = await startTestApp({ startJobs: false });
  await p.userToken("ada");
  stillClock(p);
  const pages = await Promise.all(attempts.map((password) => pageLogin(p, "ada", password)));
  assertEquals(pages.filter((res) => res.headers.get("set-cookie")).length, 0, "no session");
  assertEquals(pages[24].status, 429);
});

Deno.test("[login] passwords are hashed a few at a time; beyond the queue, 503 with Retry-After", async () => {
  await using t = await startTestApp({ startJobs: false });
  // Forty accounts from forty addresses: no throttle refuses any of them, only the hashing bound.
  let peak = 0;
  const watch = setInterval(() => peak = Math.max(peak, hashing.load.active), 1);
  const statuses = await burst(
    Array.from({ length: 40 }, (_, i) => apiLogin(t, `user${i}`, "some guess here", `10.1.0.${i}`)),
  ).finally(() => clearInterval(watch));
  assert(peak <= HASHING_AT_ONCE, `at most ${HASHING_AT_ONCE} at once, saw ${peak}`);
  assertEquals(count(statuses, 401) + count(statuses, 503), 40);
  assert(count(statuses, 401) <= HASHING_AT_ONCE + HASHING_QUEUE, "the queue is bounded");
  assert(count(statuses, 503) >= 40 - HASHING_AT_ONCE - HASHING_QUEUE);
  // Refused for load, not for guessing: the same account right after is checked normally.
  assertEquals((await apiLogin(t, "user0", "some guess here", "10.1.0.0")).status, 401);
});

Deno.test("[login] bounded work: never more than its limit running, the queue drains in order", async () => {
  const work = new BoundedWork(2, 3, "testing");
  let running = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  const job = () =>
    work.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    });
  const jobs = Array.from({ length: 6 }, () => job().then(() => "done", (e) => e.status));
  while (gates.length < 2) await Promise.resolve();
  assertEquals(work.load, { active: 2, queued: 3 });
  while (work.load.active + work.load.queued > 0) {
    gates.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assertEquals(await Promise.all(jobs), ["done", "done", "done", "done", "done", 503]);
  assertEquals(peak, 2);
});

Deno.test("[login] failures from five addresses do not lock the owner out of a clean address", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  for (let i = 1; i <= 5; i++) {
    assertEquals((await apiLogin(t, "ada", "wrong password!", `198.51.100.${i}`)).status, 401);
  }
  const owner = await apiLogin(t, "ada", RIGHT, "192.0.2.77");
  assertEquals(owner.status, 200);
  assert((await owner.json()).token);
  // The page login works the same way.
  for (let i = 1; i <= 5; i++) {
    assertEquals((await pageLogin(t, "ada", "wrong password!", `198.51.100.${i}`)).status, 401);
  }
  assertEquals((await pageLogin(t, "ada", RIGHT, "192.0.2.78")).status, 303);
});

Deno.test("[login] an address that keeps failing for an account waits longer each time, up to a cap", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  let clock = 1_000_000;
  t.runtime.auth.throttle = new LoginThrottle(
    { ...DEFAULT_LIMITS, perAddress: 1000, maxDelayMs: 8_000 },
    () => clock,
  );
  for (let i = 0; i < FREE; i++) assertEquals((await apiLogin(t, "ada", "wrong!")).status, 401);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    const refused = await apiLogin(t, "ada", RIGHT);
    assertEquals(refused.status, 429, "even the right password waits");
    assertMatch((await refused.json()).error.message, /Try again in \d+ second/);
    const wait = Number(refused.headers.get("retry-after"));
    waits.push(wait);
    clock += wait * 1000;
    assertEquals((await apiLogin(t, "ada", "wrong!")).status, 401);
  }
  assertEquals(waits, [1, 2, 4, 8, 8, 8]);
  // Meanwhile the owner, from an address that never failed, gets in; that clears the account.
  assertEquals((await apiLogin(t, "ada", RIGHT, "192.0.2.10")).status, 200);
  assertEquals((await apiLogin(t, "ada", RIGHT)).status, 200);
});

Deno.test("[login] the hard limit is per address, across accounts", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  // Two bursts of 15, so that the hashing bound (not what this test is about) refuses none.
  const guesses = (from: number) =>
    burst(Array.from(
      { length: 15 },
      (_, i) => apiLogin(t, `someone${from + i}`, "wrong password!", "203.0.113.60"),
    ));
  const statuses = [...await guesses(0), ...await guesses(15)];
  assertEquals(count(statuses, 401), DEFAULT_LIMITS.perAddress);
  assertEquals(count(statuses, 429), 30 - DEFAULT_LIMITS.perAddress);
  assertEquals((await apiLogin(t, "ada", RIGHT, "203.0.113.60")).status, 429);
  assertEquals((await apiLogin(t, "ada", RIGHT, "203.0.113.61")).status, 200);
});

Deno.test("[login] the token answer is never cached", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const res = await apiLogin(t, "ada", RIGHT);
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("cache-control"), "no-store");
  await res.body?.cancel();
});

Deno.test("[login] over https the session cookie is __Host-sora_session; over http the plain name", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const secure = await t.app.request("https://studio.example/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: "https://studio.example",
    },
    body: new URLSearchParams({ username: "ada", password: RIGHT }),
  });
  assertEquals(secure.status, 303);
  const set = secure.headers.get("set-cookie")!;
  assertMatch(set, /^__Host-sora_session=[^;]+;/);
  assertMatch(set, /; Path=\/(;|$)/);
  assertMatch(set, /; Secure/);
  assertMatch(set, /; HttpOnly/);
  assert(!/domain=/i.test(set), "no Domain");
  const value = set.split(";")[0].split("=")[1];
  const home = (cookie: string, url: string, headers: Record<string, string> = {}) =>
    t.app.request(url, { headers: { cookie, ...headers } });
  assertEquals((await home(`__Host-sora_session=${value}`, "https://studio.example/")).status, 200);
  // Behind a TLS-terminating proxy: plain http inside, https said by the proxy.
  const proxied = await home(`__Host-sora_session=${value}`, "http://localhost/", {
    "x-forwarded-proto": "https",
  });
  assertEquals(proxied.status, 200);
  // Over https only the prefixed name counts: a plain one could have been planted over http.
  const planted = await home(`sora_session=${value}`, "https://studio.example/");
  assertEquals(planted.status, 303);

  const plain = await t.sessionCookie("ada");
  assertMatch(plain, /^sora_session=/);
  assertEquals((await home(plain, "http://localhost/")).status, 200);

  const out = await t.app.request("https://studio.example/logout", {
    method: "POST",
    headers: { cookie: `__Host-sora_session=${value}`, origin: "https://studio.example" },
  });
  assertMatch(out.headers.get("set-cookie")!, /^__Host-sora_session=;.*Max-Age=0/);
  assertEquals((await home(`__Host-sora_session=${value}`, "https://studio.example/")).status, 303);
});
