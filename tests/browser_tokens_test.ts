/// <reference lib="dom" />
import { assert, assertEquals } from "./assert.ts";
import { browserAvailable, launch, logIn, openPage, startServer } from "./browser_helpers.ts";

Deno.test({
  name: "[browser] API tokens: create one, see it once with the MCP snippet, copy it, revoke it",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ jobs: false });
    await using browser = await launch();
    const page = await openPage(browser, { permissions: ["clipboard-read", "clipboard-write"] });
    await logIn(page, server.url);
    const me = (token: string) =>
      fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
        .then(async (r) => (await r.body?.cancel(), r.status));

    await page.getByRole("link", { name: "API tokens" }).click();
    await page.waitForURL(`${server.url}/account/tokens`);
    await page.getByText("You have no API tokens.").waitFor();
    await page.getByLabel("Name").fill("nightly script");
    await page.getByRole("button", { name: "Create token" }).click();

    const token = (await page.locator("#new-token").textContent())!;
    assert(/^[\w-]{40,}$/.test(token), token);
    const mcp = JSON.parse((await page.locator("#new-token-mcp").textContent())!);
    assertEquals(mcp.mcpServers["sora-studio"].url, `${server.url}/mcp`);
    assertEquals(mcp.mcpServers["sora-studio"].headers.Authorization, `Bearer ${token}`);
    assert((await page.locator("#new-token-curl").textContent())!.includes(token));

    await page.getByRole("button", { name: "Copy" }).first().click();
    await page.locator(".toast", { hasText: "Token copied." }).waitFor();
    assertEquals(await page.evaluate(() => navigator.clipboard.readText()), token);
    assertEquals(await me(token), 200);

    // Shown once: the list names it and says it was used, but never shows it again.
    await page.goto(`${server.url}/account/tokens`);
    const row = page.getByRole("row", { name: /nightly script/ });
    await row.waitFor();
    assert(!(await page.content()).includes(token), "the token is not on the page any more");
    assert(!(await row.textContent())!.includes("Never"), "its last use is shown");

    await row.getByRole("button", { name: "Revoke nightly script" }).click();
    await page.locator("#token-revoked").waitFor();
    assertEquals(await page.getByRole("row", { name: /nightly script/ }).count(), 0);
    assertEquals(await me(token), 401);
    assertEquals(page.errors, []);
  },
});
