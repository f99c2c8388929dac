import { MEDIA } from "../services/providers/simulators/media.ts";
import { downloadName } from "../services/videos/download_name.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

const WEBP = new Uint8Array(MEDIA.thumbnail.bytes);
const VEO = "veo-3.1-fast-generate-001";

/** A finished Veo video made from a WebP start image and a negative prompt. */
async function madeFromImage(t: TestApp, token: string, prompt = "a paper boat on a river") {
  const form = new FormData();
  form.set("prompt", prompt);
  form.set("model", VEO);
  form.set("size", "1280x720");
  form.set("seconds", "4");
  form.set("negative_prompt", "people, text");
  form.set("input_reference", new File([WEBP], "boat.webp"));
  const created = await t.api("POST", "/api/videos", token, form);
  assertEquals(created.status, 201, await created.clone().text());
  const { id } = await created.json();
  return await t.waitForVideo(token, id, (v) => v.status === "completed");
}

Deno.test("[provenance] the reference image is kept once the video is done and served to its owner only", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const video = await madeFromImage(t, ada);
  assertEquals(video.negative_prompt, "people, text");
  assertEquals(video.reference, { type: "image/webp", url: `/api/videos/${video.id}/reference` });

  const res = await t.api("GET", video.reference!.url!, ada);
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "image/webp");
  assertEquals(new Uint8Array(await res.arrayBuffer()), WEBP);
  const etag = res.headers.get("etag")!;
  const ranged = await t.app.request(video.reference!.url!, {
    headers: { authorization: `Bearer ${ada}`, range: "bytes=0-3" },
  });
  assertEquals(ranged.status, 206);
  assertEquals(new TextDecoder().decode(await ranged.arrayBuffer()), "RIFF");
  const same = await t.app.request(video.reference!.url!, {
    headers: { authorization: `Bearer ${ada}`, "if-none-match": etag },
  });
  assertEquals(same.status, 304);

  const other = await t.api("GET", video.reference!.url!, bob);
  assertEquals(other.status, 404);
  await other.body?.cancel();
  const download = await t.api("GET", `${video.reference!.url}?download=1`, ada);
  assertMatch(download.headers.get("content-disposition")!, /-reference\.webp"/);
  await download.body?.cancel();

  // A video made from a prompt alone has none.
  const plain = await (await t.api("POST", "/api/videos", ada, { prompt: "just words" })).json();
  assertEquals(plain.reference, null);
  const none = await t.api("GET", `/api/videos/${plain.id}/reference`, ada);
  assertEquals(none.status, 404);
  assertMatch((await none.json()).error.message, /reference image/);
});

Deno.test("[provenance] deleting a video removes its reference image from the media store", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const video = await madeFromImage(t, ada);
  const key = (await t.runtime.db.videoById(video.id))!.reference_key!;
  assert(await t.runtime.media.stat(key), "kept while the video is");
  assertEquals((await t.api("DELETE", `/api/videos/${video.id}`, ada)).status, 204);
  assertEquals(await t.runtime.media.stat(key), null);
});

Deno.test("[provenance] the JSON has everything that made the video, under a readable name", async () => {
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const video = await madeFromImage(t, ada);
  const remix = await t.api("POST", `/api/videos/${video.id}/extend`, ada, {
    prompt: "the boat reaches the sea",
  });
  assertEquals(remix.status, 201, await remix.clone().text());
  const child: Video = await remix.json();

  const res = await t.api("GET", `/api/videos/${video.id}/provenance`, ada);
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type")!, /application\/json/);
  const day = video.created_at.slice(0, 10);
  assertEquals(
    res.headers.get("content-disposition"),
    `attachment; filename="${day}-a-paper-boat-on-a-river.json"; ` +
      `filename*=UTF-8''${day}-a-paper-boat-on-a-river.json`,
  );
  const doc = await res.json();
  assertEquals(Object.keys(doc).sort(), [
    "app",
    "audio",
    "completed_at",
    "cost",
    "created_at",
    "exported_at",
    "file_name",
    "id",
    "lineage",
    "made_by",
    "media",
    "model",
    "model_label",
    "negative_prompt",
    "prompt",
    "provider",
    "provider_name",
    "reference",
    "seconds",
    "size",
    "status",
    "upstream_id",
  ]);
  assertEquals(doc.app.name, "Sora Studio");
  assertMatch(doc.app.version, /^\d+\.\d+/);
  assertEquals(
    [doc.prompt, doc.negative_prompt, doc.model, doc.size, doc.seconds, doc.made_by],
    [video.prompt, "people, text", VEO, "1280x720", "4", "ada"],
  );
  assertEquals([doc.provider, doc.upstream_id, doc.cost], [
    "vertex",
    video.upstream_id,
    video.cost,
  ]);
  assert(doc.upstream_id && doc.model_label && doc.provider_name && doc.media);
  assertEquals(doc.reference, {
    type: "image/webp",
    url: `/api/videos/${video.id}/reference`,
    file_name: `${day}-a-paper-boat-on-a-river-reference.webp`,
  });
  assertEquals(doc.file_name, `${day}-a-paper-boat-on-a-river.mp4`);
  assertEquals(doc.lineage, {
    source: null,
    made_from_this: [{ id: child.id, derivation: "extend", prompt: "the boat reaches the sea" }],
  });
  const childDoc = await (await t.api("GET", `/api/videos/${child.id}/provenance`, ada)).json();
  assertEquals(childDoc.lineage.source, {
    id: video.id,
    derivation: "extend",
    prompt: video.prompt,
  });

  const bob = await t.userToken("bob");
  const other = await t.api("GET", `/api/videos/${video.id}/provenance`, bob);
  assertEquals(other.status, 404);
  await other.body?.cancel();
});

Deno.test("[provenance] downloads are named by day and first words, in ASCII and UTF-8", async () => {
  const at = Date.UTC(2026, 2, 1, 23, 30);
  assertEquals(
    downloadName(
      { created_at: at, prompt: "A red fox, running through deep snow at dawn!" },
      ".mp4",
    ),
    {
      utf8: "2026-03-01-a-red-fox-running-through-deep-snow-at.mp4",
      ascii: "2026-03-01-a-red-fox-running-through-deep-snow-at.mp4",
    },
  );
  assertEquals(
    downloadName({ created_at: at, prompt: "Ein Fuchs läuft über Schnee" }, "-thumbnail.webp"),
    {
      utf8: "2026-03-01-ein-fuchs-läuft-über-schnee-thumbnail.webp",
      ascii: "2026-03-01-ein-fuchs-lauft-uber-schnee-thumbnail.webp",
    },
  );
  assertEquals(downloadName({ created_at: at, prompt: "猫が踊る" }, "-storyboard.jpg"), {
    utf8: "2026-03-01-猫が踊る-storyboard.jpg",
    ascii: "2026-03-01-video-storyboard.jpg",
  });
  const long = downloadName({ created_at: at, prompt: "x".repeat(90) }, ".json");
  assertEquals(long.ascii, `2026-03-01-${"x".repeat(40)}.json`);
  assertEquals(
    downloadName({ created_at: at, prompt: `"quoted" \\ \n` }, ".mp4").ascii,
    "2026-03-01-quoted.mp4",
  );

  // Through the routes: the MP4, thumbnail and storyboard of a prompt in German.
  await using t = await startTestApp();
  const ada = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", ada, { prompt: "Über den Wolken" }))
    .json();
  const video = await t.waitForVideo(ada, id, (v) => v.status === "completed");
  const day = video.created_at.slice(0, 10);
  const names: [string, string][] = [
    ["video", ".mp4"],
    ["thumbnail", "-thumbnail.webp"],
    ["spritesheet", "-storyboard.jpg"],
  ];
  for (const [variant, suffix] of names) {
    const res = await t.api("GET", `/api/videos/${id}/content?variant=${variant}&download=1`, ada);
    assertEquals(
      res.headers.get("content-disposition"),
      `attachment; filename="${day}-uber-den-wolken${suffix}"; ` +
        `filename*=UTF-8''${day}-%C3%BCber-den-wolken${suffix}`,
    );
    await res.body?.cancel();
  }
});

Deno.test("[provenance] a video whose image the older app deleted once sent says it was not kept", async () => {
  const { SQLITE_MIGRATIONS } = await import("../services/stores/sql/migrations.ts");
  await using t = await startTestApp({ startJobs: false });
  const ada = await t.userToken("ada");
  const form = new FormData();
  form.set("prompt", "an old one");
  form.set("input_reference", new File([WEBP], "old.webp"));
  const sent = await (await t.api("POST", "/api/videos", ada, form)).json();
  const waiting = await (await t.api("POST", "/api/videos", ada, form)).json();
  // The first was sent upstream (the older app then deleted its image); the second never was.
  await t.runtime.db.sql.run("UPDATE videos SET upstream_id = 'up_1' WHERE id = ?", sent.id);
  await t.runtime.db.sql.run("UPDATE videos SET upstream_id = NULL WHERE id = ?", waiting.id);
  const step = SQLITE_MIGRATIONS.find((sql) => sql.includes("SET reference_key = NULL"))!;
  await t.runtime.db.sql.run(step);
  const old: Video = await (await t.api("GET", `/api/videos/${sent.id}`, ada)).json();
  assertEquals(old.reference, { type: "image/webp", url: null });
  const kept: Video = await (await t.api("GET", `/api/videos/${waiting.id}`, ada)).json();
  assertEquals(kept.reference?.url, `/api/videos/${waiting.id}/reference`);
});
