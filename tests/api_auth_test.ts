import { assertEquals, assertMatch } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

Deno.test("[auth] login answers a token and the user; the token opens /api/me", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  assertMatch(token, /^[\w-]{40,}$/);
  const me = await t.api("GET", "/api/me", token);
  assertEquals(me.status, 200);
  const body = await me.json();
  assertEquals(body.username, "ada");
  assertEquals(body.role, "user");
});

Deno.test("[auth] a wrong password and an unknown user get the same 401", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const wrong = await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: "nope nope nope",
  });
  const unknown = await t.api("POST", "/api/auth/login", undefined, {
    username: "nobody",
    password: "nope nope nope",
  });
  assertEquals(wrong.status, 401);
  assertEquals(unknown.status, 401);
  assertEquals(await wrong.json(), await unknown.json());
});

Deno.test("[auth] login without a password is 400 naming the field", async () => {
  await using t = await startTestApp({ startJobs: false });
  const res = await t.api("POST", "/api/auth/login", undefined, { username: "ada" });
  assertEquals(res.status, 400);
  const body = await res.json();
  assertEquals(body.error.code, "invalid_request");
  assertEquals(typeof body.error.fields.password, "string");
});

Deno.test("[auth] logout ends the token", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  assertEquals((await t.api("POST", "/api/auth/logout", token)).status, 204);
  const after = await t.api("GET", "/api/me", token);
  assertEquals(after.status, 401);
  assertEquals((await after.json()).error.code, "unauthorized");
});

Deno.test("[auth] API routes without a token are 401 with the error shape", async () => {
  await using t = await startTestApp({ startJobs: false });
  for (const path of ["/api/me", "/api/videos", "/api/models", "/api/events"]) {
    const res = await t.api("GET", path);
    assertEquals(res.status, 401, path);
    assertEquals((await res.json()).error.code, "unauthorized");
  }
});

Deno.test("[auth] a page session cookie does not open the JSON API", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const form = new URLSearchParams({ username: "ada", password: "correct horse battery" });
  const login = await t.app.request("/login", {
    method: "POST",
    body: form,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
  });
  assertEquals(login.status, 303);
  const cookie = login.headers.get("set-cookie")!;
  assertMatch(cookie, /HttpOnly/i);
  assertMatch(cookie, /SameSite=Lax/i);
  const res = await t.app.request("/api/me", { headers: { cookie: cookie.split(";")[0] } });
  assertEquals(res.status, 401);
});

Deno.test("[health] /healthz answers ok without auth", async () => {
  await using t = await startTestApp({ startJobs: false });
  const res = await t.api("GET", "/healthz");
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { ok: true });
});

Deno.test("[models] /api/models lists sizes, seconds and prices", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const all = (await (await t.api("GET", "/api/models", token)).json()).data;
  // Demo mode offers both simulated providers; Sora's models come first.
  const data = all.filter((m: { provider: string }) => m.provider === "openai");
  assertEquals(data.map((m: { id: string }) => m.id), ["sora-2", "sora-2-pro"]);
  assertEquals(data[1].price_per_second["1792x1024"], 0.5);
  assertEquals(data[0].sizes, ["720x1280", "1280x720"]);
  assertEquals(data[0].seconds, ["4", "8", "12"]);
});

Deno.test("[auth] repeated failures for one account from one address are 429 with Retry-After, even with the right password", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const attempt = (password: string, address = "203.0.113.9") =>
    t.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ username: "ada", password }),
    });
  for (let i = 0; i < 5; i++) assertEquals((await attempt("wrong password")).status, 401);
  const limited = await attempt("correct horse battery");
  assertEquals(limited.status, 429);
  assertEquals((await limited.json()).error.code, "rate_limited");
  const retryAfter = Number(limited.headers.get("retry-after"));
  assertEquals(retryAfter > 0 && retryAfter <= 15 * 60, true);
});

Deno.test("[auth] many failures from one address are limited across accounts", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const attempt = (username: string) =>
    t.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.50" },
      body: JSON.stringify({ username, password: "guess guess" }),
    });
  for (let i = 0; i < 20; i++) assertEquals((await attempt(`user${i}`)).status, 401);
  assertEquals((await attempt("ada")).status, 429);
  const elsewhere = await t.app.request("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.51" },
    body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
  });
  assertEquals(elsewhere.status, 200);
});

Deno.test("[auth] logout with ?all=1 ends every token and session of the user", async () => {
  await using t = await startTestApp({ startJobs: false });
  const first = await t.userToken("ada");
  const second = (await (await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: "correct horse battery",
  })).json()).token;
  const bob = await t.userToken("bob");
  assertEquals((await t.api("POST", "/api/auth/logout?all=1", first)).status, 204);
  assertEquals((await t.api("GET", "/api/me", second)).status, 401);
  assertEquals((await t.api("GET", "/api/me", bob)).status, 200);
  assertEquals((await t.api("POST", "/api/auth/logout?all=yes", bob)).status, 400);
});
