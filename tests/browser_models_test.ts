/// <reference lib="dom" />
/**
 * The create form and the video views follow the model catalogue the server offers, whatever it
 * holds: sizes per model, lengths per size, prices, optional inputs, and what a finished video of
 * a model has (thumbnail, spritesheet, remix).
 */
import { OPENAI_MODELS } from "../services/providers/openai_models.ts";
import type { ModelInfo } from "../services/types.ts";

/** The models demo mode offers. */
const MODELS: readonly ModelInfo[] = OPENAI_MODELS;
import { formatCost, modelView, secondsAt } from "../views/format.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import {
  browserAvailable,
  launch,
  loggedInSession,
  logIn,
  makeVideo,
  openPage,
  startServer,
  waitForLive,
} from "./browser_helpers.ts";

interface OfferedModel {
  id: string;
  label: string;
  provider_name: string;
  sizes: string[];
  seconds: string[];
  seconds_by_size: Record<string, string[]>;
  price_per_second: Record<string, number>;
  reference: boolean;
  negative_prompt: boolean;
}

Deno.test({
  name: "[browser] create: every offered model's sizes, lengths per size, prices and inputs",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ jobs: false });
    const { page } = session;
    const offered: OfferedModel[] = JSON.parse(
      (await page.locator("#models-data").textContent())!,
    );
    assert(offered.length > 0, "models are offered");
    const values = (label: string) =>
      page.getByLabel(label, { exact: true }).locator("option").evaluateAll((options) =>
        options.map((o) => (o as HTMLOptionElement).value)
      );
    assertEquals(await values("Model"), offered.map((m) => m.id));

    for (const model of offered) {
      await page.getByLabel("Model", { exact: true }).selectOption(model.id);
      assertEquals(await values("Size"), model.sizes, model.id);
      await page.locator("#create-model-note", { hasText: model.provider_name }).waitFor();
      for (const size of model.sizes) {
        await page.getByLabel("Size", { exact: true }).selectOption(size);
        const lengths = model.seconds_by_size[size] ?? model.seconds;
        assertEquals(await values("Length"), lengths, `${model.id} ${size}`);
        const seconds = lengths.at(-1)!;
        await page.getByLabel("Length", { exact: true }).selectOption(seconds);
        const cost = Math.round(model.price_per_second[size] * Number(seconds) * 100) / 100;
        await page.locator(".estimate .cost", { hasText: formatCost(cost) }).waitFor();
      }
      // Optional inputs: shown (and sent) only for the models that take them.
      const negative = page.getByLabel(/^Leave out/);
      assertEquals(await negative.isVisible(), model.negative_prompt, `${model.id} negative`);
      assertEquals(await negative.isEnabled(), model.negative_prompt);
      assertEquals(
        await page.locator(".field-reference").isVisible(),
        model.reference,
        `${model.id} reference`,
      );
    }
    // The server's catalogue and the form agree with the views' own reading of it.
    for (const model of offered) {
      const known = MODELS.find((m) => m.id === model.id);
      assert(known, model.id);
      const view = modelView(known);
      for (const size of view.sizes) {
        assertEquals(model.seconds_by_size[size] ?? model.seconds, secondsAt(view, size));
      }
    }
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] a model with a negative prompt: it is sent with the create",
  ignore: !browserAvailable ||
    !MODELS.map(modelView).some((m) => m.negativePrompt),
  async fn() {
    await using session = await loggedInSession({ jobs: false });
    const { server, page } = session;
    const offered: OfferedModel[] = JSON.parse(
      (await page.locator("#models-data").textContent())!,
    );
    const model = offered.find((m) => m.negative_prompt);
    if (!model) return; // this server offers none
    await page.getByLabel("Model", { exact: true }).selectOption(model.id);
    await page.getByLabel("Prompt", { exact: true }).fill("A calm harbour at dawn");
    await page.getByLabel(/^Leave out/).fill("boats, people");
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/videos"),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    assertMatch(request.postData() ?? "", /name="negative_prompt"\r\n\r\nboats, people/);
    const card = page.locator("#library > article.card").first();
    await card.filter({ hasText: "A calm harbour at dawn" }).waitFor();
    assertMatch((await card.locator(".card-meta").textContent())!, new RegExp(model.id));
    assertEquals(await page.getByLabel(/^Leave out/).inputValue(), "", "emptied for the next one");

    // Re-run keeps the negative prompt too.
    const id = (await card.getAttribute("id"))!.slice("video-".length);
    await page.goto(`${server.url}/videos/${id}`);
    await page.getByRole("button", { name: "Re-run" }).click();
    await page.waitForURL((url) =>
      /\/videos\/vid_/.test(url.pathname) && !url.pathname.endsWith(id)
    );
    const rerunId = new URL(page.url()).pathname.split("/").at(-1)!;
    const rerun = server.runtime.db.videoOfUser(rerunId, server.user.id)!;
    assertEquals([rerun.model, rerun.negative_prompt], [model.id, "boats, people"]);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] a model without thumbnail, spritesheet or remix: cards and detail adapt",
  ignore: !browserAvailable ||
    !MODELS.map(modelView).some((m) =>
      !m.remix && !m.variants.includes("thumbnail") && !m.variants.includes("spritesheet")
    ),
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const view = MODELS.map(modelView).find((m) => !m.remix && !m.variants.includes("thumbnail"))!;
    const video = await makeVideo(server, {
      prompt: "A glass of water on a windowsill",
      model: view.id,
      size: view.defaultSize,
      seconds: view.defaultSeconds,
    });
    assertEquals(video.status, "completed");
    const page = await openPage(browser);
    await logIn(page, server.url);
    await waitForLive(page);
    const card = page.locator(`#video-${video.id}`);
    // No poster or scrub to ask for (they would be 404s); the video shows its own frame.
    assertEquals(await card.locator("video").getAttribute("poster"), null);
    assertEquals(await card.locator(".card-open").getAttribute("data-scrub"), null);
    assertEquals(await card.getByRole("button", { name: "Remix" }).count(), 0);
    await card.getByRole("link", { name: "Details" }).click();
    await page.waitForURL(`${server.url}/videos/${video.id}`);
    assertEquals(await page.getByRole("button", { name: "Remix" }).count(), 0);
    assertEquals(await page.getByRole("link", { name: "Download thumbnail" }).count(), 0);
    assertEquals(await page.locator(".storyboard").count(), 0);
    assertEquals(
      await page.locator(".detail-note").textContent(),
      MODELS.find((m) => m.id === view.id)!.unavailable?.remix,
    );
    await page.getByRole("link", { name: "Download MP4" }).waitFor();
    assertEquals(page.errors, []);
  },
});
