/// <reference lib="dom" />
/** The detail view and the actions on a video, in Chromium: lineage, re-run, remix, delete. */
import type { Page } from "playwright-core";
import { priceOf } from "../services/models/catalog.ts";
import { getVideo } from "../services/videos/videos.ts";
import { formatCost, modelView, sizeLabel } from "../views/format.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import {
  browserAvailable,
  finished,
  launch,
  loggedInSession,
  logIn,
  makeRemix,
  makeVideo,
  openPage,
  seedVideos,
  startServer,
  type TestServer,
  waitForLive,
} from "./browser_helpers.ts";

/** The facts list of the detail page as { term: text } (lines of a fact joined by "\n"). */
async function facts(page: Page): Promise<Record<string, string>> {
  return await page.locator(".facts > div").evaluateAll((rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.querySelector("dt")!.textContent!.trim(),
        (row.querySelector("dd") as HTMLElement).innerText.trim(),
      ]),
    )
  );
}

/** A model's name for people, as the detail page shows it (from the server's catalog). */
function label(server: TestServer, id: string): string {
  return modelView(server.runtime.providers.findModel(id)!).label;
}

/** What a model's video of that size and length costs, as the pages write it. */
function cost(server: TestServer, id: string, size: string, seconds: string): string {
  return formatCost(priceOf(server.runtime.providers.findModel(id), { size, seconds }));
}

function idFromUrl(url: string): string {
  return /\/videos\/(vid_[0-9a-f]{24})$/.exec(new URL(url).pathname)![1];
}

Deno.test({
  name: "[browser] detail: player, prompt, facts, and lineage linked both ways",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const source = await makeVideo(server, {
      prompt: "A red fox in fresh snow",
      model: "sora-2-pro",
      size: "1792x1024",
      seconds: "8",
    });
    const remix = await makeRemix(server, source.id, "The same fox at night");
    const page = await openPage(browser);
    await logIn(page, server.url);

    // From the library: the card's Details link opens the page.
    await page.locator(`#video-${source.id}`).getByRole("link", { name: "Details" }).click();
    await page.waitForURL(`${server.url}/videos/${source.id}`);
    assertEquals(await page.locator("h1").textContent(), "A red fox in fresh snow");
    assertEquals(await page.locator("#detail-prompt").textContent(), "A red fox in fresh snow");
    const duration = await page.locator("video.player").evaluate((video: HTMLVideoElement) =>
      new Promise<number>((resolve) => {
        if (video.readyState >= 1) resolve(video.duration);
        else video.addEventListener("loadedmetadata", () => resolve(video.duration));
      })
    );
    assert(duration > 3, `playable, ${duration} s`);
    const shown = await facts(page);
    assertEquals(shown.Model.split("\n")[0], label(server, "sora-2-pro"));
    // The size asked for, and the file's own when it differs (demo fixtures are small).
    assertEquals(shown.Size.split("\n")[0], sizeLabel("1792x1024"));
    assertMatch(shown.Size, /the file is 320×180/);
    assertEquals(shown.Length, "8s");
    assertEquals(shown["Estimated cost"], cost(server, "sora-2-pro", "1792x1024", "8"));
    assertEquals(shown["Estimated cost"], "≈ $4.00");
    assertMatch(shown.Created, /\d/);
    assertMatch(shown.Finished, /took \d+:\d\d/);
    await page.locator(".storyboard img").waitFor();

    // Lineage: the source lists its remix …
    const remixLink = page.locator(".lineage").getByRole("link", { name: /The same fox at night/ });
    await remixLink.click();
    await page.waitForURL(`${server.url}/videos/${remix.id}`);
    // … and the remix names its source.
    assertMatch((await page.locator(".lineage").textContent())!, /Remixed from/);
    await page.locator(".lineage").getByRole("link", { name: /A red fox in fresh snow/ }).click();
    await page.waitForURL(`${server.url}/videos/${source.id}`);
    // Back to the library.
    await page.getByRole("link", { name: "Library" }).click();
    await page.waitForURL(`${server.url}/`);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] re-run: same prompt and settings, from the detail page and a failed card",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const original = await makeVideo(server, {
      prompt: "Waves on a black sand beach",
      model: "sora-2-pro",
      size: "1024x1792",
      seconds: "12",
    });
    const page = await openPage(browser);
    await logIn(page, server.url);
    await page.goto(`${server.url}/videos/${original.id}`);
    // The new video's page is kept from its live stream until the video is done, as when it
    // finishes while the page loads: the page must still notice and show the result.
    let streamMayStart!: () => void;
    const held = new Promise<void>((resolve) => streamMayStart = resolve);
    await page.route((url) => url.pathname === "/events", async (route) => {
      await held;
      await route.continue();
    });
    // The button says what making it again costs now.
    const rerunName = `Re-run · ${cost(server, "sora-2-pro", "1024x1792", "12")}`;
    assertEquals(rerunName, `Re-run · ${formatCost(original.rerun_cost)}`);
    // It opens the form filled with the video's settings; Generate makes it, then its page.
    await page.getByRole("link", { name: rerunName, exact: true }).click();
    await page.waitForURL(`${server.url}/?from=${original.id}`);
    await page.getByRole("button", { name: "Generate" }).click();
    const made = page.locator(`#library > article.card:not(#video-${original.id})`).first();
    await made.filter({ hasText: "Waves on a black sand beach" }).waitFor();
    const rerunId = (await made.getAttribute("id"))!.slice("video-".length);
    await page.goto(`${server.url}/videos/${rerunId}`);
    assert(rerunId !== original.id, "a new video");
    assertEquals(await page.locator("#detail-prompt").textContent(), "Waves on a black sand beach");
    const shown = await facts(page);
    assertEquals(
      [shown.Model.split("\n")[0], shown.Size.split("\n")[0], shown.Length],
      [label(server, "sora-2-pro"), sizeLabel("1024x1792"), "12s"],
    );
    const detail = page.locator("article.detail");
    await page.locator("#live-updates[data-watch]").waitFor({ state: "attached" });
    assertEquals((await finished(server, rerunId)).status, "completed");
    assert((await detail.getAttribute("data-status")) !== "completed", "shown as under way");
    streamMayStart();
    // It is made like any other video: the page follows it to the end by itself.
    await page.locator('article.detail[data-status="completed"]').waitFor();
    const rerun = await getVideo(server.runtime.videos, server.user.id, rerunId);
    assertEquals(
      [rerun.prompt, rerun.model, rerun.size, rerun.seconds, rerun.remixed_from],
      ["Waves on a black sand beach", "sora-2-pro", "1024x1792", "12", null],
    );

    // A failed card's "Try again" fills the form; Generate puts the new card on top.
    const [failed] = await seedVideos(server, [{
      prompt: "A hummingbird at a red flower",
      status: "failed",
      error: { code: "generation_failed", message: "Something went wrong upstream." },
    }]);
    await page.goto(server.url);
    await waitForLive(page);
    // Seeded as sora-2, 1280x720, 4 s.
    await page.locator(`#video-${failed}`)
      .getByRole("link", { name: `Try again · ${cost(server, "sora-2", "1280x720", "4")}` })
      .click();
    await page.locator(".settings-note").waitFor();
    await page.getByRole("button", { name: "Generate" }).click();
    const top = page.locator("#library > article.card").first();
    await top.filter({ hasText: "A hummingbird at a red flower" }).and(
      page.locator(`article.card:not(#video-${failed})`),
    ).waitFor();
    await page.locator(".toast-success", { hasText: "Generation started" }).waitFor();
    // The new one finishes live; the failed one stays as it was.
    await top.and(page.locator('[data-status="completed"]')).waitFor();
    assertEquals(await page.locator(`#video-${failed}`).getAttribute("data-status"), "failed");
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] remix: a keyboard-reachable dialog that keeps focus sensible, new card on top",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const source = await makeVideo(server, { prompt: "A lighthouse in a storm" });
    const page = await openPage(browser);
    await logIn(page, server.url);
    await waitForLive(page);
    const card = page.locator(`#video-${source.id}`);
    const open = card.getByRole("button", { name: "Remix" });
    const dialog = page.getByRole("dialog", { name: "Remix video" });

    // Reach the button with the keyboard and open the dialog: focus goes to its prompt.
    await open.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    const focused = () =>
      page.evaluate(() =>
        document.activeElement?.id || document.activeElement?.textContent?.trim()
      );
    assertMatch((await focused())!, /^remix-vid_.*-prompt$/);
    // Tab and Shift+Tab stay inside the modal dialog, wrapping around.
    for (const key of ["Tab", "Shift+Tab"]) {
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press(key);
        assert(
          await page.evaluate(() => !!document.activeElement?.closest("dialog[open]")),
          `focus left the dialog after ${i + 1} × ${key}`,
        );
      }
    }
    // Escape closes it and gives focus back to the button that opened it.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert(await open.evaluate((el) => el === document.activeElement), "focus back on Remix");

    // The dialog says what a remix costs: a video of the same model, size and length.
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    const remixCost = cost(server, source.model, source.size, source.seconds);
    assertEquals(formatCost(source.actions.remix.cost!), remixCost);
    await dialog.locator(".dialog-lead", {
      hasText: `${sizeLabel(source.size)} · ${source.seconds}s · ${remixCost}`,
    })
      .waitFor();
    const create = dialog.getByRole("button", { name: `Create remix · ${remixCost}`, exact: true });
    // An empty prompt is not sent.
    await create.click();
    assert(await dialog.isVisible(), "still open");
    await dialog.getByLabel("What should change?").fill("Make it night, with a full moon");
    await create.click();
    await dialog.waitFor({ state: "hidden" });
    const top = page.locator("#library > article.card").first();
    await top.filter({ hasText: "Make it night, with a full moon" }).waitFor();
    assertMatch((await top.locator(".card-meta").textContent())!, /Remix of another video/);
    await page.locator(".toast-success", { hasText: "Remix started" }).waitFor();
    await top.and(page.locator('[data-status="completed"]')).waitFor();
    const remixId = (await top.getAttribute("id"))!.slice("video-".length);
    assertEquals(
      (await getVideo(server.runtime.videos, server.user.id, remixId)).remixed_from,
      source.id,
    );

    // From the detail page, a remix opens the new video's page.
    await page.goto(`${server.url}/videos/${source.id}`);
    await page.getByRole("button", { name: "Remix" }).click();
    await dialog.getByLabel("What should change?").fill("In autumn colours");
    await dialog.getByRole("button", { name: "Create remix" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(source.id));
    assertEquals(await page.locator("#detail-prompt").textContent(), "In autumn colours");
    assertMatch((await page.locator(".lineage").textContent())!, /Remixed from/);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] detail: extend and edit a finished video; the new one shows where it came from",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { server, page } = session;
    const source = await makeVideo(server, { prompt: "A lighthouse at dusk" });
    await page.goto(`${server.url}/videos/${source.id}`);

    // Folded until asked for; the segment's length is chosen from the model's list, each with
    // what it costs (only the new segment is paid for) and the length it makes in all.
    const extend = page.locator('details[data-action="extend"]');
    await extend.locator("summary").click();
    const offers = source.actions.extend.options!;
    assertEquals(
      await extend.getByLabel("New segment").locator("option").allTextContents(),
      offers.map((o) =>
        `${o.seconds} seconds · ${cost(server, "sora-2", source.size, o.seconds)} · ${
          Number(source.seconds) + Number(o.seconds)
        }s in all`
      ),
    );
    await extend.getByLabel("What happens next?").fill("The beam sweeps over a passing ship");
    await extend.getByLabel("New segment").selectOption("8");
    await extend.getByRole("button", { name: "Extend" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(source.id));
    const extendedId = idFromUrl(page.url());
    // The page follows the new video and reloads once it is done: read it after that.
    await page.locator('.detail[data-status="completed"]').waitFor();
    assertEquals((await facts(page))["Length"], "12s");
    assertMatch((await page.locator(".lineage").textContent())!, /Extended from/);
    const extended = await getVideo(server.runtime.videos, server.user.id, extendedId);
    assertEquals(
      extended.cost,
      priceOf(server.runtime.providers.findModel("sora-2"), {
        size: source.size,
        seconds: "8",
      }),
    );

    await page.goto(`${server.url}/videos/${source.id}`);
    const edit = page.locator('details[data-action="edit"]');
    await edit.locator("summary").click();
    // The edit says what it costs: a whole video of the same size and length.
    await edit.locator(".hint", { hasText: `(${formatCost(source.actions.edit.cost!)})` })
      .waitFor();
    assertEquals(source.actions.edit.cost, source.cost);
    await edit.getByLabel("What should change?").fill("Make it a stormy night");
    await edit.getByRole("button", { name: "Edit" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(source.id));
    await page.locator('.detail[data-status="completed"]').waitFor();
    assertEquals((await facts(page))["Length"], "4s");
    assertMatch((await page.locator(".lineage").textContent())!, /Edited from/);

    // The source lists both, each saying how it was made, linked to its page.
    await page.goto(`${server.url}/videos/${source.id}`);
    const made = page.locator(".lineage-list li");
    assertEquals(await made.count(), 2);
    await page.locator(".lineage-list").getByRole("link", { name: /Extension/ }).click();
    await page.waitForURL(`${server.url}/videos/${extendedId}`);

    // A refusal (here: the budget) shows why and keeps the page and the prompt as they were.
    await server.runtime.db.setUserBudget(server.user.id, 1);
    await page.goto(`${server.url}/videos/${source.id}`);
    await extend.locator("summary").click();
    await extend.getByLabel("What happens next?").fill("A storm rolls in");
    await extend.getByLabel("New segment").selectOption("20");
    await extend.getByRole("button", { name: "Extend" }).click();
    await page.locator("#toasts .toast-error", { hasText: "monthly budget" }).waitFor();
    assertEquals(new URL(page.url()).pathname, `/videos/${source.id}`);
    assertEquals(await extend.getByLabel("What happens next?").inputValue(), "A storm rolls in");
    // The browser logs the refused request; nothing else went wrong.
    assertEquals(page.errors.filter((e) => !/status of 402/.test(e)), []);
  },
});

Deno.test({
  name: "[browser] detail: copy prompt, download MP4 and thumbnail, delete after confirming",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const video = await makeVideo(server, { prompt: "A kite over the dunes, late afternoon" });
    const page = await openPage(browser, { acceptDownloads: true });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.url,
    });
    await logIn(page, server.url);
    await page.goto(`${server.url}/videos/${video.id}`);

    await page.getByRole("button", { name: "Copy prompt" }).click();
    await page.locator(".toast-success", { hasText: "Prompt copied" }).waitFor();
    assertEquals(
      await page.evaluate(() => navigator.clipboard.readText()),
      "A kite over the dunes, late afternoon",
    );

    const [mp4] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download MP4" }).click(),
    ]);
    // Named by the day it was made and its prompt's first words, not by its id.
    const name = `${video.created_at.slice(0, 10)}-a-kite-over-the-dunes-late-afternoon`;
    assertEquals(mp4.suggestedFilename(), `${name}.mp4`);
    const [thumbnail] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download thumbnail" }).click(),
    ]);
    assertEquals(thumbnail.suggestedFilename(), `${name}-thumbnail.webp`);
    const bytes = await Deno.readFile((await thumbnail.path())!);
    assertEquals(new TextDecoder().decode(bytes.subarray(8, 12)), "WEBP");

    // Delete asks first; "Cancel" keeps the video.
    page.once("dialog", (dialog) => dialog.dismiss());
    await page.getByRole("button", { name: "Delete" }).click();
    assertEquals(page.url(), `${server.url}/videos/${video.id}`);
    assertEquals((await getVideo(server.runtime.videos, server.user.id, video.id)).id, video.id);
    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(`${server.url}/`);
    await page.locator(".empty-state", { hasText: "No videos yet" }).waitFor();
    assertEquals(page.errors, []);
  },
});
