import { createUser } from "../services/auth/auth.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

const PASSWORD = "correct horse battery";

/** The visible text of a page: no attributes (ids live in links and data), no tags. */
function visibleText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ");
}

Deno.test("[labels] cards, the detail page and the spend page name models by label, not id", async () => {
  await using t = await startTestApp({ startJobs: false });
  await createUser(t.runtime.db, "root", PASSWORD, "admin");
  const token = await t.api("POST", "/api/auth/login", undefined, {
    username: "root",
    password: PASSWORD,
  }).then((r) => r.json()).then((b) => b.token as string);
  const cookie = await t.sessionCookie("root", PASSWORD);
  const made = await (await t.api("POST", "/api/videos", token, {
    prompt: "A lighthouse in a storm",
    model: "sora-2-pro",
    size: "1792x1024",
    seconds: "8",
  })).json();
  assertEquals(made.model_label, "Sora 2 Pro");

  const library = visibleText(await (await t.app.request("/", { headers: { cookie } })).text());
  assert(library.includes("Sora 2 Pro · 1792×1024 · Landscape · 8s"), "the card's line");
  assert(!library.includes("sora-2-pro ·"), "no raw id on the card");
  assert(!library.includes("1792x1024"), "no raw size on the card");

  const detail = visibleText(
    await (await t.app.request(`/videos/${made.id}`, { headers: { cookie } })).text(),
  );
  assert(detail.includes("Sora 2 Pro"), "the detail page names the model");
  assert(detail.includes("1792×1024 · Landscape"), "and the size as the form does");

  const spend = visibleText(
    await (await t.app.request("/admin/spend", { headers: { cookie } })).text(),
  );
  assert(spend.includes("Sora 2 Pro"), "the spend page's label, in its chart and table");
  assert(!spend.includes("sora-2-pro"), "no raw id shown on the spend page");
});

Deno.test("[labels] a card made from another video says what it is", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const source = await (await t.api("POST", "/api/videos", token, { prompt: "A fox" })).json();
  await t.waitForVideo(token, source.id, (v) => v.status === "completed");
  assertEquals(source.derivation, null);
  const remix = await t.api("POST", `/api/videos/${source.id}/remix`, token, {
    prompt: "at night",
  });
  assertEquals(remix.status, 201);
  const made = await remix.json();
  assertEquals([made.remixed_from, made.derivation], [source.id, "remix"]);
  const edit = await t.api("POST", `/api/videos/${source.id}/edit`, token, { prompt: "in snow" });
  assertEquals((await edit.json()).derivation, "edit");

  const library = visibleText(await (await t.app.request("/", { headers: { cookie } })).text());
  assert(library.includes("Remix of another video"), "the remix card says so");
  assert(library.includes("Edit of another video"), "and the edit's");
});
