/// <reference lib="dom" />
import { assert, assertEquals } from "./assert.ts";
import {
  browserAvailable,
  launch,
  logIn,
  openPage,
  seedVideos,
  startServer,
  USERNAME,
} from "./browser_helpers.ts";

const PROMPT = "a kite festival on a windy beach";

Deno.test({
  name: "[browser] share link: the owner makes one, a stranger plays it, the owner revokes it",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ jobs: false });
    const [id] = await seedVideos(server, [{ prompt: PROMPT, status: "completed" }]);
    await using browser = await launch();
    const owner = await openPage(browser, { permissions: ["clipboard-read", "clipboard-write"] });
    await logIn(owner, server.url);
    await owner.goto(`${server.url}/videos/${id}`);

    await owner.getByRole("button", { name: "Share link" }).click();
    const link = (await owner.locator("#share-url").textContent())!;
    assert(link.startsWith(`${server.url}/s/`), link);
    await owner.getByRole("button", { name: "Copy link" }).click();
    await owner.locator(".toast").first().waitFor();
    assertEquals(await owner.evaluate(() => navigator.clipboard.readText()), link);

    // A fresh browser context: no session, and the video plays with its prompt and author.
    const stranger = await openPage(browser);
    await stranger.goto(link);
    await stranger.getByText(PROMPT).waitFor();
    assertEquals(await stranger.locator("[data-shared-author]").textContent(), USERNAME);
    const duration = await stranger.locator("video.player").evaluate((video: HTMLVideoElement) =>
      new Promise<number>((resolve) => {
        if (video.readyState >= 1) resolve(video.duration);
        else video.addEventListener("loadedmetadata", () => resolve(video.duration));
      })
    );
    assert(duration > 3, `playable, ${duration} s`);
    assertEquals(await stranger.locator("a[href^='/videos/'], [data-video-id]").count(), 0);

    // Revoked: the box offers a new link, and the old one is a 404 page for the stranger.
    await owner.getByRole("button", { name: "Revoke link" }).click();
    await owner.getByRole("button", { name: "Share link" }).waitFor();
    const gone = await stranger.goto(link);
    assertEquals(gone?.status(), 404);
    await stranger.getByRole("heading", { name: "Not found" }).waitFor();

    assertEquals(owner.errors, []);
    assertEquals(stranger.errors.filter((e) => !e.includes("404")), []);
  },
});
