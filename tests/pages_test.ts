import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";
import { SseReader } from "./sse.ts";

const ORIGIN = "http://localhost";

/** Logs in through the form like a browser; returns the session cookie. */
async function browserLogin(t: TestApp, username: string): Promise<string> {
  await t.userToken(username);
  return await t.sessionCookie(username);
}

function page(t: TestApp, path: string, cookie: string, init: RequestInit = {}) {
  return t.app.request(path, {
    ...init,
    headers: { cookie, origin: ORIGIN, ...init.headers as Record<string, string> },
  });
}

Deno.test("[pages] the login page says demo mode; pages need a session", async () => {
  await using t = await startTestApp({ startJobs: false });
  const login = await t.app.request("/login");
  assertEquals(login.status, 200);
  assertMatch((await login.text()).toLowerCase(), /demo mode/);
  const dashboard = await t.app.request("/");
  assertEquals(dashboard.status, 303);
  assertEquals(dashboard.headers.get("location"), "/login");
});

Deno.test("[pages] a wrong password shows the form again with a message", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const res = await t.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    body: new URLSearchParams({ username: "ada", password: "wrong password" }),
  });
  assertEquals(res.status, 401);
  assertMatch(await res.text(), /Wrong username or password/);
});

Deno.test("[pages] every response carries a strict CSP and the other security headers", async () => {
  await using t = await startTestApp({ startJobs: false });
  const res = await t.app.request("/login");
  const csp = res.headers.get("content-security-policy")!;
  assertMatch(csp, /script-src 'self'/);
  assertMatch(csp, /frame-ancestors 'none'/);
  assert(!csp.includes("unsafe-inline") || !/script-src[^;]*unsafe-inline/.test(csp));
  assertEquals(res.headers.get("x-content-type-options"), "nosniff");
  assertEquals(res.headers.get("referrer-policy"), "same-origin");
});

Deno.test("[pages] a cross-site form post is refused", async () => {
  await using t = await startTestApp({ startJobs: false });
  const cookie = await browserLogin(t, "ada");
  const res = await t.app.request("/videos", {
    method: "POST",
    headers: {
      cookie,
      origin: "https://evil.example",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ prompt: "csrf" }),
  });
  assertEquals(res.status, 403);
  const list = await page(t, "/videos", cookie, { headers: { "hx-request": "true" } });
  assert(!(await list.text()).includes("csrf"));
});

Deno.test("[pages] the dashboard lists only my videos, escaped", async () => {
  await using t = await startTestApp({ startJobs: false });
  const cookie = await browserLogin(t, "ada");
  const bob = await t.userToken("bob");
  await t.api("POST", "/api/videos", bob, { prompt: "bob's secret" });
  const form = new FormData();
  form.set("prompt", "<script>alert(1)</script> a cat");
  const created = await page(t, "/videos", cookie, {
    method: "POST",
    body: form,
    headers: { "hx-request": "true" },
  });
  assertEquals(created.status, 201);
  const card = await created.text();
  assertMatch(card, /id="video-vid_[0-9a-f]{24}"/);
  assert(!card.includes("<script>alert(1)</script>"));
  assert(card.includes("&lt;script&gt;"));
  const html = await (await page(t, "/", cookie)).text();
  assert(html.includes("&lt;script&gt;alert(1)&lt;/script&gt; a cat"));
  assert(!html.includes("bob&#39;s secret") && !html.includes("bob's secret"));
});

Deno.test("[pages] a refused create answers a toast for htmx", async () => {
  await using t = await startTestApp({ startJobs: false });
  const cookie = await browserLogin(t, "ada");
  const form = new FormData();
  form.set("prompt", " ");
  const res = await page(t, "/videos", cookie, {
    method: "POST",
    body: form,
    headers: { "hx-request": "true" },
  });
  assertEquals(res.status, 400);
  assertEquals(res.headers.get("hx-retarget"), "#toasts");
  assertMatch(await res.text(), /Write a prompt/);
});

Deno.test("[pages] another user's video page and content are 404", async () => {
  await using t = await startTestApp();
  const cookie = await browserLogin(t, "ada");
  const bob = await t.userToken("bob");
  const { id } = await (await t.api("POST", "/api/videos", bob, { prompt: "bob's" })).json();
  await t.waitForVideo(bob, id, (v) => v.status === "completed");
  for (const path of [`/videos/${id}`, `/videos/${id}/content`]) {
    assertEquals((await page(t, path, cookie)).status, 404, path);
  }
  const remix = new URLSearchParams({ prompt: "mine now" });
  const res = await page(t, `/videos/${id}/remix`, cookie, {
    method: "POST",
    body: remix,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assertEquals(res.status, 404);
  assertEquals((await page(t, `/videos/${id}`, cookie, { method: "DELETE" })).status, 404);
  assertEquals((await t.api("GET", `/api/videos/${id}`, bob)).status, 200);
});

Deno.test("[pages] the live stream sends the changed card as an out-of-band swap", async () => {
  await using t = await startTestApp();
  const cookie = await browserLogin(t, "ada");
  const stream = new SseReader(await page(t, "/events", cookie));
  const form = new FormData();
  form.set("prompt", "a live one");
  const created = await page(t, "/videos", cookie, {
    method: "POST",
    body: form,
    headers: { "hx-request": "true" },
  });
  const id = /id="video-(vid_[0-9a-f]{24})"/.exec(await created.text())![1];
  const seen = await stream.until((m) =>
    m.data.includes(`id="video-${id}"`) && /<video/.test(m.data)
  );
  assertMatch(seen.at(-1)!.data, /hx-swap-oob/);
  await stream.close();
  const video = await page(t, `/videos/${id}/content?download=1`, cookie);
  assertEquals(video.status, 200);
  assertMatch(video.headers.get("content-disposition")!, /attachment/);
  await video.body?.cancel();
});

Deno.test("[pages] an htmx request or live stream without a session is told to log in", async () => {
  await using t = await startTestApp({ startJobs: false });
  const htmx = await t.app.request("/videos", { headers: { "hx-request": "true" } });
  assertEquals(htmx.status, 401);
  assertEquals(htmx.headers.get("hx-redirect"), "/login");
  const live = await t.app.request("/events", { headers: { accept: "text/event-stream" } });
  assertEquals(live.status, 401);
  const page = await t.app.request("/videos/vid_0123456789abcdef01234567");
  assertEquals(page.status, 303);
});
