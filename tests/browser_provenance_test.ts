/// <reference lib="dom" />
/** What made a video, on its detail page in Chromium: negative prompt, reference, JSON download. */
import type { Download } from "playwright-core";
import { MEDIA } from "../services/providers/simulators/media.ts";
import { createVideo } from "../services/videos/videos.ts";
import { assert, assertEquals } from "./assert.ts";
import { browserAvailable, finished, loggedInSession } from "./browser_helpers.ts";

async function textOf(download: Download): Promise<string> {
  const path = await download.path();
  return await Deno.readTextFile(path!);
}

Deno.test({
  name:
    "[browser] provenance: the detail page shows the negative prompt and reference, and downloads it all as JSON",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { server, page } = session;
    const created = await createVideo(server.runtime.videos, server.user.id, {
      prompt: "A lighthouse in a storm, waves breaking",
      model: "veo-3.1-fast-generate-001",
      size: "1280x720",
      seconds: "4",
      negative_prompt: "boats, people",
    }, { bytes: new Uint8Array(MEDIA.thumbnail.bytes) });
    const video = await finished(server, created.id);
    assertEquals(video.status, "completed");
    const day = video.created_at.slice(0, 10);

    await page.goto(`${server.url}/videos/${video.id}`);
    assertEquals(await page.locator("#detail-negative").textContent(), "boats, people");
    const image = page.getByRole("img", { name: "The image this video was made from" });
    await image.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
      await image.elementHandle(),
    );
    const facts = page.locator(".facts");
    assertEquals(
      (await facts.locator("div", { hasText: "Made by" }).locator("dd").textContent())?.trim(),
      "ada",
    );
    assertEquals(
      await facts.locator("div", { hasText: "Provider job" }).locator("code").textContent(),
      video.upstream_id,
    );

    const [reference] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download reference" }).click(),
    ]);
    assertEquals(
      reference.suggestedFilename(),
      `${day}-a-lighthouse-in-a-storm-waves-breaking-reference.webp`,
    );

    const [json] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download details (JSON)" }).click(),
    ]);
    assertEquals(json.suggestedFilename(), `${day}-a-lighthouse-in-a-storm-waves-breaking.json`);
    const doc = JSON.parse(await textOf(json));
    assertEquals(
      [doc.id, doc.prompt, doc.negative_prompt, doc.made_by, doc.upstream_id],
      [video.id, video.prompt, "boats, people", "ada", video.upstream_id],
    );
    assertEquals(doc.reference.type, "image/webp");
    assert(doc.file_name.endsWith(".mp4"));
    assertEquals(page.errors, []);
  },
});
