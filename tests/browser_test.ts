/// <reference lib="dom" />
import { chromium, type Page } from "playwright-core";
import { createApp } from "../main.ts";
import { createUser } from "../services/auth.ts";
import { loadConfig } from "../services/config.ts";
import { openRuntime } from "../services/runtime.ts";
import { createSoraSimulator } from "../services/simulator/simulator.ts";
import { assert, assertEquals } from "./assert.ts";

const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = new URL("../docs/screenshots/", import.meta.url).pathname;

/** A real server on a free port, the simulator slowed down enough to watch progress move. */
async function startServer(timeScale = 0.25) {
  const dataDir = await Deno.makeTempDir({ prefix: "sora-browser-" });
  const config = loadConfig({
    DATA_DIR: dataDir,
    SORA_SIMULATE: "1",
    POLL_INTERVAL_MS: "100",
    UPSTREAM_MAX_RPM: "60000",
  });
  const runtime = await openRuntime(config, { simulator: createSoraSimulator({ timeScale }) });
  await createUser(runtime.db, "ada", "correct horse battery", "admin");
  runtime.jobs.start();
  const app = createApp(runtime);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    runtime,
    async [Symbol.asyncDispose]() {
      await runtime.close();
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

async function logIn(page: Page, url: string) {
  await page.goto(`${url}/login`);
  await page.getByLabel("Username").fill("ada");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${url}/`);
}

const browserAvailable = await Deno.stat(CHROMIUM).then(() => true, () => false);

Deno.test({
  name: "[browser] log in, create, watch progress to completion, play, delete",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer();
    await using browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    if (Deno.env.get("DEBUG_BROWSER")) {
      page.on("console", (m) => console.log("browser:", m.text()));
      page.on("response", (r) => console.log("browser:", r.status(), r.url()));
      page.on("framenavigated", (f) => console.log("browser: nav", f.url()));
      page.on("request", (r) => console.log("browser: request", r.url()));
      page.on(
        "requestfailed",
        (r) => console.log("browser: failed", r.url(), r.failure()?.errorText),
      );
    }
    await logIn(page, server.url);
    assert((await page.textContent("body"))!.toLowerCase().includes("demo mode"));

    await page.getByLabel("Prompt", { exact: true }).fill(
      "A paper boat drifting down a rainy street",
    );
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.locator("article.card").first();
    await card.waitFor();
    assertEquals(page.url(), `${server.url}/`, "no navigation");
    // The bar moves live (SSE) until the player appears, without a reload. The predicate runs in
    // the page every 20 ms and notes each progress value it sees on the way.
    const seenProgress = await page.waitForFunction(
      () => {
        const w = globalThis as unknown as { seen?: Set<string> };
        w.seen ??= new Set();
        const card = document.querySelector("article.card");
        const value = card?.querySelector("progress")?.getAttribute("value");
        if (value) w.seen.add(value);
        return card?.getAttribute("data-status") === "completed" && [...w.seen];
      },
      undefined,
      { polling: 20, timeout: 20_000 },
    ).then((handle) => handle.jsonValue());
    assert(seenProgress && seenProgress.length >= 3, `progress moved: ${seenProgress}`);
    const video = card.locator("video");
    await video.waitFor();
    const playable = await video.evaluate(async (el: HTMLVideoElement) => {
      el.muted = true;
      await el.play();
      return el.duration;
    });
    assert(playable > 3, `duration ${playable}`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}dashboard.png` });

    page.once("dialog", (dialog) => dialog.accept());
    await card.getByRole("button", { name: "Delete" }).click();
    await card.waitFor({ state: "detached" });
    assertEquals(await page.locator("article.card").count(), 0);
    assertEquals(errors, []);
  },
});
