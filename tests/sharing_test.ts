import { createUser } from "../services/auth/auth.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

const PROMPT = "a lighthouse keeper feeding gulls at dawn";

/** A completed video of a new user `ada`, and her token. */
async function completedVideo(t: TestApp) {
  const ada = await t.userToken("ada");
  const created: Video = await (await t.api("POST", "/api/videos", ada, {
    prompt: PROMPT,
    seconds: "4",
  })).json();
  const video = await t.waitForVideo(ada, created.id, (v) => v.status === "completed");
  return { ada, video };
}

/** A request as a stranger's browser sends it: no cookie, no token. */
function anonymous(t: TestApp, path: string, headers: Record<string, string> = {}) {
  return Promise.resolve(t.app.request(path, { headers }));
}

function assertPrivate(res: Response) {
  assertEquals(res.headers.get("cache-control"), "no-store");
  assertEquals(res.headers.get("x-robots-tag"), "noindex, nofollow");
  assertEquals(res.headers.get("referrer-policy"), "no-referrer");
}

Deno.test("[sharing] the owner makes a link that plays without logging in; the same link again", async () => {
  await using t = await startTestApp();
  const { ada, video } = await completedVideo(t);
  assertEquals(video.share, null);

  const res = await t.api("POST", `/api/videos/${video.id}/share`, ada);
  assertEquals(res.status, 201);
  const share = await res.json();
  assertMatch(share.url, /^\/s\/[A-Za-z0-9_-]{43}$/);
  assertEquals(share.url, `/s/${share.token}`);
  assert(!Number.isNaN(Date.parse(share.created_at)));

  // The video object says so to its owner; sharing again answers the same link.
  const shared: Video = await (await t.api("GET", `/api/videos/${video.id}`, ada)).json();
  assertEquals(shared.share, { url: share.url, created_at: share.created_at });
  const again = await t.api("POST", `/api/videos/${video.id}/share`, ada);
  assertEquals(again.status, 200);
  assertEquals((await again.json()).url, share.url);

  // The page: player, prompt and author, nothing else, for anyone.
  const page = await anonymous(t, share.url);
  assertEquals(page.status, 200);
  assertPrivate(page);
  const html = await page.text();
  assert(html.includes(`src="${share.url}/video"`), "the player plays the link's MP4");
  assert(html.includes(`poster="${share.url}/thumbnail"`), "the thumbnail is the poster");
  assert(html.includes(PROMPT));
  assertMatch(html, /Made by <strong data-shared-author="true">ada<\/strong>/);
  for (const secret of [video.id, video.model, video.model_label, "$", "/api/", "/videos/"]) {
    assert(!html.includes(secret), `the shared page does not show ${secret}`);
  }

  // The MP4 in ranges, as a player asks; the poster too.
  const whole = await anonymous(t, `${share.url}/video`);
  assertEquals(whole.status, 200);
  assertEquals(whole.headers.get("content-type"), "video/mp4");
  assertPrivate(whole);
  const size = Number(whole.headers.get("content-length"));
  assertEquals((await whole.arrayBuffer()).byteLength, size);
  const part = await anonymous(t, `${share.url}/video`, { range: "bytes=0-99" });
  assertEquals(part.status, 206);
  assertEquals(part.headers.get("content-range"), `bytes 0-99/${size}`);
  assertEquals((await part.arrayBuffer()).byteLength, 100);
  assert(!(part.headers.get("etag") ?? "").includes(video.id), "the ETag names no video id");
  const poster = await anonymous(t, `${share.url}/thumbnail`);
  assertEquals([poster.status, poster.headers.get("content-type")], [200, "image/webp"]);
  await poster.body?.cancel();
});

Deno.test("[sharing] a revoked, unknown or malformed link is a 404 page", async () => {
  await using t = await startTestApp();
  const { ada, video } = await completedVideo(t);
  const share = await (await t.api("POST", `/api/videos/${video.id}/share`, ada)).json();

  const revoked = await t.api("DELETE", `/api/videos/${video.id}/share`, ada);
  assertEquals(revoked.status, 204);
  for (const path of [share.url, `${share.url}/video`, `${share.url}/thumbnail`]) {
    const res = await anonymous(t, path);
    assertEquals(res.status, 404, path);
    assertPrivate(res);
    await res.body?.cancel();
  }
  const page = await (await anonymous(t, share.url)).text();
  assertMatch(page, /Not found/);
  assertEquals(
    (await t.api("GET", `/api/videos/${video.id}`, ada).then((r) => r.json())).share,
    null,
  );

  for (const path of ["/s/" + "A".repeat(43), "/s/short", "/s/%00", "/s/" + "x".repeat(5000)]) {
    const res = await anonymous(t, path);
    assertEquals(res.status, 404, path);
    await res.body?.cancel();
  }

  // A new link is a new token: the revoked one stays dead.
  const fresh = await (await t.api("POST", `/api/videos/${video.id}/share`, ada)).json();
  assert(fresh.token !== share.token);
  assertEquals((await anonymous(t, fresh.url)).status, 200);
  assertEquals((await anonymous(t, share.url)).status, 404);
});

Deno.test("[sharing] another user cannot make or revoke a link (404); an admin can revoke", async () => {
  await using t = await startTestApp();
  const { ada, video } = await completedVideo(t);
  const bob = await t.userToken("bob");
  assertEquals((await t.api("POST", `/api/videos/${video.id}/share`, bob)).status, 404);

  const share = await (await t.api("POST", `/api/videos/${video.id}/share`, ada)).json();
  assertEquals((await t.api("DELETE", `/api/videos/${video.id}/share`, bob)).status, 404);
  assertEquals((await anonymous(t, share.url)).status, 200);

  // An admin cannot share another's video, but can end its link.
  await createUser(t.runtime.db, "root", "correct horse battery", "admin");
  const root = (await (await t.api("POST", "/api/auth/login", undefined, {
    username: "root",
    password: "correct horse battery",
  })).json()).token;
  assertEquals((await t.api("POST", `/api/videos/${video.id}/share`, root)).status, 404);
  assertEquals((await t.api("DELETE", `/api/videos/${video.id}/share`, root)).status, 204);
  assertEquals((await anonymous(t, share.url)).status, 404);
});

Deno.test("[sharing] an unfinished video cannot be shared, saying why", async () => {
  await using t = await startTestApp({
    upstreamFetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const ada = await t.userToken("ada");
  const queued: Video = await (await t.api("POST", "/api/videos", ada, { prompt: PROMPT })).json();
  const res = await t.api("POST", `/api/videos/${queued.id}/share`, ada);
  assertEquals(res.status, 409);
  const { error } = await res.json();
  assertEquals(error.code, "not_shareable");
  assertMatch(error.message, /finished/);
});

Deno.test("[sharing] deleting the video ends its link", async () => {
  await using t = await startTestApp();
  const { ada, video } = await completedVideo(t);
  const share = await (await t.api("POST", `/api/videos/${video.id}/share`, ada)).json();
  assertEquals((await t.api("DELETE", `/api/videos/${video.id}`, ada)).status, 204);
  assertEquals((await anonymous(t, share.url)).status, 404);
  assertEquals((await anonymous(t, `${share.url}/video`)).status, 404);
});

Deno.test("[sharing] the detail page makes, shows and revokes the link; admins list and revoke links", async () => {
  await using t = await startTestApp();
  const { video } = await completedVideo(t);
  const cookie = await t.sessionCookie("ada");
  const detail = await (await t.app.request(`/videos/${video.id}`, { headers: { cookie } })).text();
  assert(detail.includes("data-share-create"), "a completed video offers Share link");

  // htmx gets the box with the whole link.
  const made = await t.app.request(`/videos/${video.id}/share`, {
    method: "POST",
    headers: { cookie, origin: "http://localhost", "hx-request": "true" },
  });
  assertEquals(made.status, 200);
  const box = await made.text();
  const url = /<code id="share-url">(http:\/\/localhost\/s\/[A-Za-z0-9_-]{43})<\/code>/.exec(box)
    ?.[1];
  assert(url, "the box shows the whole link");
  assert(box.includes("data-share-revoke"));

  // Admins see it on /admin/shares and revoke it there.
  await createUser(t.runtime.db, "root", "correct horse battery", "admin");
  const admin = await t.sessionCookie("root");
  const list = await (await t.app.request("/admin/shares", { headers: { cookie: admin } })).text();
  assert(list.includes(new URL(url).pathname), "the admin list shows the link");
  assert(list.includes(PROMPT) && list.includes("ada"));
  assertEquals((await t.app.request("/admin/shares", { headers: { cookie } })).status, 404);
  const revoked = await t.postForm(`/admin/shares/${video.id}/revoke`, admin, {});
  assertEquals([revoked.status, revoked.headers.get("location")], [303, "/admin/shares?revoked=1"]);
  assertEquals((await anonymous(t, new URL(url).pathname)).status, 404);

  // A plain form (no htmx) comes back to the page.
  const plain = await t.postForm(`/videos/${video.id}/share`, cookie, {});
  assertEquals([plain.status, plain.headers.get("location")], [303, `/videos/${video.id}`]);
  const revokedByOwner = await t.postForm(`/videos/${video.id}/share/revoke`, cookie, {});
  assertEquals(revokedByOwner.status, 303);
  assertEquals((await t.runtime.db.videoById(video.id))!.share_token, null);
});
