/// <reference lib="dom" />
/** The create panel in Chromium: options per model, the estimate, reference images, feedback. */
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { browserAvailable, loggedInSession, waitForLive } from "./browser_helpers.ts";

async function optionValues(page: Page, label: string): Promise<string[]> {
  return await page.getByLabel(label, { exact: true }).locator("option").evaluateAll(
    (options) => options.map((o) => (o as HTMLOptionElement).value),
  );
}

const estimate = (page: Page) => page.locator(".estimate .cost");

/** A file for an `<input type=file>`. */
function file(name: string, mimeType: string, bytes: Uint8Array | string) {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return { name, mimeType, buffer: Buffer.from(data) };
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

    // Demo mode offers both simulated providers: Sora's models first, then Veo's.
    assertEquals(await optionValues(page, "Model"), [
      "sora-2",
      "sora-2-pro",
      "veo-3.1-generate-preview",
      "veo-3.1-fast-generate-preview",
      "veo-3.0-generate-001",
      "veo-3.0-fast-generate-001",
    ]);
    assertEquals(await optionValues(page, "Size"), ["720x1280", "1280x720"]);
    assertEquals(await optionValues(page, "Length"), ["4", "8", "12"]);
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
    await page.locator(".estimate .cost", { hasText: "≈ $1.20" }).waitFor();
    await page.getByLabel("Size", { exact: true }).selectOption("1792x1024");
    await page.locator(".estimate .cost", { hasText: "≈ $2.00" }).waitFor();
    await page.getByLabel("Length", { exact: true }).selectOption("12");
    await page.locator(".estimate .cost", { hasText: "≈ $6.00" }).waitFor();

    // Back to a model without that size: the first allowed size is chosen, the length kept.
    await page.getByLabel("Model", { exact: true }).selectOption("sora-2");
    assertEquals(await optionValues(page, "Size"), ["720x1280", "1280x720"]);
    assertEquals(await page.getByLabel("Size", { exact: true }).inputValue(), "720x1280");
    assertEquals(await page.getByLabel("Length", { exact: true }).inputValue(), "12");
    await page.locator(".estimate .cost", { hasText: "≈ $1.20" }).waitFor();

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
    await page.locator(".estimate .cost", { hasText: "≈ $4.00" }).waitFor();
    await prompt.press("Control+Enter");
    const card = page.locator("#library > article.card").first();
    await card.locator(".card-meta", { hasText: "sora-2-pro · 1792x1024 · 8s" }).waitFor();
    assertEquals(await card.locator(".card-prompt").textContent(), "A kite over the dunes");
    await page.locator(".toast-success", { hasText: "Generation started" }).waitFor();
    assertEquals(await prompt.inputValue(), "", "the form is ready for the next prompt");
    assertEquals(page.url(), `${server.url}/`);
    assertEquals(page.errors, []);
  },
});

Deno.test({
  name: "[browser] create: a bad reference image is refused with a message; a good one previews",
  ignore: !browserAvailable,
  async fn() {
    await using session = await loggedInSession({ timeScale: 0.05, pollMs: 50 });
    const { page } = session;
    const input = page.locator("#create-reference");
    const error = page.locator("#create-reference-error");
    const preview = page.locator(".reference-preview img");

    await input.setInputFiles(file("notes.txt", "text/plain", "not an image"));
    await error.waitFor();
    assertEquals(await error.textContent(), "“notes.txt” is not a JPEG, PNG or WebP image.");
    assertEquals(await input.inputValue(), "", "the refused file is not kept");

    // The name and type say PNG, the bytes do not: refused like the server would.
    await input.setInputFiles(file("holiday.png", "image/png", "<html>surprise</html>"));
    await error.filter({ hasText: "“holiday.png” is not a real JPEG, PNG or WebP image." })
      .waitFor();
    assertEquals(await input.inputValue(), "");
    assert(await preview.isHidden(), "no preview of a refused file");

    const big = new Uint8Array(20 * 1024 * 1024 + 1);
    big.set(PNG);
    await input.setInputFiles(file("huge.png", "image/png", big));
    await error.filter({ hasText: "“huge.png” is 20.0 MB; the limit is 20 MB." }).waitFor();

    // A real PNG: previewed, named, no error; it can be removed again.
    await input.setInputFiles(file("dot.png", "image/png", PNG));
    await preview.waitFor();
    await error.waitFor({ state: "hidden" });
    await page.locator(".reference-text strong", { hasText: "dot.png" }).waitFor();
    await page.getByRole("button", { name: "Remove reference image" }).click();
    await preview.waitFor({ state: "hidden" });
    assertEquals(await input.inputValue(), "");

    // With the image, the create goes through and the form is emptied.
    await input.setInputFiles(file("dot.png", "image/png", PNG));
    await preview.waitFor();
    await page.getByLabel("Prompt", { exact: true }).fill("A dot that becomes a planet");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("article.card", { hasText: "A dot that becomes a planet" }).waitFor();
    await preview.waitFor({ state: "hidden" });
    assertEquals(page.errors, []);
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
