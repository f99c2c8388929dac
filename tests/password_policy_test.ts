import { assert, assertEquals, assertMatch } from "./assert.ts";
import { freePort, startTestApp, type TestApp } from "./helpers.ts";
import { DEFAULT_LIMITS, LoginThrottle } from "../services/auth/login_throttle.ts";
import { createUser, randomPassword } from "../services/auth/auth.ts";
import { ensureFirstAdmin } from "../services/app/bootstrap.ts";
import { ConfigError, loadConfig } from "../services/app/config.ts";
import { openDatabase } from "../services/stores/open_database.ts";
import { passwordProblem } from "../services/auth/password_policy.ts";

const RIGHT = "correct horse battery";
const NEW = "a much better passphrase";
const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("[passwords] the policy: 12 characters, no common password, not the username", () => {
  for (
    const weak of [
      "password",
      "12345678",
      "short pass",
      "password1234",
      "PASSWORD1234",
      "Sunshine2024!!",
      "qwertyuiop123",
      "123456789012",
      "aaaaaaaaaaaaaaaa",
      "abababababab",
    ]
  ) {
    assert(passwordProblem(weak, "carol"), `${weak} should be refused`);
  }
  assertMatch(passwordProblem("margaret.h.1985", "margaret")!, /username/);
  assertMatch(passwordProblem("Margaret.Hamilton", "MARGARET.hamilton")!, /username/);
  assertMatch(passwordProblem("short", "x")!, /at least 12 characters/);
  assertMatch(passwordProblem("letmein123456", "x")!, /most common/);
  assertEquals(passwordProblem(RIGHT, "ada"), null);
  assertEquals(passwordProblem("tangerine rocket lamp", "al"), null, "a short name inside is fine");
  for (let i = 0; i < 200; i++) {
    assertEquals(passwordProblem(randomPassword("admin"), "admin"), null);
  }
});

function adminPost(t: TestApp, cookie: string, path: string, fields: Record<string, string>) {
  return t.postForm(path, cookie, fields);
}

Deno.test("[passwords] admin add and reset refuse weak passwords, saying why", async () => {
  await using t = await startTestApp({ startJobs: false });
  await createUser(t.runtime.db, "root", RIGHT, "admin");
  const admin = await t.sessionCookie("root");
  for (
    const [password, reason] of [
      ["password", /at least 12 characters/],
      ["12345678", /at least 12 characters/],
      ["password1234", /most common/],
      ["dave-the-builder", /username/],
    ] as const
  ) {
    const res = await adminPost(t, admin, "/admin/users", { username: "dave", password });
    assertEquals(res.status, 400, password);
    assertMatch(await res.text(), reason);
  }
  assertEquals(await t.runtime.db.userByName("dave"), undefined);
  const added = await adminPost(t, admin, "/admin/users", { username: "dave", password: NEW });
  assertEquals(added.status, 303);
  const dave = (await t.runtime.db.userByName("dave"))!;
  const reset = await adminPost(t, admin, `/admin/users/${dave.id}/password`, { password: "dave" });
  assertEquals(reset.status, 400);
  assertMatch(await reset.text(), /too weak/);
});

async function run(args: string[], env: Record<string, string>, stdin = "") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    cwd: Deno.env.get("TMPDIR") ?? "/tmp",
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("[passwords] the CLI and a weak ADMIN_PASSWORD are refused with one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sora-policy-" });
  try {
    const env = { DATA_DIR: dir };
    const common = await run(["user", "add", "grace"], env, "password1234\n");
    assertEquals(common.code, 1);
    assertMatch(common.stderr, /^error: The password is too weak\. password: .*most common/);
    assertEquals(common.stderr.trim().split("\n").length, 1, common.stderr);
    assertEquals((await run(["user", "add", "grace"], env, `${NEW}\n`)).code, 0);
    const named = await run(["user", "passwd", "grace"], env, "grace-is-my-name\n");
    assertEquals(named.code, 1);
    assertMatch(named.stderr, /username/);

    const fresh = await Deno.makeTempDir({ prefix: "sora-policy-start-" });
    try {
      const start = await run(["serve"], {
        DATA_DIR: fresh,
        PORT: String(freePort()),
        ADMIN_USERNAME: "boss",
        ADMIN_PASSWORD: "12345678",
      });
      assertEquals(start.code, 1);
      assertEquals(start.stderr.trim().split("\n").length, 1, start.stderr);
      assertMatch(start.stderr, /^error: ADMIN_PASSWORD is too weak: Use at least 12 characters/);
    } finally {
      await Deno.remove(fresh, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[passwords] the first admin: a weak ADMIN_PASSWORD stops the start; the random one passes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sora-bootstrap-" });
  const { db, client } = await openDatabase(`${dir}/sora-studio.db`);
  try {
    const weak = loadConfig({ DATA_DIR: dir, ADMIN_USERNAME: "boss", ADMIN_PASSWORD: "boss" });
    let refused: unknown;
    await ensureFirstAdmin(db, weak, () => {}).catch((error) => refused = error);
    assert(refused instanceof ConfigError);
    assertMatch(refused.message, /^ADMIN_PASSWORD is too weak: /);
    assertEquals(await db.countUsers(), 0);
    const lines: string[] = [];
    await ensureFirstAdmin(db, loadConfig({ DATA_DIR: dir }), (line) => lines.push(line));
    const printed = /with password: (\S+)$/.exec(lines[0])?.[1];
    assert(printed);
    assertEquals(passwordProblem(printed, "admin"), null);
  } finally {
    await client.close();
    await Deno.remove(dir, { recursive: true });
  }
});

function changeOwn(t: TestApp, token: string, body: unknown, address = "203.0.113.20") {
  return Promise.resolve(t.app.request("/api/me/password", {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "x-forwarded-for": address,
    },
    body: JSON.stringify(body),
  }));
}

Deno.test("[passwords] POST /api/me/password needs the current one and ends the other sessions", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const other = (await (await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: RIGHT,
  })).json()).token;
  const page = await t.sessionCookie("ada");

  const wrong = await changeOwn(t, token, {
    current_password: "not my password",
    new_password: NEW,
  });
  assertEquals(wrong.status, 403);
  assertMatch((await wrong.json()).error.message, /current password is wrong/);
  const weak = await changeOwn(t, token, { current_password: RIGHT, new_password: "ada12345" });
  assertEquals(weak.status, 400);
  assert((await weak.json()).error.fields.new_password);
  const missing = await changeOwn(t, token, { new_password: NEW });
  assertEquals(missing.status, 400);
  assert((await missing.json()).error.fields.current_password);

  const changed = await changeOwn(t, token, { current_password: RIGHT, new_password: NEW });
  assertEquals(changed.status, 204);
  assertEquals(changed.headers.get("cache-control"), "no-store");
  assertEquals((await t.api("GET", "/api/me", token)).status, 200, "this token stays");
  assertEquals((await t.api("GET", "/api/me", other)).status, 401, "other tokens end");
  const home = await t.app.request("/", { headers: { cookie: page } });
  assertEquals(home.status, 303, "other sessions end");
  const oldLogin = await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: RIGHT,
  });
  assertEquals(oldLogin.status, 401);
  const newLogin = await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: NEW,
  });
  assertEquals(newLogin.status, 200);
});

Deno.test("[passwords] wrong current passwords are counted by the login throttle", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  // A clock that stands still: the account's short delay cannot lapse on a slow machine.
  t.runtime.auth.throttle = new LoginThrottle(DEFAULT_LIMITS, () => 1_000_000);
  const statuses = await Promise.all(
    Array.from(
      { length: 10 },
      () =>
        changeOwn(t, token, { current_password: "a wrong guess", new_password: NEW })
          .then(async (res) => {
            await res.body?.cancel();
            return res.status;
          }),
    ),
  );
  assertEquals(statuses.filter((s) => s === 403).length, 5);
  assertEquals(statuses.filter((s) => s === 429).length, 5);
  const right = await changeOwn(t, token, { current_password: RIGHT, new_password: NEW });
  assertEquals(right.status, 429, "the right one too, from the guessing address");
  assert(Number(right.headers.get("retry-after")) > 0);
});

Deno.test("[passwords] the account password page changes it and keeps this session only", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const elsewhere = await t.sessionCookie("ada");

  const home = await (await t.app.request("/", { headers: { cookie } })).text();
  assertMatch(home, /href="\/account\/password"/);
  const form = await t.app.request("/account/password", { headers: { cookie } });
  assertEquals(form.status, 200);
  const html = await form.text();
  for (const name of ["current_password", "new_password", "repeat_password"]) {
    assertMatch(html, new RegExp(`name="${name}"`));
  }
  assertEquals(
    (await t.app.request("/account/password", { redirect: "manual" })).status,
    303,
    "logged out: to the login page",
  );

  const post = (fields: Record<string, string>) => t.postForm("/account/password", cookie, fields);
  const differ = await post({ current_password: RIGHT, new_password: NEW, repeat_password: "x" });
  assertEquals(differ.status, 400);
  assertMatch(await differ.text(), /Type the same new password twice/);
  const weak = await post({
    current_password: RIGHT,
    new_password: "password1234",
    repeat_password: "password1234",
  });
  assertEquals(weak.status, 400);
  assertMatch(await weak.text(), /most common/);
  const wrong = await post({
    current_password: "nope nope",
    new_password: NEW,
    repeat_password: NEW,
  });
  assertEquals(wrong.status, 403);
  assertMatch(await wrong.text(), /current password is wrong/);

  const crossSite = await t.app.request("/account/password", {
    method: "POST",
    headers: {
      cookie,
      origin: "http://evil.example",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ current_password: RIGHT, new_password: NEW, repeat_password: NEW }),
  });
  assertEquals(crossSite.status, 403);

  const done = await post({ current_password: RIGHT, new_password: NEW, repeat_password: NEW });
  assertEquals(done.status, 303);
  assertEquals(done.headers.get("location"), "/account/password?changed=1");
  const after = await t.app.request("/account/password?changed=1", { headers: { cookie } });
  assertEquals(after.status, 200);
  assertMatch(await after.text(), /Password changed/);
  const ended = await t.app.request("/", { headers: { cookie: elsewhere } });
  assertEquals(ended.status, 303, "the other session ended");
  assertEquals((await t.sessionCookie("ada", NEW)).startsWith("sora_session="), true);
});
