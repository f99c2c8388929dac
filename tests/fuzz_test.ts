import { seededRandom } from "../services/providers/simulators/faults.ts";
import { assertEquals } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

/** Things clients get wrong, combined at random (seeded, so a failure can be replayed). */
const IDS = [
  "vid_0123456789abcdef01234567",
  "../../etc/passwd",
  "%2e%2e%2f",
  "vid_%00",
  "ünïcødé",
  "x".repeat(5000),
  "vid_ZZZZ",
  "",
  "%",
  "vid_0123456789abcdef0123456g",
];
const QUERIES = [
  "",
  "?limit=-1",
  "?limit=abc",
  "?limit=1e309",
  "?cursor=%%%",
  "?cursor=" + "A".repeat(300),
  "?status=done",
  "?q=" + "%F0%9F%92%A9".repeat(100),
  "?variant=poster",
  "?variant[]=video",
  "?download=maybe",
  "?q=%27%3B%20DROP%20TABLE%20videos%3B--",
];
const BODIES: (() => BodyInit | undefined)[] = [
  () => undefined,
  () => "{",
  () => "null",
  () => "[]",
  () => '"just a string"',
  () => JSON.stringify({ prompt: 123, model: ["sora-2"], size: {}, seconds: -4 }),
  () => JSON.stringify({ prompt: "x".repeat(100_000) }),
  () => JSON.stringify({ prompt: "\u0000\uFFFF\uD800", seconds: "4" }),
  () => JSON.stringify({ prompt: "ok", seconds: 1e400 }),
  () => JSON.stringify({ username: null, password: 42 }),
  () => "prompt=hello&model=sora-2&size=nope",
  () => '--boundary\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhi\r\n--bound',
  () => {
    const form = new FormData();
    form.set("prompt", "with a file");
    form.set("input_reference", new File(["GIF89a"], "x.gif", { type: "image/gif" }));
    return form;
  },
  () => {
    const form = new FormData();
    form.set("input_reference", "not a file");
    return form;
  },
];
const CONTENT_TYPES = [
  undefined,
  "application/json",
  "application/json; charset=utf-16",
  "multipart/form-data",
  "multipart/form-data; boundary=boundary",
  "application/x-www-form-urlencoded",
  "text/plain",
  "application/xml",
];
const RANGES = [
  undefined,
  "bytes=5-1",
  "bytes=-0",
  "bytes=0-",
  "bytes=abc",
  "items=0-1",
  "bytes=0-1,5-9",
];
const METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"];

Deno.test("[fuzz] 1,500 malformed requests across every route: no 5xx, still serving", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "real one" })).json();
  // And one that looks finished, so the actions on a finished video are reached too.
  const { id: done } = await (await t.api("POST", "/api/videos", token, { prompt: "done" })).json();
  t.runtime.db.updateVideo(done, { status: "completed", upstream_id: "video_gone" }, Date.now());
  const ids = [...IDS, id, done];
  const paths = (vid: string) => [
    "/api/auth/login",
    "/api/auth/logout",
    "/api/me",
    "/api/models",
    "/api/videos",
    `/api/videos/${vid}`,
    `/api/videos/${vid}/content`,
    `/api/videos/${vid}/remix`,
    `/api/videos/${vid}/extend`,
    `/api/videos/${vid}/edit`,
    `/api/videos/${vid}/continue`,
    "/webhooks/openai",
    "/mcp",
    "/login",
    "/logout",
    "/",
    "/videos",
    `/videos/${vid}`,
    `/videos/${vid}/content`,
    `/videos/${vid}/remix`,
    `/videos/${vid}/extend`,
    `/videos/${vid}/edit`,
    `/videos/${vid}/continue`,
    `/videos/${vid}/delete`,
    "/static/app.js",
    "/static/../deno.json",
    "/healthz",
  ];
  const random = seededRandom(20261124);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const failures: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const path = pick(paths(pick(ids))) + pick(QUERIES);
    const method = pick(METHODS);
    const headers: Record<string, string> = { origin: "http://localhost" };
    const auth = random();
    if (auth < 0.4) headers.authorization = `Bearer ${token}`;
    else if (auth < 0.7) headers.cookie = cookie;
    else if (auth < 0.8) headers.authorization = "Bearer " + "\u00ff".repeat(10);
    const type = pick(CONTENT_TYPES);
    if (type) headers["content-type"] = type;
    const range = pick(RANGES);
    if (range) headers.range = range;
    if (random() < 0.2) headers["hx-request"] = "true";
    if (random() < 0.1) headers["last-event-id"] = pick(["-1", "abc", "99999999999999999999"]);
    const body = method === "GET" || method === "HEAD" ? undefined : pick(BODIES)();
    if (body instanceof FormData) delete headers["content-type"];
    let res: Response;
    try {
      res = await t.app.request(path, { method, headers, body });
    } catch (error) {
      failures.push(`${method} ${path.slice(0, 80)} threw ${error}`);
      continue;
    }
    const streaming = res.headers.get("content-type")?.startsWith("text/event-stream");
    if (streaming) await res.body?.cancel();
    else await res.arrayBuffer();
    if (res.status >= 500) failures.push(`${method} ${path.slice(0, 80)} → ${res.status}`);
  }
  assertEquals(failures, []);
  assertEquals((await t.api("GET", "/healthz")).status, 200);
  // The fuzz may have logged the token out or deleted the video: a fresh login still works.
  const again = await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: "correct horse battery",
  });
  assertEquals((await t.api("GET", "/api/me", (await again.json()).token)).status, 200);
});
