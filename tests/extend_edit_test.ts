import { fixtureFor } from "../services/providers/simulators/media.ts";
import type { VertexSimulator } from "../services/providers/simulators/vertex/simulator.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

// Demo mode runs both simulated providers; a scaled clock keeps Veo jobs short.
const DEMO = { env: { SIMULATOR_TIME_SCALE: "0.02" } };

async function finishedVideo(t: TestApp, token: string, body: Record<string, string>) {
  const created: Video = await (await t.api("POST", "/api/videos", token, body)).json();
  return await t.waitForVideo(token, created.id, (v) => v.status === "completed");
}

function veo(t: TestApp): VertexSimulator {
  assert(t.runtime.simulators.vertex, "demo mode has a Vertex AI simulator");
  return t.runtime.simulators.vertex;
}

Deno.test("[extend] a finished Sora video gets longer: lineage, whole length, the segment's cost", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const created: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "a kite rises",
    size: "1280x720",
    seconds: "4",
  })).json();
  const early = await t.api("POST", `/api/videos/${created.id}/extend`, token, { prompt: "on" });
  assertEquals(early.status, 409);
  assertMatch((await early.json()).error.message, /Only a finished video can be extended/);
  const source = await t.waitForVideo(token, created.id, (v) => v.status === "completed");

  const res = await t.api("POST", `/api/videos/${source.id}/extend`, token, {
    prompt: "the kite drifts out over the sea",
    seconds: "8",
  });
  assertEquals(res.status, 201);
  const longer: Video = await res.json();
  assertEquals(longer.remixed_from, source.id);
  assertEquals([longer.model, longer.size, longer.seconds], ["sora-2", "1280x720", "12"]);
  // The provider was asked to extend the source's upstream video, not to make a new one.
  const sent = t.simulator.requests.filter((r) => r.method === "POST");
  assertEquals(sent.map((r) => r.path), ["/v1/videos", "/v1/videos/extensions"]);
  assertEquals(t.simulator.getVideo(longer.upstream_id!)?.seconds, "12");
  // Only the new 8-second segment is made, so only it is paid for (sora-2: $0.10 a second).
  assertEquals((await t.runtime.db.videoById(longer.id))?.estimated_cost, 0.8);

  const done = await t.waitForVideo(token, longer.id, (v) => v.status === "completed");
  assertEquals(done.seconds, "12");
  const content = await t.api("GET", `/api/videos/${longer.id}/content`, token);
  // The whole 12-second result: the landscape 12 s demo fixture.
  assertEquals(
    new Uint8Array(await content.arrayBuffer()),
    fixtureFor("1280x720", 12).video.bytes,
  );
});

Deno.test("[extend] a length the model does not extend by is 400 naming the choices", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const source = await finishedVideo(t, token, { prompt: "waves" });
  for (const seconds of ["5", "0", "twelve"]) {
    const res = await t.api("POST", `/api/videos/${source.id}/extend`, token, {
      prompt: "more waves",
      seconds,
    });
    assertEquals(res.status, 400, seconds);
    const { error } = await res.json();
    assertEquals(error.code, "invalid_request");
    assertEquals(error.fields.seconds, "Choose 4, 8, 12, 16, 20 seconds.");
  }
  const blank = await t.api("POST", `/api/videos/${source.id}/extend`, token, { prompt: " " });
  assertEquals(blank.status, 400);
  // Without a length, the model's first is taken.
  const res = await t.api("POST", `/api/videos/${source.id}/extend`, token, { prompt: "more" });
  assertEquals((await res.json()).seconds, "8");
  // Nothing refused reached the provider.
  const extensions = t.simulator.requests.filter((r) => r.path === "/v1/videos/extensions");
  assertEquals(extensions.length, 1);
});

Deno.test("[edit] a finished Sora video is edited into a new one of the same shape, with lineage", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const source = await finishedVideo(t, token, { prompt: "a sunny street", seconds: "8" });
  const res = await t.api("POST", `/api/videos/${source.id}/edit`, token, {
    prompt: "make it rain",
  });
  assertEquals(res.status, 201);
  const edited: Video = await res.json();
  assertEquals(edited.remixed_from, source.id);
  assertEquals([edited.model, edited.size, edited.seconds], ["sora-2", "720x1280", "8"]);
  assertEquals(t.simulator.requests.at(-1)?.path, "/v1/videos/edits");
  assertEquals((await t.runtime.db.videoById(edited.id))?.estimated_cost, 0.8);
  await t.waitForVideo(token, edited.id, (v) => v.status === "completed");
});

Deno.test("[extend] another user's video is 404, and the budget refuses before anything is sent", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const source = await finishedVideo(t, ada, { prompt: "a lighthouse" });
  for (const action of ["extend", "edit"]) {
    const res = await t.api("POST", `/api/videos/${source.id}/${action}`, bob, { prompt: "x" });
    assertEquals(res.status, 404, action);
  }
  // $0.40 of the $0.50 budget is spent; a 20-second extension ($2.00) would pass it.
  await t.runtime.db.setUserBudget((await t.runtime.db.userByName("ada"))!.id, 0.5);
  const res = await t.api("POST", `/api/videos/${source.id}/extend`, ada, {
    prompt: "the light turns",
    seconds: "20",
  });
  assertEquals(res.status, 402);
  assertMatch((await res.json()).error.message, /\$0\.10/);
  assertEquals(t.simulator.requests.filter((r) => r.path === "/v1/videos/extensions").length, 0);
});

Deno.test("[extend] Veo 3.1 extends a 720p video by 7 seconds through its own API", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  const model = "veo-3.1-fast-generate-001";
  const source = await finishedVideo(t, token, { prompt: "surf", model, seconds: "8" });
  const res = await t.api("POST", `/api/videos/${source.id}/extend`, token, {
    prompt: "a surfer rides the wave in",
  });
  assertEquals(res.status, 201);
  const longer: Video = await res.json();
  assertEquals([longer.model, longer.size, longer.seconds], [model, "1280x720", "15"]);
  const sent = veo(t).creates.at(-1)!;
  assertEquals(sent.model, model);
  assertEquals(sent.video, { operation: source.upstream_id }, "the source's video went back");
  assertEquals(veo(t).getOperation(longer.upstream_id!)?.seconds, 15);
  await t.waitForVideo(token, longer.id, (v) => v.status === "completed");
  // Veo cannot edit: the refusal says what to do instead.
  const edit = await t.api("POST", `/api/videos/${source.id}/edit`, token, { prompt: "x" });
  assertEquals(edit.status, 409);
  const error = (await edit.json()).error;
  assertEquals(error.code, "edit_not_supported");
  assertMatch(error.message, /Re-run it/);
});

Deno.test("[extend] Veo refuses what it cannot extend, saying why, before asking Google", async () => {
  await using t = await startTestApp({ ...DEMO, startJobs: false });
  const token = await t.userToken("ada");
  const cases = [
    { model: "veo-3.1-generate-001", size: "1920x1080", why: /720x1280 videos only/ },
  ];
  for (const { model, size, why } of cases) {
    const video: Video = await (await t.api("POST", "/api/videos", token, {
      prompt: "fields",
      model,
      size,
      seconds: "8",
    })).json();
    // Marked finished by hand: the refusal comes from the model's limits, not from the job.
    await t.runtime.db.updateVideo(
      video.id,
      { status: "completed", upstream_id: "op" },
      Date.now(),
    );
    const res = await t.api("POST", `/api/videos/${video.id}/extend`, token, { prompt: "on" });
    assertEquals(res.status, 409, model);
    const error = (await res.json()).error;
    assertEquals(error.code, "extend_not_supported");
    assertMatch(error.message, why);
  }
  assertEquals(veo(t).creates.filter((sent) => sent.video).length, 0);
});

Deno.test("[extend] the detail page offers Extend and Edit, says what is missing, and shows lineage", async () => {
  await using t = await startTestApp(DEMO);
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const source = await finishedVideo(t, token, { prompt: "a red fox" });
  const page = await (await t.app.request(`/videos/${source.id}`, { headers: { cookie } })).text();
  assert(page.includes(`action="/videos/${source.id}/extend"`));
  assert(page.includes(`action="/videos/${source.id}/edit"`));
  assertMatch(page, /<option value="20" ?>20 seconds · ≈ \$2\.00 · 24s in all<\/option>/);

  const extended = await t.postForm(`/videos/${source.id}/extend`, cookie, {
    prompt: "the fox runs off",
    seconds: "4",
  });
  assertEquals(extended.status, 303);
  const extendedPath = extended.headers.get("location")!;
  const edited = await t.postForm(`/videos/${source.id}/edit`, cookie, { prompt: "at night" });
  assertEquals(edited.status, 303);
  const longer = await (await t.app.request(extendedPath, { headers: { cookie } })).text();
  assertMatch(longer, /Extended from/);
  assertMatch(longer, /<dd>8s<\/dd>/);
  const original = await (await t.app.request(`/videos/${source.id}`, { headers: { cookie } }))
    .text();
  assertMatch(original, /Made from this video \(2\)/);
  assertMatch(original, /Extension/);
  assertMatch(original, /class="lineage-kind">Edit</);

  // A 1080p Veo video has neither action; the page says why instead of offering them.
  const wide: Video = await (await t.api("POST", "/api/videos", token, {
    prompt: "hills",
    model: "veo-3.1-generate-001",
    size: "1920x1080",
    seconds: "8",
  })).json();
  await t.waitForVideo(token, wide.id, (v) => v.status === "completed");
  const veoPage = await (await t.app.request(`/videos/${wide.id}`, { headers: { cookie } })).text();
  assert(!veoPage.includes(`/videos/${wide.id}/extend"`));
  assert(!veoPage.includes(`/videos/${wide.id}/edit"`));
  assertMatch(veoPage, /extends 1280x720 and 720x1280 videos only; this one is 1920x1080/);
  assertEquals(veoPage.match(/Veo cannot change a finished video\./g)?.length, 1);
});

Deno.test("[extend] a database from before derivations keeps its remixes and continuations", async () => {
  const { DatabaseSync } = await import("node:sqlite");
  const { SQLITE_MIGRATIONS } = await import("../services/stores/sql/migrations.ts");
  const { openDatabase } = await import("../services/stores/open_database.ts");
  const dir = await Deno.makeTempDir({ prefix: "sora-migrate-" });
  const path = `${dir}/app.db`;
  // The schema as the app before this change left it (8 migrations), with one of each kind.
  const old = new DatabaseSync(path);
  for (const [i, sql] of SQLITE_MIGRATIONS.slice(0, 8).entries()) {
    old.exec(sql);
    old.exec(`PRAGMA user_version = ${i + 1}`);
  }
  old.exec(`INSERT INTO users (id, username, password_hash, role, created_at)
            VALUES (1, 'ada', 'x', 'user', 0)`);
  const insert = old.prepare(
    `INSERT INTO videos (id, user_id, status, prompt, model, size, seconds, remixed_from,
       remix_upstream_id, idempotency_key, created_at, updated_at)
     VALUES (?, 1, 'completed', 'p', 'sora-2', '720x1280', '4', ?, ?, 'k', 0, 0)`,
  );
  insert.run("vid_source", null, null);
  insert.run("vid_remix", "vid_source", "video_upstream");
  insert.run("vid_next", "vid_source", null);
  old.close();

  const { db, client, schemaVersion } = await openDatabase(path);
  try {
    assertEquals(schemaVersion, SQLITE_MIGRATIONS.length);
    const kinds = await Promise.all(["vid_source", "vid_remix", "vid_next"].map(async (id) => {
      const row = (await db.videoById(id))!;
      return [row.derivation, row.source_upstream_id];
    }));
    assertEquals(kinds, [[null, null], ["remix", "video_upstream"], ["continue", null]]);
  } finally {
    await client.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[extend] once the provider's copy has expired, remix, extend and edit say so instead", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const source = await finishedVideo(t, token, { prompt: "a harbour at noon" });
  // The simulator keeps content an hour, as OpenAI does; this one's hour is over.
  const expiredAt = Math.floor(Date.now() / 1000) - 1;
  await t.runtime.db.updateVideo(source.id, { upstream_expires_at: expiredAt }, Date.now());
  const before = t.simulator.requests.length;
  for (const action of ["remix", "extend", "edit"]) {
    const res = await t.api("POST", `/api/videos/${source.id}/${action}`, token, { prompt: "x" });
    assertEquals(res.status, 409, action);
    const error = (await res.json()).error;
    assertEquals(error.code, "source_expired");
    assertMatch(error.message, /no longer keeps this video/);
  }
  assertEquals(t.simulator.requests.length, before);
  const page = await (await t.app.request(`/videos/${source.id}`, { headers: { cookie } })).text();
  for (const action of ["remix", "extend", "edit"]) {
    assert(!page.includes(`/videos/${source.id}/${action}"`), action);
  }
  assert(page.includes(`action="/videos/${source.id}/continue"`), "continue still works");
  assertMatch(page, /no longer keeps this video/);
});
