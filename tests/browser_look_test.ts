/// <reference lib="dom" />
/**
 * How the studio looks: the README's screenshots (light and dark), layouts from a 360 px phone to
 * a wide screen, and WCAG AA contrast of every text on the dashboard and the detail page.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import {
  browserAvailable,
  launch,
  logIn,
  makeRemix,
  makeVideo,
  openPage,
  SCREENSHOTS,
  seedVideos,
  startServer,
  type TestServer,
  waitForLive,
} from "./browser_helpers.ts";

/** A library with a card in each state a person meets: ready, remixed, generating, queued, failed. */
async function seedShowcase(server: TestServer) {
  const fox = await makeVideo(server, {
    prompt:
      "A red fox trotting through fresh snow at dawn, soft golden light, shallow depth of field",
  });
  const remix = await makeRemix(
    server,
    fox.id,
    "The same fox at night under the northern lights, snow glittering",
  );
  await makeVideo(server, {
    prompt: "Aerial shot of a lighthouse on a rocky coast during a storm, waves crashing",
  });
  const now = Date.now();
  seedVideos(server, [
    {
      prompt: "A hummingbird drinking from a red flower, slow motion, macro lens",
      status: "failed",
      error: {
        code: "moderation_blocked",
        message: "Your request was blocked by our moderation system.",
      },
      createdAt: now - 300_000,
    },
    {
      prompt: "Time-lapse of clouds rolling over a mountain ridge, sunset colours",
      model: "sora-2-pro",
      size: "1792x1024",
      seconds: "8",
      status: "queued",
      createdAt: now - 4_000,
    },
    {
      prompt: "A paper boat drifting down a rainy city street at night, neon reflections",
      model: "sora-2-pro",
      size: "1280x720",
      seconds: "12",
      status: "in_progress",
      progress: 42,
      createdAt: now - 37_000,
    },
  ]);
  return { fox, remix };
}

async function showDashboard(page: Page, server: TestServer) {
  await logIn(page, server.url);
  await waitForLive(page);
  await page.locator("article.card").nth(4).waitFor();
  // Posters decoded, so the screenshot shows thumbnails rather than black boxes.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLVideoElement>("article.card video")].every((v) => {
        const img = new Image();
        img.src = v.poster;
        return img.complete && img.naturalWidth > 0;
      }),
    undefined,
    { polling: 50 },
  );
}

Deno.test({
  name: "[browser] screenshots: dashboard and detail, light and dark theme",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const { fox } = await seedShowcase(server);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });

    for (const scheme of ["light", "dark"] as const) {
      const page = await openPage(browser, {
        viewport: { width: 1280, height: 1480 },
        colorScheme: scheme,
      });
      await showDashboard(page, server);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      const luminance = (r + g + b) / 3;
      if (scheme === "dark") assert(luminance < 40, `dark background, got ${background}`);
      else assert(luminance > 200, `light background, got ${background}`);
      const suffix = scheme === "dark" ? "-dark" : "";
      await page.screenshot({
        path: `${SCREENSHOTS}dashboard${suffix}.png`,
        animations: "disabled",
      });

      await page.goto(`${server.url}/videos/${fox.id}`);
      await page.locator("video.player").waitFor();
      await page.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>("video.player")!;
          const poster = new Image();
          poster.src = video.poster;
          const img = document.querySelector<HTMLImageElement>(".storyboard img");
          return video.readyState >= 2 && poster.complete && img?.complete &&
            img.naturalWidth > 0;
        },
        undefined,
        { polling: 50 },
      );
      // A frame from the middle of the clip, without the browser's own (animated) controls.
      await page.locator("video.player").evaluate(async (video: HTMLVideoElement) => {
        video.controls = false;
        video.currentTime = 1.2;
        await new Promise((resolve) => video.addEventListener("seeked", resolve, { once: true }));
      });
      await page.screenshot({
        path: `${SCREENSHOTS}detail${suffix}.png`,
        clip: { x: 0, y: 0, width: 1280, height: 900 },
        animations: "disabled",
      });
      assertEquals(page.errors, [], scheme);
      await page.context().close();
    }
  },
});
