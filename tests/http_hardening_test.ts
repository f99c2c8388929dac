import { DEFAULT_BODY_LIMIT, ROUTE_BODY_LIMITS } from "../routes/http/body_limits.ts";
import { createUser } from "../services/auth/auth.ts";
import { createVideoSchema } from "../services/videos/video_input.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, TEST_ORIGIN, type TestApp } from "./helpers.ts";

const PASSWORD = "correct horse battery";
const EVIL = "http://evil.example";

/** The app on a real socket, for requests `app.request` cannot send (a lying Content-Length). */
function serve(t: TestApp) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  return {
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** Reads one HTTP/1.1 answer off a raw connection: status, headers and the body as text. */
async function readAnswer(
  conn: Deno.Conn,
): Promise<{ status: number; head: string; body: string }> {
  const decoder = new TextDecoder();
  let text = "";
  const buffer = new Uint8Array(16 * 1024);
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const head = text.slice(0, end);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = text.slice(end + 4);
      if (Number.isFinite(length) && new TextEncoder().encode(body).length >= length) {
        return { status: Number(head.split(" ")[1]), head, body };
      }
    }
    const n = await conn.read(buffer);
    if (n === null) {
      const cut = text.indexOf("\r\n\r\n");
      return {
        status: Number(text.split(" ")[1]),
        head: text.slice(0, cut),
        body: text.slice(cut + 4),
      };
    }
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
}

/** A body that never ends, produced only as fast as the server reads it; counts what it gave. */
function endless(chunkSize = 8 * 1024) {
  const chunk = new Uint8Array(chunkSize).fill(0x61);
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counter.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

async function adminCookie(t: TestApp): Promise<string> {
  await createUser(t.runtime.db, "root", PASSWORD, "admin");
  return await t.sessionCookie("root", PASSWORD);
}

// Row 2: one global body limit.

Deno.test("[limits] a 150 MB body declared by Content-Length is refused with 413 before it is read", async () => {
  await using t = await startTestApp({ startJobs: false });
  await using server = serve(t);
  for (
    const [path, machine] of [
      ["/api/auth/login", true],
      ["/mcp", true],
      ["/webhooks/openai", true],
      ["/login", false],
    ] as const
  ) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    try {
      // Only the headers are sent: the answer must come without waiting for a byte of the body.
      await conn.write(new TextEncoder().encode(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Origin: http://127.0.0.1:${server.port}\r\nContent-Length: ${150 * 1024 * 1024}\r\n\r\n`,
      ));
      const answer = await readAnswer(conn);
      assertEquals(answer.status, 413, `${path}: ${answer.head}`);
      if (machine) {
        const error = JSON.parse(answer.body).error;
        assertEquals(error.code, "payload_too_large", path);
        assertMatch(error.message, /too large/);
      } else {
        assertMatch(answer.head, /content-type: text\/html/i);
        assertMatch(answer.body, /too large/);
      }
    } finally {
      conn.close();
    }
  }
});

Deno.test("[limits] a body without Content-Length that never ends is refused after 64 KB", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  for (
    const [path, headers] of [
      ["/api/auth/login", {}],
      ["/api/videos/vid_000000000000000000000000/remix", { authorization: `Bearer ${token}` }],
      ["/mcp", { authorization: `Bearer ${token}` }],
      ["/login", { origin: TEST_ORIGIN }],
    ] as const
  ) {
    const { stream, counter } = endless();
    const res = await t.app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: stream,
      // @ts-ignore: Deno needs this for a streamed request body
      duplex: "half",
    });
    assertEquals(res.status, 413, path);
    // Read up to the limit and a chunk of read-ahead, never more.
    assert(counter.pulled <= DEFAULT_BODY_LIMIT + 4 * 8 * 1024, `${path} read ${counter.pulled}`);
    await res.body?.cancel();
  }
});

Deno.test("[limits] a chunked body on a real socket is answered 413 while it is still being sent", async () => {
  await using t = await startTestApp({ startJobs: false });
  await using server = serve(t);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(new TextEncoder().encode(
      `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n`,
    ));
    const answer = readAnswer(conn);
    const chunk = new TextEncoder().encode(`2000\r\n${"a".repeat(0x2000)}\r\n`);
    // Keep sending until the answer comes. Once the server stops reading, a write blocks on a
    // full socket: the answer wins the race and the connection is closed under the write.
    let answered = false;
    while (!answered) {
      answered = await Promise.race([
        answer.then(() => true),
        conn.write(chunk).then(() => false, () => true),
      ]);
    }
    const { status, body } = await answer;
    assertEquals(status, 413);
    assertEquals(JSON.parse(body).error.code, "payload_too_large");
  } finally {
    conn.close();
  }
});

Deno.test("[limits] the create route takes a reference image over 64 KB; its own limit still holds", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  // 1 MB is far over the global limit, well under the create's: it reaches the image check.
  const form = () => {
    const f = new FormData();
    f.set("prompt", "animate this");
    f.set("input_reference", new File([new Uint8Array(1024 * 1024)], "ref.png"));
    return f;
  };
  const api = await t.api("POST", "/api/videos", token, form());
  assertEquals(api.status, 415, "read whole, refused for its bytes, not its size");
  const page = await t.app.request("/videos", {
    method: "POST",
    headers: { cookie, origin: TEST_ORIGIN, "hx-request": "true" },
    body: form(),
  });
  assertEquals(page.status, 415);
  // The OpenAI webhook keeps its 256 KB: 100 KB reaches the signature check.
  const webhook = await t.app.request("/webhooks/openai", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "x".repeat(100 * 1024),
  });
  assert(webhook.status !== 413, `webhook: ${webhook.status}`);
  // Every route in the table applies its own limit: one byte more is refused.
  const auth: Record<string, Record<string, string>> = {
    "/api/videos": { authorization: `Bearer ${token}` },
    "/videos": { cookie, origin: TEST_ORIGIN },
  };
  for (const { paths, maxSize } of Object.values(ROUTE_BODY_LIMITS)) {
    for (const path of paths) {
      const { stream } = endless(64 * 1024);
      const res = await t.app.request(path, {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=x", ...auth[path] },
        body: stream,
        // @ts-ignore: Deno needs this for a streamed request body
        duplex: "half",
      });
      assertEquals(res.status, 413, `${path} beyond ${maxSize}`);
      await res.body?.cancel();
    }
  }
});

// Row 6: static assets by own name only.

Deno.test("[static] names of object members are 404, not 500", async () => {
  await using t = await startTestApp({ startJobs: false });
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
    const res = await t.app.request(`/static/${name}`);
    assertEquals(res.status, 404, name);
    await res.body?.cancel();
  }
  assertEquals((await t.app.request("/static/app.css")).status, 200);
});

// Row 10: every state-changing page request comes from the app's own origin.

Deno.test("[origin] page requests from another origin are refused whatever their content type", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "mine" })).json();
  const attempts: [string, string, Record<string, string>, string?][] = [
    ["POST", "/videos", { "content-type": "application/json" }, '{"prompt":"json csrf"}'],
    ["POST", "/videos", { "content-type": "text/plain" }, "prompt=plain csrf"],
    ["POST", "/videos", { "content-type": "application/x-www-form-urlencoded" }, "prompt=form"],
    ["DELETE", `/videos/${id}`, {}],
    ["POST", `/videos/${id}/delete`, {}],
    ["POST", "/logout", {}],
  ];
  for (const [method, path, headers, body] of attempts) {
    const res = await t.app.request(path, {
      method,
      headers: { cookie, origin: EVIL, ...headers },
      body,
    });
    assertEquals(res.status, 403, `${method} ${path}`);
    assertMatch(await res.text(), /another site/);
  }
  const list = await (await t.api("GET", "/api/videos", token)).json();
  assertEquals(list.data.map((v: { prompt: string }) => v.prompt), ["mine"]);
  assertEquals((await t.app.request("/", { headers: { cookie } })).status, 200, "still logged in");
});

Deno.test("[origin] without Origin, Sec-Fetch-Site then Referer decide; with none, refused", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const post = (headers: Record<string, string>) =>
    t.app.request("/videos", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ prompt: "a quiet lake" }),
    });
  assertEquals((await post({ "sec-fetch-site": "cross-site" })).status, 403);
  assertEquals((await post({ "sec-fetch-site": "same-site" })).status, 403);
  assertEquals((await post({ referer: `${EVIL}/page` })).status, 403);
  assertEquals((await post({ origin: "null" })).status, 403);
  const none = await post({});
  assertEquals(none.status, 403);
  assertMatch(await none.text(), /does not say which site sent it/);
  assertEquals((await post({ "sec-fetch-site": "same-origin" })).status, 303);
  assertEquals((await post({ referer: `${TEST_ORIGIN}/` })).status, 303);
  assertEquals((await post({ origin: TEST_ORIGIN })).status, 303);
});

Deno.test("[origin] behind a proxy the app's origin is X-Forwarded-Proto with Host, or PUBLIC_URL", async () => {
  await using t = await startTestApp({
    startJobs: false,
    env: { PUBLIC_URL: "https://studio.example.com" },
  });
  await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const post = (url: string, headers: Record<string, string>) =>
    t.app.request(url, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ prompt: "a quiet lake" }),
    });
  // TLS ends at the proxy: the app sees http://, the browser says https://.
  const proxied = await post("http://studio.internal/videos", {
    origin: "https://studio.internal",
    "x-forwarded-proto": "https",
  });
  assertEquals(proxied.status, 303);
  const bare = await post("http://studio.internal/videos", { origin: "https://studio.internal" });
  assertEquals(bare.status, 403, "https claimed by the browser only, without the proxy's word");
  const publicUrl = await post("http://127.0.0.1:8000/videos", {
    origin: "https://studio.example.com",
  });
  assertEquals(publicUrl.status, 303);
});

Deno.test("[origin] the JSON API, MCP and webhooks are not judged by origin", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const created = await t.app.request("/api/videos", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, origin: EVIL, "content-type": "application/json" },
    body: JSON.stringify({ prompt: "from a script" }),
  });
  assertEquals(created.status, 201);
  const webhook = await t.app.request("/webhooks/fal", { method: "POST", body: "{}" });
  assert(webhook.status !== 403, `webhook: ${webhook.status}`);
});

// Row 11 (part): caching, readiness, control characters.

Deno.test("[headers] pages and API answers are no-store; media and static assets keep their caching", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "a cached cat" }))
    .json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const answers: [string, RequestInit][] = [
    ["/", { headers: { cookie } }],
    [`/videos/${id}`, { headers: { cookie } }],
    ["/api/videos", { headers: { authorization: `Bearer ${token}` } }],
    [`/api/videos/${id}`, { headers: { authorization: `Bearer ${token}` } }],
    ["/api/me", { headers: { authorization: `Bearer ${token}` } }],
  ];
  for (const [path, init] of answers) {
    const res = await t.app.request(path, init);
    assertEquals(res.status, 200, path);
    assertEquals(res.headers.get("cache-control"), "no-store", path);
    await res.body?.cancel();
  }
  const login = await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: PASSWORD,
  });
  assertEquals(login.headers.get("cache-control"), "no-store", "the token answer");
  await login.body?.cancel();
  const media = await t.app.request(`/api/videos/${id}/content`, {
    headers: { authorization: `Bearer ${token}`, range: "bytes=0-9" },
  });
  assertEquals(media.status, 206);
  assertEquals(media.headers.get("cache-control"), "private, max-age=31536000, immutable");
  const etag = media.headers.get("etag")!;
  await media.body?.cancel();
  const again = await t.app.request(`/api/videos/${id}/content`, {
    headers: { authorization: `Bearer ${token}`, "if-none-match": etag },
  });
  assertEquals(again.status, 304);
  assertEquals(again.headers.get("cache-control"), "private, max-age=31536000, immutable");
  const css = await t.app.request("/static/app.css");
  assertEquals(css.headers.get("cache-control"), "no-cache");
  await css.body?.cancel();
});

Deno.test("[readyz] says what failed without naming upstream addresses", async () => {
  const base = "https://videos.internal.example:8443/v1";
  await using t = await startTestApp({
    startJobs: false,
    env: { SORA_SIMULATE: "0", OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: base },
    // The endpoint answers, but says something that quotes its own address and a peer's.
    upstreamFetch: () =>
      Promise.resolve(
        Response.json({
          error: {
            message: `No such route ${base}/videos (via 10.1.2.3:8443, proxy.internal.example)`,
          },
        }, { status: 400 }),
      ),
  });
  const res = await t.app.request("/readyz");
  const text = await res.text();
  const ready = JSON.parse(text);
  assertEquals(ready.upstream.verified, false, text);
  assertMatch(ready.upstream.detail, /No such route/);
  for (
    const leak of ["videos.internal.example", "8443", "10.1.2.3", "proxy.internal", "https://"]
  ) {
    assert(!text.includes(leak), `${leak} in ${text}`);
  }
  assertEquals(ready.upstream.name, "OpenAI Sora");
});

Deno.test("[input] control characters are refused in text with a 400 naming the field", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const refusals: [Promise<Response>, string][] = [
    [t.api("POST", "/api/videos", token, { prompt: "a cat\u0000 and more" }), "prompt"],
    [t.api("POST", "/api/videos", token, { prompt: "a cat", size: "1280x720\u0007" }), "size"],
    [t.api("POST", "/api/videos", token, { prompt: "bell\u0007" }), "prompt"],
    [t.api("POST", "/api/videos", token, { prompt: "lone\rreturn" }), "prompt"],
    [t.api("POST", "/api/videos", token, { prompt: "c1\u0085" }), "prompt"],
    [
      t.api("POST", "/api/auth/login", undefined, { username: "ada\u0000", password: "x" }),
      "username",
    ],
    [t.api("GET", "/api/videos?q=cat%00", token), "q"],
  ];
  for (const [request, field] of refusals) {
    const res = await request;
    assertEquals(res.status, 400, field);
    const { error } = await res.json();
    assertEquals(error.code, "invalid_request");
    assert(error.fields?.[field], `${field}: ${JSON.stringify(error)}`);
    assertMatch(error.message, /control character \(U\+00/);
  }
  const page = await t.postForm("/videos", cookie, { prompt: "form\u0000prompt" });
  assertEquals(page.status, 400);
  assertMatch(await page.text(), /prompt contains a control character/);
  const admin = await adminCookie(t);
  const user = await t.postForm("/admin/users", admin, {
    username: "eve\u0001",
    password: PASSWORD,
  });
  assertEquals(user.status, 400);
  assertMatch(await user.text(), /username contains a control character/);
  // The schema itself refuses, so MCP and any other caller of it do too.
  assertEquals(createVideoSchema.safeParse({ prompt: "a\u0000b" }).success, false);
  // Tabs and line breaks (also as \r\n) are text.
  const fine = await t.api("POST", "/api/videos", token, { prompt: "line one\r\nline two\tend" });
  assertEquals(fine.status, 201);
  assertEquals((await fine.json()).prompt, "line one\r\nline two\tend");
});
