/// <reference lib="dom" />
import { assert, assertEquals } from "./assert.ts";
import { browserAvailable, launch, logIn, openPage, startServer } from "./browser_helpers.ts";

Deno.test({
  name: "[browser] log in, create, watch progress to completion, play, delete",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer();
    await using browser = await launch();
    // Script errors, console errors and CSP violations are collected in page.errors.
    const page = await openPage(browser, { reducedMotion: "no-preference" });
    const errors = page.errors;
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

    page.once("dialog", (dialog) => dialog.accept());
    await card.getByRole("button", { name: "Delete" }).click();
    await card.waitFor({ state: "detached" });
    assertEquals(await page.locator("article.card").count(), 0);
    assertEquals(errors, []);
  },
});
