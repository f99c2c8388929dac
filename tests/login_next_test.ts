import { assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, TEST_ORIGIN, type TestApp } from "./helpers.ts";
import { safeNextPath } from "../routes/http/next_path.ts";

function loginForm(t: TestApp, fields: Record<string, string>) {
  return Promise.resolve(t.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: TEST_ORIGIN },
    body: new URLSearchParams({ username: "ada", password: "correct horse battery", ...fields }),
  }));
}

Deno.test("[login] a deep link sends to the login page with it, and login lands there", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const deep = "/videos/vid_0123456789abcdef01234567?tab=info";

  const bounced = await t.app.request(deep);
  assertEquals(bounced.status, 303);
  const login = bounced.headers.get("location")!;
  assertEquals(login, `/login?next=${encodeURIComponent(deep)}`);

  // The login page carries the target in its form…
  const form = await (await t.app.request(login)).text();
  assertMatch(
    form,
    /<input type="hidden" name="next" value="\/videos\/vid_0123456789abcdef01234567\?tab=info"/,
  );

  // …a wrong password keeps it…
  const wrong = await loginForm(t, { password: "wrong password", next: deep });
  assertEquals(wrong.status, 401);
  assertMatch(await wrong.text(), /name="next" value="\/videos\/vid_/);

  // …and the right one lands there.
  const res = await loginForm(t, { next: deep });
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), deep);
});

Deno.test("[login] the library itself and form posts bounce to plain /login", async () => {
  await using t = await startTestApp({ startJobs: false });
  assertEquals((await t.app.request("/")).headers.get("location"), "/login");
  const post = await t.app.request("/videos", {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
    body: "prompt=x",
  });
  assertEquals(post.status, 303);
  assertEquals(post.headers.get("location"), "/login");
});

Deno.test("[login] a target off this site lands on / instead: never an open redirect", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  for (
    const next of [
      "//evil.example",
      "https://evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "/%5Cevil.example",
      "javascript:alert(1)",
      "evil.example/path",
      "/\t/evil.example",
      "",
    ]
  ) {
    const res = await loginForm(t, { next });
    assertEquals(res.status, 303, next);
    const location = res.headers.get("location");
    // An encoded backslash stays a path on this site; everything else is "/".
    if (next === "/%5Cevil.example") assertEquals(location, "/%5Cevil.example");
    else assertEquals(location, "/", next);
    // The login page never offers them either.
    const page = await (await t.app.request(`/login?next=${encodeURIComponent(next)}`)).text();
    if (next !== "/%5Cevil.example") assertEquals(page.includes('name="next"'), false, next);
  }
});

Deno.test("[login] safeNextPath keeps only paths on this site", () => {
  assertEquals(safeNextPath("/videos/vid_1#top"), "/videos/vid_1#top");
  assertEquals(safeNextPath("/admin/spend?month=2025-01"), "/admin/spend?month=2025-01");
  assertEquals(safeNextPath("//evil.example"), "/");
  assertEquals(safeNextPath("/\\evil"), "/");
  assertEquals(safeNextPath("https://evil.example"), "/");
  assertEquals(safeNextPath(undefined), "/");
  assertEquals(safeNextPath("/" + "a".repeat(3000)), "/");
});
