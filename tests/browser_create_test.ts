/// <reference lib="dom" />
/** The create panel in Chromium: options per model, the estimate, reference images, feedback. */
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { priceNote, priceOf, secondsFor } from "../services/models/catalog.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import { formatCost } from "../views/format.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { apiClient, browserAvailable, loggedInSession, waitForLive } from "./browser_helpers.ts";

async function optionValues(page: Page, label: string): Promise<string[]> {
  return await page.getByLabel(label, { exact: true }).locator("option").evaluateAll(
    (options) => options.map((o) => (o as HTMLOptionElement).value),
  );
}

const estimate = (page: Page) => page.locator(".estimate .cost");

/** Waits until the estimate shows exactly `text` (as the form updates it, after a change). */
async function estimateIs(page: Page, text: string) {
  await page.waitForFunction(
    (want) => document.querySelector(".estimate .cost")?.textContent === want,
    text,
    { polling: 25, timeout: 10_000 },
  ).catch(async (error) => {
    throw new Error(`the estimate shows ${await estimate(page).textContent()}, not ${text}`, {
      cause: error,
    });
  });
}

/** A file for an `<input type=file>`. */
function file(name: string, mimeType: string, bytes: Uint8Array | string) {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return { name, mimeType, buffer: Buffer.from(data) };
}

/** A scratch folder, removed when done with. */
async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "sora-browser-files-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** A 1×1 PNG. */
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

Deno.test({
  name:
    "[browser] create: sizes follow the model, the cost estimate updates, the prompt is counted",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { server, page } = session;
    /** The catalog's price of a choice, as the form must show it. */
    const price = (model: string, size: string, seconds: string) =>
      formatCost(priceOf(server.runtime.providers.findModel(model), { size, seconds }));

    // Demo mode offers every simulated provider's models, in the catalog's order, Sora's first.
    const offered = server.runtime.providers.models.map((m) => m.id);
    assertEquals(await optionValues(page, "Model"), offered);
    assertEquals(offered.slice(0, 2), ["sora-2", "sora-2-pro"]);
    assertEquals(await optionValues(page, "Size"), ["720x1280", "1280x720"]);
    assertEquals(await optionValues(page, "Length"), ["4", "8", "12"]);
    assertEquals(await estimate(page).textContent(), price("sora-2", "720x1280", "4"));
    assertEquals(await estimate(page).textContent(), "≈ $0.40");

    await page.getByLabel("Model", { exact: true }).selectOption("sora-2-pro");
    assertEquals(await optionValues(page, "Size"), [
      "720x1280",
      "1280x720",
      "1024x1792",
      "1792x1024",
    ]);
    // The chosen size is still allowed, so it stays; the price per second changes.
    assertEquals(await page.getByLabel("Size", { exact: true }).inputValue(), "720x1280");
    await estimateIs(page, price("sora-2-pro", "720x1280", "4"));
    await page.getByLabel("Size", { exact: true }).selectOption("1792x1024");
    await estimateIs(page, price("sora-2-pro", "1792x1024", "4"));
    await page.getByLabel("Length", { exact: true }).selectOption("12");
    await estimateIs(page, price("sora-2-pro", "1792x1024", "12"));

    // Back to a model without that size: the first allowed size is chosen, the length kept.
    await page.getByLabel("Model", { exact: true }).selectOption("sora-2");
    assertEquals(await optionValues(page, "Size"), ["720x1280", "1280x720"]);
    assertEquals(await page.getByLabel("Size", { exact: true }).inputValue(), "720x1280");
    assertEquals(await page.getByLabel("Length", { exact: true }).inputValue(), "12");
    await estimateIs(page, price("sora-2", "720x1280", "12"));

    const prompt = page.getByLabel("Prompt", { exact: true });
    assertEquals(await prompt.getAttribute("maxlength"), "4000");
    await prompt.fill("A kite over the dunes");
    await page.locator("#create-prompt-count", { hasText: "21 / 4000" }).waitFor();
    // Close to the limit the counter warns; the box takes no more than the limit.
    await prompt.fill("x".repeat(3700));
    await page.locator("#create-prompt-count.is-near", { hasText: "3700 / 4000" }).waitFor();
    await prompt.fill("A kite over the dunes");
    await page.locator("#create-prompt-count:not(.is-near)", { hasText: "21 / 4000" }).waitFor();

    // What was chosen is what gets made: the new card is on top, without a page load.
    await page.getByLabel("Model", { exact: true }).selectOption("sora-2-pro");
    await page.getByLabel("Size", { exact: true }).selectOption("1792x1024");
    await page.getByLabel("Length", { exact: true }).selectOption("8");
    await estimateIs(page, price("sora-2-pro", "1792x1024", "8"));
    await prompt.press("Control+Enter");
    const card = page.locator("#library > article.card").first();
    // Named as the form names them: the model's label and the size's words.
    await card.locator(".card-meta", { hasText: "Sora 2 Pro · 1792×1024 · Landscape · 8s" })
      .waitFor();
    assertEquals(await card.locator(".card-prompt").textContent(), "A kite over the dunes");
    await page.locator(".toast-success", { hasText: "Generation started" }).waitFor();
    assertEquals(await prompt.inputValue(), "A kite over the dunes", "kept for the next take");
    assertEquals(page.url(), `${server.url}/`);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] create: switching models changes inputs and price",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { server, page } = session;
    const api = await apiClient(server);
    const { data: models } = await api.get<{ data: ModelInfo[] }>("/api/models");
    const offered = (id: string): ModelInfo => {
      const model = models.find((m) => m.id === id);
      assert(model, `demo mode offers ${id}`);
      return model;
    };
    const negative = page.getByLabel(/^Leave out/);
    const sound = page.getByLabel("With sound", { exact: true });
    const reference = page.locator(".field-reference");
    const note = page.locator("#create-model-note");

    /**
     * Chooses a model, size and length, and checks what the form then shows: the model's size and
     * length options, the optional inputs it takes (and only those), the note with the price's
     * source and date, and the catalog's price of the choice (with sound, where it can be chosen).
     */
    async function choose(
      model: ModelInfo,
      size: string,
      seconds: string,
      inputs: { negative: boolean; sound: boolean },
    ): Promise<string> {
      await page.getByLabel("Model", { exact: true }).selectOption(model.id);
      await note.filter({ hasText: model.provider_name }).filter({ hasText: priceNote(model) })
        .waitFor();
      assertMatch((await note.textContent())!, / price of \d{4}-\d\d-\d\d/);
      assertEquals(await optionValues(page, "Size"), model.sizes, model.id);
      await page.getByLabel("Size", { exact: true }).selectOption(size);
      assertEquals(await optionValues(page, "Length"), secondsFor(model, size), model.id);
      await page.getByLabel("Length", { exact: true }).selectOption(seconds);
      // What the model takes, as the catalog says and as the form shows (hidden means not sent).
      assertEquals(
        [model.inputs.negative_prompt, model.inputs.audio],
        [inputs.negative, inputs.sound],
        model.id,
      );
      assertEquals(await negative.isVisible(), inputs.negative, `${model.id}: negative prompt`);
      assertEquals(await negative.isEnabled(), inputs.negative);
      assertEquals(await sound.isVisible(), inputs.sound, `${model.id}: sound switch`);
      assertEquals(await sound.isEnabled(), inputs.sound);
      assert(await reference.isVisible(), `${model.id}: reference image`);
      const price = formatCost(
        priceOf(model, { size, seconds, audio: inputs.sound ? true : undefined }),
      );
      assert(price !== formatCost(0), `${model.id} has a price`);
      await estimateIs(page, price);
      return price;
    }

    // fal.ai's Veo 3.1: a negative prompt and a sound switch, on by default.
    const veo = offered("fal-ai/veo3.1");
    await choose(veo, "1920x1080", "6", { negative: true, sound: true });
    assert(await sound.isChecked(), "with sound by default");

    // Gemini Omni: neither (its videos always have sound); the size chosen before is kept.
    const omni = offered("gemini-omni-1.2-flash");
    await choose(omni, "1920x1080", "15", { negative: false, sound: false });

    // Hailuo is priced per video: the estimate is the price of one video of that length.
    const hailuo = offered("fal-ai/minimax/hailuo-2.3/standard/text-to-video");
    assertEquals(hailuo.price.unit, "video");
    assertEquals(hailuo.sizes, ["1366x768"]);
    const perVideo = await choose(hailuo, "1366x768", "10", { negative: false, sound: false });
    assertEquals(perVideo, formatCost(hailuo.price_per_video!["10"]));
    assertMatch(
      (await page.locator(`#create-model option[value="${hailuo.id}"]`).textContent())!,
      / a video$/,
    );

    // Sora 2: only the prompt and a reference image.
    await choose(offered("sora-2"), "1280x720", "8", { negative: false, sound: false });

    // Back to Veo 3.1 on fal.ai: without sound it costs less, and that is what gets recorded.
    const soundPrice = await choose(veo, "1280x720", "6", { negative: true, sound: true });
    assert(veo.price_per_second_silent, "Veo 3.1 has a price without sound");
    const silent = priceOf(veo, { size: "1280x720", seconds: "6", audio: false });
    assert(silent < priceOf(veo, { size: "1280x720", seconds: "6", audio: true }));
    await sound.uncheck();
    await estimateIs(page, formatCost(silent));
    await sound.check();
    await estimateIs(page, soundPrice);
    await sound.uncheck();
    await estimateIs(page, formatCost(silent));

    await page.getByLabel("Prompt", { exact: true }).fill("A quiet lake at first light");
    await negative.fill("people, boats");
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/videos"),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    const body = request.postData() ?? "";
    assertEquals([...body.matchAll(/name="audio"\r\n\r\n(\w+)/g)].map((m) => m[1]), ["off"]);
    const card = page.locator("#library > article.card").first();
    await card.filter({ hasText: "A quiet lake at first light" }).waitFor();
    const id = (await card.getAttribute("id"))!.slice("video-".length);
    const made = await api.get<Video>(`/api/videos/${id}`);
    assertEquals(
      [made.model, made.size, made.seconds, made.audio, made.negative_prompt],
      [veo.id, "1280x720", "6", false, "people, boats"],
    );
    assertEquals(made.cost, silent);

    // With sound left on, only the box is sent, and the video is made (and paid) with sound.
    const vertex = offered("veo-3.1-fast-generate-001");
    await sound.check();
    const withSound = await choose(vertex, "1280x720", "4", { negative: true, sound: true });
    await page.getByLabel("Prompt", { exact: true }).fill("A loud waterfall");
    const [second] = await Promise.all([
      page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/videos"),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    assertEquals(
      [...(second.postData() ?? "").matchAll(/name="audio"\r\n\r\n(\w+)/g)].map((m) => m[1]),
      ["on"],
    );
    const loud = page.locator("#library > article.card", { hasText: "A loud waterfall" });
    await loud.waitFor();
    const loudVideo = await api.get<Video>(
      `/api/videos/${(await loud.getAttribute("id"))!.slice("video-".length)}`,
    );
    assertEquals([loudVideo.model, loudVideo.audio], [vertex.id, true]);
    assertEquals(formatCost(loudVideo.cost), withSound);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] create: a bad reference image is refused with a message; a good one previews",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { server, page } = session;
    const input = page.locator("#create-reference");
    const error = page.locator("#create-reference-error");
    const preview = page.locator(".reference-preview img");

    await input.setInputFiles(file("notes.txt", "text/plain", "not an image"));
    await error.waitFor();
    assertEquals(await error.textContent(), "“notes.txt” is not a JPEG, PNG or WebP image.");
    assertEquals(await input.inputValue(), "", "the refused file is not kept");

    // The name and type say PNG, the bytes do not: the page takes it (it does not read the
    // bytes), the server refuses it when sent, and the toast says why; nothing is made and the
    // prompt stays for another try.
    await input.setInputFiles(file("holiday.png", "image/png", "<html>surprise</html>"));
    await page.locator(".reference-text strong", { hasText: "holiday.png" }).waitFor();
    await error.waitFor({ state: "hidden" });
    const prompt = page.getByLabel("Prompt", { exact: true });
    await prompt.fill("A holiday postcard comes alive");
    const [refused] = await Promise.all([
      page.waitForResponse((r) =>
        r.request().method() === "POST" && new URL(r.url()).pathname === "/videos"
      ),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    assertEquals(refused.status(), 415);
    const toast = page.locator("#toasts .toast-error");
    await toast.filter({ hasText: "The reference image must be a JPEG, PNG or WebP." }).waitFor();
    assertEquals(await prompt.inputValue(), "A holiday postcard comes alive");
    assertEquals(await page.locator("article.card").count(), 0);
    assertEquals(await server.runtime.db.videoIdsOfUser(server.user.id), [], "nothing was made");
    await toast.getByRole("button", { name: "Dismiss notification" }).click();
    await toast.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Remove reference image" }).click();
    await preview.waitFor({ state: "hidden" });

    // One byte over the limit, handed over as a file on disk (sent as bytes through the browser's
    // debugging protocol, 20 MB take many seconds).
    await using dir = await tempDir();
    const big = new Uint8Array(20 * 1024 * 1024 + 1);
    big.set(PNG);
    await Deno.writeFile(`${dir.path}/huge.png`, big);
    await input.setInputFiles(`${dir.path}/huge.png`);
    await error.filter({ hasText: "“huge.png” is 20.0 MB; the limit is 20 MB." }).waitFor();

    // A real PNG: previewed, named, no error; it can be removed again.
    await input.setInputFiles(file("dot.png", "image/png", PNG));
    await preview.waitFor();
    await error.waitFor({ state: "hidden" });
    await page.locator(".reference-text strong", { hasText: "dot.png" }).waitFor();
    await page.getByRole("button", { name: "Remove reference image" }).click();
    await preview.waitFor({ state: "hidden" });
    assertEquals(await input.inputValue(), "");

    // With the image, the create goes through; the prompt and the image stay for the next take.
    await input.setInputFiles(file("dot.png", "image/png", PNG));
    await preview.waitFor();
    await page.getByLabel("Prompt", { exact: true }).fill("A dot that becomes a planet");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("article.card", { hasText: "A dot that becomes a planet" }).waitFor();
    await preview.waitFor();
    assertEquals(
      await page.getByLabel("Prompt", { exact: true }).inputValue(),
      "A dot that becomes a planet",
    );
    // The browser logs the refused request; nothing else went wrong.
    assertEquals(page.errors.filter((e) => !/status of 415/.test(e)), []);
  },
});

Deno.test({
  name: "[browser] create: what the server refuses comes back as a toast, the form untouched",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { page } = session;
    // A size the model does not make (as a stale page could send): the server says why.
    await page.getByLabel("Size", { exact: true }).evaluate((select: HTMLSelectElement) => {
      select.add(new Option("1024×1792", "1024x1792", true, true));
    });
    await page.getByLabel("Prompt", { exact: true }).fill("A tall lighthouse");
    await page.getByRole("button", { name: "Generate" }).click();
    const toast = page.locator("#toasts .toast-error");
    await toast.waitFor();
    assertMatch((await toast.textContent())!, /sora-2 makes 720x1280, 1280x720/);
    assertEquals(
      await page.getByLabel("Prompt", { exact: true }).inputValue(),
      "A tall lighthouse",
    );
    assertEquals(await page.locator("article.card").count(), 0);
    // Toasts can be dismissed by keyboard or pointer.
    await toast.getByRole("button", { name: "Dismiss notification" }).click();
    await toast.waitFor({ state: "detached" });
    // The server's refusal is a 400, which the console reports; nothing else went wrong.
    assertEquals(page.errors.filter((e) => !/status of 400/.test(e)), []);
  },
});

Deno.test({
  name: "[browser] create: a request in flight shows the busy bar and disables Generate",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { page } = session;
    await waitForLive(page);
    const busyBar = page.locator(".busy-bar");
    assertEquals(await busyBar.evaluate((el) => getComputedStyle(el).opacity), "0");

    // Hold the create request until the indicator has been seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    await page.route(
      (url) => url.pathname === "/videos",
      async (route) => {
        if (route.request().method() === "POST") await held;
        await route.continue();
      },
    );
    await page.getByLabel("Prompt", { exact: true }).fill("A slow sunrise");
    const generate = page.getByRole("button", { name: "Generate" });
    await generate.click();
    await page.locator("html.is-busy").waitFor({ state: "attached" });
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector(".busy-bar")!).opacity === "1",
      undefined,
      { polling: 25 },
    );
    assert(await generate.isDisabled(), "Generate is disabled while the request runs");
    assert(
      await page.locator("#create-form .spinner").isVisible(),
      "the button shows a spinner",
    );
    release();
    await page.locator("article.card", { hasText: "A slow sunrise" }).waitFor();
    await page.locator("html:not(.is-busy)").waitFor({ state: "attached" });
    assert(await generate.isEnabled());
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] feedback: rate limited, server trouble and a lost connection each get a toast",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ jobs: false });
    const { page } = session;
    await waitForLive(page);
    const answers: Array<(route: import("playwright-core").Route) => Promise<void>> = [
      (route) => route.fulfill({ status: 429, body: "slow down", headers: { "retry-after": "5" } }),
      (route) => route.fulfill({ status: 503, body: "upstream down" }),
      (route) => route.abort("internetdisconnected"),
    ];
    await page.route(
      (url) => url.pathname === "/videos",
      (route) => route.request().method() === "POST" ? answers.shift()!(route) : route.continue(),
    );
    const expected = [
      /Too many requests — wait a moment and try again/,
      /The server had a problem \(HTTP 503\)/,
      /Network error — couldn't reach the server/,
    ];
    await page.getByLabel("Prompt", { exact: true }).fill("A heron in the reeds");
    for (const message of expected) {
      await page.getByRole("button", { name: "Generate" }).click();
      await page.locator("#toasts .toast-error", { hasText: message }).waitFor();
      // Nothing was swapped into the library, and the prompt is kept for another try.
      assertEquals(await page.locator("article.card").count(), 0);
      assertEquals(
        await page.getByLabel("Prompt", { exact: true }).inputValue(),
        "A heron in the reeds",
      );
    }
    assertEquals(await page.locator("#toasts .toast-error").count(), 3);
    // The browser and htmx log the failures to the console; nothing else went wrong.
    assertEquals(
      page.errors.filter((e) => !/status of (429|503)|ERR_INTERNET|Failed to fetch/.test(e)),
      [],
    );
  },
});
