import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { fixtureOf, freePort, waitFor } from "./helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = join(ROOT, "main.ts");
/** The child starts with a clean environment but must find the same module cache. */
const DENO_DIR = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache/deno");

/** Runs the app, waits until it serves, and hands back a way to stop it. */
async function serve(args: string[], env: Record<string, string>, cwd: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const url = `http://127.0.0.1:${env.PORT}`;
  await waitFor(
    async () => {
      const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (!up && await Promise.race([output.then(() => true), Promise.resolve(false)])) {
        const out = await output;
        throw new Error(new TextDecoder().decode(out.stderr));
      }
      return up;
    },
    "the app to serve",
    30_000,
  );
  return {
    url,
    async stop(signal: Deno.Signal = "SIGTERM") {
      child.kill(signal);
      const out = await output;
      return {
        code: out.code,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: new TextDecoder().decode(out.stderr),
      };
    },
  };
}

/** Logs in, makes a demo video, waits for it and downloads it: the whole loop over HTTP. */
async function fullLoop(url: string, username: string, password: string) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  assertEquals(login.status, 200);
  const auth = { authorization: `Bearer ${(await login.json()).token}` };
  const created = await fetch(`${url}/api/videos`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ prompt: "least privilege" }),
  });
  assertEquals(created.status, 201);
  const { id } = await created.json();
  let video = { status: "", size: "", seconds: "" };
  await waitFor(
    async () => {
      video = await (await fetch(`${url}/api/videos/${id}`, { headers: auth })).json();
      return video.status === "completed";
    },
    "the demo video",
    20_000,
  );
  const content = await fetch(`${url}/api/videos/${id}/content`, { headers: auth });
  assertEquals(new Uint8Array(await content.arrayBuffer()), fixtureOf(video).video.bytes);
  for (const asset of ["/login", "/static/htmx.js", "/static/alpine.js", "/static/app.css"]) {
    const res = await fetch(url + asset);
    assertEquals(res.status, 200, asset);
    await res.body?.cancel();
  }
}

Deno.test("[permissions] the app runs with net, env, and read/write limited to DATA_DIR", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-narrow-" });
  const workDir = await Deno.makeTempDir({ prefix: "sora-cwd-" });
  try {
    const app = await serve(
      [
        "run",
        "--allow-net",
        "--allow-env",
        `--allow-read=${dataDir},${join(workDir, ".env")}`,
        `--allow-write=${dataDir}`,
        MAIN,
        "serve",
      ],
      {
        PORT: String(freePort()),
        DATA_DIR: dataDir,
        SIMULATOR_TIME_SCALE: "0.02",
        POLL_INTERVAL_MS: "50",
        ADMIN_USERNAME: "ada",
        ADMIN_PASSWORD: "correct horse battery",
        HOME: workDir,
        PATH: Deno.env.get("PATH") ?? "",
        DENO_DIR,
      },
      workDir,
    );
    await fullLoop(app.url, "ada", "correct horse battery");
    const stopped = await app.stop();
    assertEquals(stopped.code, 0, stopped.stderr);
    assert(!stopped.stderr.includes("NotCapable"), stopped.stderr);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(workDir, { recursive: true });
  }
});

Deno.test("[deploy] the systemd unit's command and environment run the app as documented", async () => {
  const unit = await Deno.readTextFile(join(ROOT, "deploy/sora-studio.service"));
  const env: Record<string, string> = {};
  for (const [, key, value] of unit.matchAll(/^Environment=(\w+)=(.*)$/gm)) env[key] = value;
  const execStart = /^ExecStart=(\S+)\s*(.*)$/m.exec(unit)!;
  assertEquals(execStart[1], "/usr/local/bin/sora-studio");
  assertEquals(env.DATA_DIR, "/var/lib/sora-studio");
  assertMatch(unit, /^KillSignal=SIGTERM$/m);
  assertMatch(unit, /^Restart=on-failure$/m);
  assertMatch(unit, /^User=sora-studio$/m);
  // The binary is `deno compile` of main.ts with the compile task's permissions: run that.
  const tasks = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks;
  const permissions = (tasks.compile as string).split(" ").filter((a) => a.startsWith("--allow"));
  assert(!permissions.includes("--allow-all") && !permissions.includes("-A"));
  // Same variables, with the state directory (systemd's StateDirectory) made in a temp folder.
  const state = await Deno.makeTempDir({ prefix: "sora-unit-" });
  const unitEnv = () => ({
    ...env,
    DATA_DIR: state,
    PORT: String(freePort()),
    SIMULATOR_TIME_SCALE: "0.02",
    POLL_INTERVAL_MS: "50",
    PATH: Deno.env.get("PATH") ?? "",
    HOME: state,
    DENO_DIR,
  });
  try {
    const app = await serve(
      ["run", ...permissions, MAIN, ...execStart[2].split(/\s+/).filter(Boolean)],
      unitEnv(),
      state,
    );
    assertEquals(env.HOST, "127.0.0.1", "behind the reverse proxy only");
    const logs = await app.stop().then((first) => {
      assertEquals(first.code, 0, first.stderr);
      return first.stdout;
    });
    // The first admin's password is printed once, for `journalctl -u sora-studio`.
    const password = /Created the admin user "admin" with password: (\S+)/.exec(logs)?.[1];
    assert(password, logs);
    const again = await serve(
      ["run", ...permissions, MAIN, "serve"],
      unitEnv(),
      state,
    );
    await fullLoop(again.url, "admin", password);
    const stopped = await again.stop();
    assertEquals(stopped.code, 0);
    assert(!stopped.stdout.includes(password), "the password is printed only on the first start");
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});
