/// <reference lib="dom" />
/**
 * The create form and the video views follow the model catalog the server offers, whatever it
 * holds: sizes per model, lengths per size, prices (as the catalog computes them), optional
 * inputs, and what a finished video of a model has here (thumbnail, spritesheet, remix).
 */
import { priceNote, priceOf, secondsFor } from "../services/models/catalog.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import { formatCost, modelView, secondsAt } from "../views/format.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import {
  apiClient,
  browserAvailable,
  launch,
  loggedInSession,
  logIn,
  makeVideo,
  openPage,
  seedVideos,
  startServer,
  type TestServer,
  waitForLive,
} from "./browser_helpers.ts";

/** What the server offers, as a client of the JSON API reads it. */
async function offeredModels(server: TestServer): Promise<ModelInfo[]> {
  const { data } = await (await apiClient(server)).get<{ data: ModelInfo[] }>("/api/models");
  return data;
}

Deno.test({
  name: "[browser] create: every offered model's sizes, lengths per size, prices and inputs",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ jobs: false });
    const { server, page } = session;
    const offered = await offeredModels(server);
    assert(offered.length > 0, "models are offered");
    const values = (label: string) =>
      page.getByLabel(label, { exact: true }).locator("option").evaluateAll((options) =>
        options.map((o) => (o as HTMLOptionElement).value)
      );
    assertEquals(await values("Model"), offered.map((m) => m.id));
    const estimate = page.locator(".estimate .cost");
    const sound = page.getByLabel("With sound", { exact: true });

    for (const model of offered) {
      await page.getByLabel("Model", { exact: true }).selectOption(model.id);
      assertEquals(await values("Size"), model.sizes, model.id);
      // The note names the provider and where the price comes from, with its date.
      const note = page.locator("#create-model-note");
      await note.filter({ hasText: model.provider_name }).filter({ hasText: priceNote(model) })
        .waitFor();
      // The option says how the model is priced: per second, or per video.
      assertMatch(
        (await page.locator(`#create-model option[value="${model.id}"]`).textContent())!,
        model.price.unit === "video" ? / a video$/ : /\/s$/,
      );
      for (const size of model.sizes) {
        await page.getByLabel("Size", { exact: true }).selectOption(size);
        const lengths = secondsFor(model, size);
        assertEquals(await values("Length"), lengths, `${model.id} ${size}`);
        const seconds = lengths.at(-1)!;
        await page.getByLabel("Length", { exact: true }).selectOption(seconds);
        // Sound is left as it is: on, which is every switchable model's default here.
        const cost = formatCost(priceOf(model, { size, seconds }));
        await page.waitForFunction(
          (want) => document.querySelector(".estimate .cost")?.textContent === want,
          cost,
          { polling: 25, timeout: 5_000 },
        ).catch(async () => {
          throw new Error(
            `${model.id} ${size} ${seconds}s: ${await estimate.textContent()}, not ${cost}`,
          );
        });
      }
      // Optional inputs: shown (and sent) only for the models that take them.
      const negative = page.getByLabel(/^Leave out/);
      assertEquals(
        await negative.isVisible(),
        model.inputs.negative_prompt,
        `${model.id} negative`,
      );
      assertEquals(await negative.isEnabled(), model.inputs.negative_prompt);
      assertEquals(
        await page.locator(".field-reference").isVisible(),
        model.inputs.input_reference,
        `${model.id} reference`,
      );
      assertEquals(await sound.isVisible(), model.inputs.audio, `${model.id} sound`);
      assertEquals(await sound.isEnabled(), model.inputs.audio);
      if (model.inputs.audio) assertEquals(await sound.isChecked(), model.audio, model.id);
    }
    // The form's own data and the views' reading of the catalog agree with the API.
    const formIds = JSON.parse((await page.locator("#models-data").textContent())!)
      .map((m: { id: string }) => m.id);
    assertEquals(formIds, offered.map((m) => m.id));
    for (const model of offered) {
      const view = modelView(model);
      for (const size of view.sizes) assertEquals(secondsFor(model, size), secondsAt(view, size));
    }
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] a model with a negative prompt: it is sent with the create",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ jobs: false });
    const { server, page } = session;
    const model = (await offeredModels(server)).find((m) => m.inputs.negative_prompt);
    assert(model, "demo mode offers a model that takes a negative prompt");
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
    assert((await card.locator(".card-meta").textContent())!.includes(model.label), "label");
    assertEquals(await page.getByLabel(/^Leave out/).inputValue(), "boats, people", "kept");
    const id = (await card.getAttribute("id"))!.slice("video-".length);
    const api = await apiClient(server);
    const made = await api.get<Video>(`/api/videos/${id}`);
    assertEquals([made.model, made.negative_prompt], [model.id, "boats, people"]);

    // Re-run (saying what it costs) opens the form filled with the negative prompt too.
    await page.goto(`${server.url}/videos/${id}`);
    await page.getByRole("link", { name: `Re-run · ${formatCost(made.rerun_cost)}` }).click();
    await page.waitForURL(`${server.url}/?from=${id}`);
    assertEquals(await page.getByLabel(/^Leave out/).inputValue(), "boats, people");
    await page.getByRole("button", { name: "Generate" }).click();
    const top = page.locator(`#library > article.card:not(#video-${id})`).first();
    await top.filter({ hasText: "A calm harbour at dawn" }).waitFor();
    const rerunId = (await top.getAttribute("id"))!.slice("video-".length);
    const rerun = await api.get<Video>(`/api/videos/${rerunId}`);
    assertEquals([rerun.model, rerun.negative_prompt], [model.id, "boats, people"]);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] a model without remix: cards and detail show the files the video has here",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    // A model whose provider makes neither a thumbnail nor a spritesheet, nor remixes.
    const model = server.runtime.providers.models.find((m) =>
      !m.actions.remix && !m.variants.includes("thumbnail") && !m.variants.includes("spritesheet")
    );
    assert(model, "demo mode offers a model without remix, thumbnail and spritesheet");
    // Made through its simulator: this server makes the missing files itself when it can (ffmpeg).
    const made = await makeVideo(server, {
      prompt: "A glass of water on a windowsill",
      model: model.id,
      size: model.default_size,
      seconds: model.default_seconds,
    });
    assertEquals(made.status, "completed");
    assertEquals(
      made.variants,
      server.runtime.facts.ffmpeg ? ["video", "thumbnail", "spritesheet"] : ["video"],
    );
    // And one whose files beyond the MP4 are not here.
    const [bare] = await seedVideos(server, [{
      prompt: "A cup of tea going cold",
      model: model.id,
      size: model.default_size,
      seconds: model.default_seconds,
      variants: ["video"],
    }]);
    const api = await apiClient(server);
    const page = await openPage(browser);
    await logIn(page, server.url);
    await waitForLive(page);

    for (const id of [made.id, bare]) {
      const video = await api.get<Video>(`/api/videos/${id}`);
      const thumbnail = video.variants.includes("thumbnail");
      const spritesheet = video.variants.includes("spritesheet");
      if (id === bare) assertEquals(video.variants, ["video"]);
      const card = page.locator(`#video-${id}`);
      // A poster and a scrub only when the file is here (else they would be 404s).
      assertEquals(
        await card.locator("video").getAttribute("poster"),
        thumbnail ? `/videos/${id}/content?variant=thumbnail` : null,
        id,
      );
      assertEquals(
        await card.locator(".card-open").getAttribute("data-scrub"),
        spritesheet ? `/videos/${id}/content?variant=spritesheet` : null,
        id,
      );
      assertEquals(await card.getByRole("button", { name: "Remix" }).count(), 0);
      await card.getByRole("link", { name: "Details" }).click();
      await page.waitForURL(`${server.url}/videos/${id}`);
      assertEquals(await page.getByRole("button", { name: "Remix" }).count(), 0);
      assertEquals(
        await page.getByRole("link", { name: "Download thumbnail" }).count(),
        thumbnail ? 1 : 0,
      );
      assertEquals(await page.locator(".storyboard").count(), spritesheet ? 1 : 0);
      // Why there is no remix, in the words the API gives.
      assertEquals(video.actions.remix.available, false);
      await page.locator(".detail-note", { hasText: video.actions.remix.reason }).waitFor();
      await page.getByRole("link", { name: "Download MP4" }).waitFor();
      await page.goBack();
      await waitForLive(page);
    }
    assertEquals(page.errors, []);
  },
});
