import { createGeminiSimulator } from "../services/providers/simulators/gemini/simulator.ts";
import type { NewVideoJob } from "../services/stores/database.ts";
import type { Video } from "../services/types.ts";
import { formatCost } from "../views/format.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

let next = 0;
async function insert(
  t: TestApp,
  job: Partial<NewVideoJob & { estimated_cost: number }> & { user_id: number },
) {
  const id = "vid_" + String(++next).padStart(24, "0");
  await t.runtime.db.insertVideoJob({
    id,
    prompt: "a heron at dawn",
    model: "sora-2",
    size: "1280x720",
    seconds: "4",
    provider: "openai",
    negative_prompt: null,
    remixed_from: null,
    source_upstream_id: null,
    reference_key: null,
    reference_type: null,
    idempotency_key: crypto.randomUUID(),
    created_at: Date.now(),
    estimated_cost: 1.25,
    ...job,
  });
  return id;
}

function page(t: TestApp, path: string, cookie: string, headers: Record<string, string> = {}) {
  return Promise.resolve(t.app.request(path, { headers: { cookie, ...headers } }));
}

Deno.test("[iterate] /?from= fills the create form with a video's settings; another user's video is 404", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  await t.userToken("bob");
  const model = t.runtime.providers.models.find((m) => m.inputs.negative_prompt && m.inputs.audio);
  assert(model, "demo mode offers a model with a negative prompt and a sound choice");
  const size = model.sizes.at(-1)!;
  const seconds = (model.seconds_by_size?.[size] ?? model.seconds).at(-1)!;
  const id = await insert(t, {
    user_id: 1,
    prompt: 'A "quiet" <harbour> & gulls',
    negative_prompt: "boats, people",
    model: model.id,
    provider: model.provider,
    size,
    seconds,
    audio: 0,
    reference_key: "uploads/x.png",
    reference_type: "image/png",
  });
  const ada = await t.sessionCookie("ada");
  const res = await page(t, `/?from=${id}`, ada);
  assertEquals(res.status, 200);
  const html = await res.text();
  assertMatch(
    html,
    /<textarea[^>]*id="create-prompt"[^>]*>A &quot;quiet&quot; &lt;harbour&gt; &amp; gulls<\/textarea>/,
  );
  assertMatch(html, /<textarea[^>]*autofocus/);
  assertMatch(html, /id="create-negative"[^>]*value="boats, people"/);
  assertMatch(
    html,
    new RegExp(
      `<option value="${model.id.replaceAll("/", "\\/").replaceAll(".", "\\.")}" selected`,
    ),
  );
  assertMatch(html, new RegExp(`<option value="${size}" selected`));
  assertMatch(html, new RegExp(`<option value="${seconds}" selected`));
  assert(!/name="audio" value="on" checked/.test(html), "without sound, as it was made");
  assertMatch(html, /reference image, which is not carried over/);
  assertMatch(html, new RegExp(`href="/videos/${id}"`));

  // From a card, htmx asks for the filled form alone.
  const fragment = await (await page(t, `/?from=${id}`, ada, {
    "hx-request": "true",
    "hx-target": "form#create-form",
  })).text();
  assert(fragment.startsWith("<form"), "the form alone");
  assert(!fragment.includes('id="library"'), "no library");

  // Without `from`: an empty form, Clear next to the prompt.
  const plain = await (await page(t, "/", ada)).text();
  assertMatch(plain, /<textarea[^>]*id="create-prompt"[^>]*><\/textarea>/);
  assertMatch(plain, />\s*Clear\s*</);

  const bob = await t.sessionCookie("bob");
  assertEquals((await page(t, `/?from=${id}`, bob)).status, 404);
  assertEquals((await page(t, "/?from=nonsense", ada)).status, 404);
  assertEquals((await page(t, `/?from=${"x".repeat(200)}`, ada)).status, 400);
});

Deno.test("[iterate] cards and the detail page open the filled form for Re-run, Try again and Use these settings", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const id = await insert(t, { user_id: 1, prompt: "a hummingbird" });
  await t.runtime.db.updateVideo(id, {
    status: "failed",
    error_code: "generation_failed",
    error_message: "It went wrong.",
  }, Date.now());
  const ada = await t.sessionCookie("ada");
  const token = await (await t.api("POST", "/api/auth/login", undefined, {
    username: "ada",
    password: "correct horse battery",
  })).json();
  const video: Video = await (await t.api("GET", `/api/videos/${id}`, token.token)).json();
  const library = await (await page(t, "/", ada)).text();
  const card = library.slice(library.indexOf(`id="video-${id}"`));
  assertMatch(card, new RegExp(`href="/\\?from=${id}"[^>]*hx-get="/\\?from=${id}"`));
  assert(!card.slice(0, card.indexOf("</article>")).includes("/rerun"), "no blind resend");
  const detail = await (await page(t, `/videos/${id}`, ada)).text();
  assertMatch(detail, />\s*Use these settings\s*</);
  const label = video.status === "failed" ? "Try again" : "Re-run";
  assertMatch(
    detail,
    new RegExp(
      `href="/\\?from=${id}"[^>]*>[\\s\\S]*?${label} · ${
        formatCost(video.rerun_cost).replace("$", "\\$")
      }`,
    ),
  );
  assert(!detail.includes("/rerun"), "no blind resend");
});

Deno.test("[iterate] a video of a retired model: the form says so and offers its successor", async () => {
  const PREVIEW = "gemini-omni-flash-preview";
  const SUCCESSOR = "gemini-omni-1.1-flash";
  const gemini = createGeminiSimulator({ timeScale: 0.01, retiredModels: [PREVIEW] });
  await using t = await startTestApp({ simulators: { gemini } });
  const token = await t.userToken("ada");
  const made: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "a heron at dawn",
    model: PREVIEW,
    size: "1280x720",
    seconds: "6",
  })).json();
  await t.waitForVideo(token, made.id, (v) => v.status === "failed");
  const html = await (await page(t, `/?from=${made.id}`, await t.sessionCookie("ada"))).text();
  assertMatch(html, /has been retired; its successor Gemini Omni 1\.1 Flash is chosen instead/);
  assertMatch(html, new RegExp(`<option value="${SUCCESSOR.replaceAll(".", "\\.")}" selected`));
  assertMatch(html, />a heron at dawn<\/textarea>/);
});

Deno.test("[iterate] the create panel shows this month's spend against the user's own budget", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  await insert(t, { user_id: 1 });
  const spent = await t.runtime.db.spentSince(1, 0);
  const ada = await t.sessionCookie("ada");
  const meter = async () => {
    const html = await (await page(t, "/", ada)).text();
    return /id="budget-meter"[\s\S]*?<\/p>/.exec(html)?.[0] ?? "";
  };
  assertMatch(
    await meter(),
    new RegExp(`≈ \\$${spent.toFixed(2)} spent this month · no budget set`),
  );
  await t.runtime.db.setUserBudget(1, 10);
  const shown = await meter();
  assertMatch(shown, new RegExp(`≈ \\$${spent.toFixed(2)} of \\$10\\.00 this month`));
  assertMatch(shown, /<meter/);

  // A create through the page sends the meter again, out of band.
  const form = new FormData();
  form.set("prompt", "a kestrel hovering");
  const res = await t.app.request("/videos", {
    method: "POST",
    headers: { cookie: ada, origin: "http://localhost", "hx-request": "true" },
    body: form,
  });
  assertEquals(res.status, 201);
  const body = await res.text();
  const now = await t.runtime.db.spentSince(1, 0);
  assertMatch(body, /id="budget-meter"[^>]*hx-swap-oob="outerHTML"/);
  assertMatch(body, new RegExp(`≈ \\$${now.toFixed(2)} of \\$10\\.00 this month`));
});
