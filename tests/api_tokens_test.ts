import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp } from "./helpers.ts";
import { freshPostgres, POSTGRES_URL } from "./storage_helpers.ts";

Deno.test("[tokens] a named token is answered once, opens the API, and is listed without it", async () => {
  await using t = await startTestApp({ startJobs: false });
  const login = await t.userToken("ada");
  const res = await t.api("POST", "/api/me/tokens", login, { name: "nightly script" });
  assertEquals(res.status, 201);
  assertEquals(res.headers.get("cache-control"), "no-store");
  const made = await res.json();
  assertMatch(made.token, /^[\w-]{40,}$/);
  assertEquals(made.name, "nightly script");
  assertEquals(made.last_used_at, null);
  assert(Date.parse(made.expires_at) > Date.now() + 80 * 24 * 3600_000, "lasts 90 days");
  assertEquals((await t.api("GET", "/api/me", made.token)).status, 200);

  const list = await t.api("GET", "/api/me/tokens", login);
  assertEquals(list.status, 200);
  const text = await list.text();
  assert(!text.includes(made.token), "the token itself is never listed");
  assert(!text.includes(login), "nor the login's");
  const { data } = JSON.parse(text);
  const names = data.map((x: { name: string }) => x.name).sort();
  assertEquals(names, ["API login", "nightly script"]);
  const listed = data.find((x: { id: string }) => x.id === made.id);
  assertEquals(Object.keys(listed).sort(), [
    "created_at",
    "expires_at",
    "id",
    "last_used_at",
    "name",
  ]);
});

Deno.test("[tokens] the list shows a token's last use, written at most once a minute", async () => {
  let clock = Date.parse("2030-01-01T00:00:00Z");
  await using t = await startTestApp({ startJobs: false, now: () => clock });
  const login = await t.userToken("ada");
  const made = await (await t.api("POST", "/api/me/tokens", login, { name: "mcp" })).json();
  const lastUse = async () => {
    const { data } = await (await t.api("GET", "/api/me/tokens", login)).json();
    return data.find((x: { id: string }) => x.id === made.id).last_used_at;
  };
  assertEquals(await lastUse(), null);

  clock += 5_000;
  assertEquals((await t.api("GET", "/api/models", made.token)).status, 200);
  assertEquals(await lastUse(), "2030-01-01T00:00:05.000Z");
  clock += 30_000; // within the minute: not written again
  await t.api("GET", "/api/models", made.token);
  assertEquals(await lastUse(), "2030-01-01T00:00:05.000Z");
  clock += 60_000;
  await t.api("GET", "/api/models", made.token);
  assertEquals(await lastUse(), "2030-01-01T00:01:35.000Z");
});

Deno.test("[tokens] a revoked token gets 401 and leaves the list", async () => {
  await using t = await startTestApp({ startJobs: false });
  const login = await t.userToken("ada");
  const made = await (await t.api("POST", "/api/me/tokens", login, { name: "ci" })).json();
  assertEquals((await t.api("DELETE", `/api/me/tokens/${made.id}`, login)).status, 204);
  const after = await t.api("GET", "/api/me", made.token);
  assertEquals(after.status, 401);
  const { data } = await (await t.api("GET", "/api/me/tokens", login)).json();
  assertEquals(data.map((x: { name: string }) => x.name), ["API login"]);
  // Revoking it again: it is gone.
  assertEquals((await t.api("DELETE", `/api/me/tokens/${made.id}`, login)).status, 404);
});

Deno.test("[tokens] another user's token id is 404 and that token keeps working", async () => {
  await using t = await startTestApp({ startJobs: false });
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const made = await (await t.api("POST", "/api/me/tokens", ada, { name: "ada's" })).json();
  const res = await t.api("DELETE", `/api/me/tokens/${made.id}`, bob);
  assertEquals(res.status, 404);
  assertEquals((await res.json()).error.code, "not_found");
  assertEquals((await t.api("GET", "/api/me", made.token)).status, 200);
  const { data } = await (await t.api("GET", "/api/me/tokens", bob)).json();
  assert(!data.some((x: { id: string }) => x.id === made.id), "bob does not see ada's tokens");
});

Deno.test("[tokens] a token needs a name; a bad one is 400 naming the field", async () => {
  await using t = await startTestApp({ startJobs: false });
  const login = await t.userToken("ada");
  for (const body of [{}, { name: "   " }, { name: "x".repeat(61) }, { name: 5 }]) {
    const res = await t.api("POST", "/api/me/tokens", login, body);
    assertEquals(res.status, 400, JSON.stringify(body));
    assertEquals(typeof (await res.json()).error.fields.name, "string");
  }
  assertEquals((await t.api("GET", "/api/me/tokens")).status, 401);
});

Deno.test("[tokens] a password change made with a named token keeps that token and its name", async () => {
  await using t = await startTestApp({ startJobs: false });
  const login = await t.userToken("ada");
  const made = await (await t.api("POST", "/api/me/tokens", login, { name: "laptop" })).json();
  const res = await t.api("POST", "/api/me/password", made.token, {
    current_password: "correct horse battery",
    new_password: "a much better passphrase",
  });
  assertEquals(res.status, 204);
  assertEquals((await t.api("GET", "/api/me", login)).status, 401);
  const { data } = await (await t.api("GET", "/api/me/tokens", made.token)).json();
  assertEquals(data.map((x: { id: string; name: string }) => [x.id, x.name]), [
    [made.id, "laptop"],
  ]);
});

Deno.test("[tokens] the page makes a token shown once with the MCP snippet, and revokes it", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const made = await t.postForm("/account/tokens", cookie, { name: "Claude Code" });
  assertEquals(made.status, 200);
  assertEquals(made.headers.get("cache-control"), "no-store");
  const html = await made.text();
  const token = /<code id="new-token">([\w-]+)<\/code>/.exec(html)?.[1];
  assert(token, "the token is shown");
  assert(html.includes("http://localhost/mcp"), "the MCP snippet names this server");
  assert(html.includes(`Bearer ${token}`), "with the token");
  assertEquals((await t.api("GET", "/api/me", token)).status, 200);

  const page = await (await t.app.request("/account/tokens", { headers: { cookie } })).text();
  assert(page.includes("Claude Code"));
  assert(!page.includes(token), "shown only once");
  const id = /data-token="([\w-]+)"[^]*?Claude Code/.exec(page)?.[1];
  assert(id);

  // Another origin cannot revoke it.
  const cross = await t.app.request(`/account/tokens/${id}/revoke`, {
    method: "POST",
    headers: { cookie, origin: "https://evil.example" },
  });
  assertEquals(cross.status, 403);
  const revoked = await t.postForm(`/account/tokens/${id}/revoke`, cookie, {});
  assertEquals(revoked.status, 303);
  assertEquals(revoked.headers.get("location"), "/account/tokens?revoked=1");
  assertEquals((await t.api("GET", "/api/me", token)).status, 401);

  const empty = await t.postForm("/account/tokens", cookie, { name: "" });
  assertEquals(empty.status, 400);
  assert((await empty.text()).includes("Give the token a name"));
});

Deno.test({
  name: "[tokens] on PostgreSQL: make, last use, list, revoke",
  ignore: !POSTGRES_URL,
  async fn() {
    await using fresh = await freshPostgres();
    let clock = Date.parse("2030-01-01T00:00:00Z");
    await using t = await startTestApp({
      startJobs: false,
      now: () => clock,
      env: { DATABASE_URL: fresh.url },
    });
    const login = await t.userToken("ada");
    const made = await (await t.api("POST", "/api/me/tokens", login, { name: "pg" })).json();
    clock += 5_000;
    assertEquals((await t.api("GET", "/api/me", made.token)).status, 200);
    const { data } = await (await t.api("GET", "/api/me/tokens", login)).json();
    assertEquals(data.find((x: { id: string }) => x.id === made.id), {
      id: made.id,
      name: "pg",
      created_at: "2030-01-01T00:00:00.000Z",
      last_used_at: "2030-01-01T00:00:05.000Z",
      expires_at: made.expires_at,
    });
    assertEquals((await t.api("DELETE", `/api/me/tokens/${made.id}`, login)).status, 204);
    assertEquals((await t.api("GET", "/api/me", made.token)).status, 401);
  },
});

Deno.test("[tokens] revoking a token closes the live stream opened with it at once", async () => {
  // Streams re-check their token only every minute here: the close must come from the revoke.
  await using t = await startTestApp({ startJobs: false, sessionCheckMs: 60_000 });
  const login = await t.userToken("ada");
  const made = await (await t.api("POST", "/api/me/tokens", login, { name: "agent" })).json();
  const res = await t.app.request("/api/events", {
    headers: { authorization: `Bearer ${made.token}` },
  });
  assertEquals(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes(": connected")) {
    const chunk = await reader.read();
    assert(!chunk.done, "the stream started");
    text += chunk.value;
  }
  assertEquals((await t.api("DELETE", `/api/me/tokens/${made.id}`, login)).status, 204);
  const ended = (async () => {
    while (!(await reader.read()).done) { /* heartbeats until the end */ }
    return true;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 5_000));
  const closed = await Promise.race([ended, timeout]);
  clearTimeout(timer);
  await reader.cancel().catch(() => {});
  assert(closed, "the stream closed within 5 s of the revoke");
});
