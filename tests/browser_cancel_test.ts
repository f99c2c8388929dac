/// <reference lib="dom" />
/** Cancelling a video in Chromium: from its card in the library and from its detail page. */
import { assertEquals, assertMatch } from "./assert.ts";
import { createVideo } from "../services/videos/videos.ts";
import { browserAvailable, loggedInSession, waitForLive } from "./browser_helpers.ts";

Deno.test({
  name: "[browser] cancel: a video being made is cancelled from its card and its page",
  ignore: !browserAvailable,
  async fn() {
    // At full time scale a video takes seconds: long enough to press Cancel while it is made.
    await using session = await loggedInSession({ timeScale: 1, pollMs: 50 });
    const { server, page } = session;
    await waitForLive(page);

    await page.getByLabel("Prompt", { exact: true }).fill("A lighthouse in a storm");
    await page.getByLabel("Prompt", { exact: true }).press("Control+Enter");
    const card = page.locator("#library > article.card", { hasText: "A lighthouse in a storm" });
    await card.getByRole("button", { name: "Cancel" }).click();
    await card.and(page.locator('[data-status="failed"]')).waitFor();
    await card.locator(".failure-title", { hasText: "Cancelled" }).waitFor();
    assertEquals(await card.getByRole("button", { name: "Cancel" }).count(), 0);
    const [video] = await server.runtime.db.library({ userId: server.user.id, limit: 1 });
    assertEquals([video.status, video.error_code], ["failed", "cancelled"]);

    // On the detail page: the page comes back, cancelled, saying by whom.
    const other = await createVideo(server.runtime.videos, server.user.id, {
      prompt: "A kite over the dunes",
      model: "sora-2",
      size: "1280x720",
      seconds: "8",
    });
    await page.goto(`${server.url}/videos/${other.id}`);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator('.detail[data-status="failed"]').waitFor();
    assertMatch(await page.locator(".card-error").innerText(), /Cancelled by ada\./);
    assertEquals(page.errors, []);
  },
});
