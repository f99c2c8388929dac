/// <reference lib="dom" />
/** Iterating on a prompt in Chromium: the filled form, the kept prompt, Clear, priced actions. */
import { formatCost } from "../views/format.ts";
import { assertEquals } from "./assert.ts";
import {
  browserAvailable,
  launch,
  logIn,
  makeVideo,
  openPage,
  startServer,
  waitForLive,
} from "./browser_helpers.ts";

Deno.test({
  name:
    "[browser] iterate: Use these settings fills the form, the prompt stays after Generate, Clear clears it; Remix says its cost",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const source = await makeVideo(server, {
      prompt: "A red fox in fresh snow",
      model: "sora-2-pro",
      size: "1024x1792",
      seconds: "8",
    });
    const page = await openPage(browser);
    await logIn(page, server.url);
    await waitForLive(page);

    // The card's "Use these settings": the form is filled in place, the prompt focused.
    const card = page.locator(`#video-${source.id}`);
    await card.getByRole("link", { name: "Use these settings" }).click();
    await page.locator(".settings-note").waitFor();
    assertEquals(new URL(page.url()).pathname, "/", "no page load away from the library");
    const prompt = page.getByLabel("Prompt", { exact: true });
    assertEquals(await prompt.inputValue(), "A red fox in fresh snow");
    assertEquals(await page.getByLabel("Model", { exact: true }).inputValue(), "sora-2-pro");
    assertEquals(await page.getByLabel("Size", { exact: true }).inputValue(), "1024x1792");
    assertEquals(await page.getByLabel("Length", { exact: true }).inputValue(), "8");
    assertEquals(await prompt.evaluate((el) => el === document.activeElement), true);
    await page.locator("#create-prompt-count", { hasText: "23 / 4000" }).waitFor();

    // Change it and Generate: the new card comes, the prompt stays for the next take.
    await prompt.fill("A red fox in fresh snow at dusk");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#library > article.card").first()
      .filter({ hasText: "A red fox in fresh snow at dusk" }).waitFor();
    assertEquals(await prompt.inputValue(), "A red fox in fresh snow at dusk");
    await page.locator("#budget-meter", { hasText: "spent this month" }).waitFor();

    await page.getByRole("button", { name: "Clear", exact: true }).click();
    assertEquals(await prompt.inputValue(), "");
    await page.locator("#create-prompt-count", { hasText: "0 / 4000" }).waitFor();

    // The detail page's Re-run opens the same filled form, on the library page.
    await page.goto(`${server.url}/videos/${source.id}`);
    await page.getByRole("link", { name: `Re-run · ${formatCost(source.rerun_cost)}` }).click();
    await page.waitForURL(`${server.url}/?from=${source.id}`);
    assertEquals(await prompt.inputValue(), "A red fox in fresh snow");

    // The remix dialog says what a remix of this video costs before it is sent.
    const remixCost = formatCost(source.actions.remix.cost ?? 0);
    await page.locator(`#video-${source.id}`).getByRole("button", { name: "Remix" }).click();
    await page.getByRole("button", { name: `Create remix · ${remixCost}` }).waitFor();
    assertEquals(page.errors, []);
  },
});
