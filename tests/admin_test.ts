import { createUser } from "../services/auth/auth.ts";
import { videoDir } from "../services/stores/media/files.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

const ORIGIN = "http://localhost";
const PASSWORD = "correct horse battery";

async function cookieFor(t: TestApp, username: string, role: "admin" | "user") {
  await createUser(t.runtime.db, username, PASSWORD, role);
  return await t.sessionCookie(username, PASSWORD);
}

function post(t: TestApp, cookie: string, path: string, form: Record<string, string> = {}) {
  return t.postForm(path, cookie, form);
}

function apiLogin(t: TestApp, username: string, password = PASSWORD) {
  return t.api("POST", "/api/auth/login", undefined, { username, password });
}

Deno.test("[admin] the admin page is a 404 for everyone but admins", async () => {
  await using t = await startTestApp({ startJobs: false });
  const user = await cookieFor(t, "bob", "user");
  assertEquals((await t.app.request("/admin", { headers: { cookie: user } })).status, 404);
  assertEquals(
    (await post(t, user, "/admin/users", { username: "x", password: PASSWORD })).status,
    404,
  );
  assertEquals((await t.app.request("/admin")).status, 303, "not logged in: to the login page");
  const page = await (await t.app.request("/", { headers: { cookie: user } })).text();
  assert(!page.includes('href="/admin"'), "no admin link for users");
});

Deno.test("[admin] status shows the upstream, the key check, the budget and the queue", async () => {
  await using t = await startTestApp({ startJobs: false });
  const admin = await cookieFor(t, "root", "admin");
  const token = await t.userToken("ada");
  await t.api("POST", "/api/videos", token, { prompt: "one" });
  await t.api("POST", "/api/videos", token, { prompt: "two", model: "sora-2-pro", seconds: "8" });
  const home = await (await t.app.request("/", { headers: { cookie: admin } })).text();
  assert(home.includes('href="/admin"'), "admins see the way to the admin page");
  const html = await (await t.app.request("/admin", { headers: { cookie: admin } })).text();
  assertMatch(html, /built-in simulators \(demo mode\)/);
  assertMatch(html, /data-upstream-ok="true"/);
  assertMatch(html, /60000 requests per minute/);
  assertMatch(html, /Queued: 2/);
  // ada: 4 s of sora-2 at $0.10 plus 8 s of sora-2-pro at $0.30 = $2.80
  assertMatch(html, /<tr data-user="ada">[\s\S]*?<td[^>]*>2<\/td><td[^>]*>\$2\.80<\/td>/);
});

Deno.test("[admin] add, reset password, disable, enable and remove users", async () => {
  await using t = await startTestApp();
  const admin = await cookieFor(t, "root", "admin");

  const added = await post(t, admin, "/admin/users", { username: "carol", password: PASSWORD });
  assertEquals(added.status, 303);
  assertEquals(added.headers.get("location"), "/admin?notice=added");
  const token = (await (await apiLogin(t, "carol")).json()).token;
  const carol = (await t.runtime.db.userByName("carol"))!;

  const weak = await post(t, admin, "/admin/users", { username: "dave", password: "short" });
  assertEquals(weak.status, 400);
  assertMatch(await weak.text(), /at least 12 characters/);

  const reset = await post(t, admin, `/admin/users/${carol.id}/password`, {
    password: "a brand new password",
  });
  assertEquals(reset.headers.get("location"), "/admin?notice=password");
  assertEquals((await t.api("GET", "/api/me", token)).status, 401, "sessions ended");
  assertEquals((await apiLogin(t, "carol")).status, 401);
  const fresh = (await (await apiLogin(t, "carol", "a brand new password")).json()).token;

  await post(t, admin, `/admin/users/${carol.id}/disable`);
  assertEquals((await t.api("GET", "/api/me", fresh)).status, 401);
  const refused = await apiLogin(t, "carol", "a brand new password");
  assertEquals(refused.status, 403);
  assertEquals((await refused.json()).error.code, "account_disabled");
  const form = await t.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    body: new URLSearchParams({ username: "carol", password: "a brand new password" }),
  });
  assertEquals(form.status, 403);
  assertMatch(await form.text(), /This account is disabled/);
  await post(t, admin, `/admin/users/${carol.id}/enable`);
  const back = (await (await apiLogin(t, "carol", "a brand new password")).json()).token;

  const { id } = await (await t.api("POST", "/api/videos", back, { prompt: "mine" })).json();
  await t.waitForVideo(back, id, (v) => v.status === "completed");
  const removed = await post(t, admin, `/admin/users/${carol.id}/delete`);
  assertEquals(removed.headers.get("location"), "/admin?notice=removed");
  assertEquals(await t.runtime.db.userByName("carol"), undefined);
  await Deno.stat(videoDir(t.dataDir, id)).then(() => assert(false, "files left"), () => {});
});

Deno.test("[admin] an admin cannot disable or remove themself", async () => {
  await using t = await startTestApp({ startJobs: false });
  const admin = await cookieFor(t, "root", "admin");
  const self = (await t.runtime.db.userByName("root"))!;
  for (const action of ["disable", "delete"]) {
    const res = await post(t, admin, `/admin/users/${self.id}/${action}`);
    assertEquals(res.status, 409);
    assertMatch(await res.text(), /your own account/);
  }
  assertEquals((await post(t, admin, "/admin/users/999/disable")).status, 404);
});
