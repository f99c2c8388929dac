/// <reference lib="dom" />
import { chromium } from "playwright-core";
import { createApp } from "../main.ts";
import { createUser } from "../services/auth/auth.ts";
import { loadConfig } from "../services/app/config.ts";
import { openRuntime } from "../services/app/runtime.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { assert, assertEquals } from "./assert.ts";
import { freePort, waitFor } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const browserAvailable = await Deno.stat(CHROMIUM).then(() => true, () => false);
const ATTACK = `<img src=x onerror="window.pwned='img'"><script>window.pwned='script'</script>` +
  `"><svg onload="window.pwned='svg'">`;

Deno.test({
  name: "[security] a prompt with HTML and script is shown as text in the browser; nothing runs",
  ignore: !browserAvailable,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "sora-xss-" });
    const runtime = await openRuntime(
      loadConfig({
        DATA_DIR: dataDir,
        POLL_INTERVAL_MS: "20",
        UPSTREAM_MAX_RPM: "60000",
        LOG_LEVEL: "error",
      }),
      { simulator: createSoraSimulator({ timeScale: 0.01 }) },
    );
    runtime.jobs.start();
    const user = await createUser(runtime.db, "ada", "correct horse battery", "user");
    const { createVideo } = await import("../services/videos/videos.ts");
    const video = await createVideo(runtime.videos, user.id, {
      prompt: ATTACK,
      model: "sora-2",
      size: "720x1280",
      seconds: "4",
    });
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      createApp(runtime).fetch,
    );
    const url = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on(
        "console",
        (m) => m.text().includes("Content Security Policy") && violations.push(m.text()),
      );
      await page.goto(`${url}/login`);
      await page.getByLabel("Username").fill("ada");
      await page.getByLabel("Password").fill("correct horse battery");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${url}/`);
      for (const path of ["/", `/videos/${video.id}`, `/?q=${encodeURIComponent("<script>")}`]) {
        await page.goto(url + path);
        await page.waitForLoadState("load");
        const pwned = await page.evaluate(() =>
          (globalThis as unknown as { pwned?: string }).pwned
        );
        assertEquals(pwned, undefined, path);
        assertEquals(
          await page.locator(`script:not([src]):not([type="application/json"])`).count(),
          0,
          `${path}: no inline script`,
        );
      }
      await page.goto(`${url}/videos/${video.id}`);
      assert((await page.textContent("body"))!.includes(`window.pwned='script'`), "shown as text");
      assertEquals(violations, [], "nothing even tried to run inline");
    } finally {
      await browser.close();
      await server.shutdown();
      await runtime.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test("[security] the API key never reaches the browser or the logs", async () => {
  const key = "sk-live-NEVER-SHOW-THIS-0123456789";
  // An upstream that refuses this key, so errors flow through every path that might log.
  const simulator = createSoraSimulator({ timeScale: 0.01, apiKey: "a-different-key" });
  const upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, simulator.fetch);
  const dataDir = await Deno.makeTempDir({ prefix: "sora-secret-" });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname, "serve"],
    env: {
      NO_COLOR: "1",
      PORT: String(port),
      DATA_DIR: dataDir,
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: `http://127.0.0.1:${upstream.addr.port}/v1`,
      POLL_INTERVAL_MS: "20",
      ADMIN_USERNAME: "ada",
      ADMIN_PASSWORD: "correct horse battery",
    },
    cwd: dataDir,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(() => fetch(`${url}/healthz`).then((r) => r.ok, () => false), "serving", 30_000);
    const { token } = await (await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "correct horse battery" }),
    })).json();
    const auth = { authorization: `Bearer ${token}` };
    const created = await fetch(`${url}/api/videos`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "with a refused key" }),
    });
    const body = await created.text();
    assert(!body.includes(key));
    const bodies = await Promise.all(
      ["/login", "/static/app.js", "/api/models", "/api/videos"].map((p) =>
        fetch(url + p, { headers: auth }).then((r) => r.text())
      ),
    );
    for (const text of bodies) assert(!text.includes(key));
  } finally {
    child.kill("SIGTERM");
    const result = await output;
    const logs = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
    await upstream.shutdown();
    await Deno.remove(dataDir, { recursive: true });
    assert(!logs.includes(key), "the key is not in the logs");
    assert(!logs.includes("correct horse battery"), "nor the admin password");
  }
});
