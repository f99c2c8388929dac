import { assert, assertEquals, assertRejects } from "./assert.ts";
import type { Database } from "../services/stores/database.ts";
import { openDatabase } from "../services/stores/open_database.ts";
import { FolderStore } from "../services/stores/media/folder_store.ts";
import type { MediaStore } from "../services/stores/media/media_store.ts";
import { S3Client, S3Error } from "../services/stores/media/s3_client.ts";
import { S3Store } from "../services/stores/media/s3_store.ts";
import { startTestApp } from "./helpers.ts";
import {
  freshBucket,
  freshPostgres,
  POSTGRES_URL,
  S3_ENDPOINT,
  s3Credentials,
} from "./storage_helpers.ts";

const noPostgres = !POSTGRES_URL;
const noS3 = !S3_ENDPOINT;

/** What every engine must answer alike: the differences between SQLite and PostgreSQL that bite. */
async function conformance(db: Database) {
  const ada = await db.insertUser("Ada", "hash", "user", 1_700_000_000_000);
  // Usernames are unique and found whatever their case.
  assertEquals((await db.userByName("ADA"))?.id, ada);
  await assertRejects(() => db.insertUser("ada", "hash", "user", 1));
  for (let i = 0; i < 3; i++) {
    await db.insertVideoJob({
      id: `vid_${i}`,
      user_id: ada,
      prompt: `A Red Fox number ${i}`,
      model: "sora-2",
      size: "1280x720",
      seconds: "4",
      remixed_from: null,
      source_upstream_id: null,
      reference_key: null,
      reference_type: null,
      idempotency_key: `key-${i}`,
      // Millisecond times past 2^31: BIGINT, not INTEGER.
      created_at: 1_700_000_000_000 + i,
      provider: "openai",
      negative_prompt: null,
      estimated_cost: 0.1,
    });
  }
  // Search is case-insensitive on both (PostgreSQL's LIKE is not).
  assertEquals((await db.library({ userId: ada, limit: 10, q: "red fox" })).length, 3);
  assertEquals((await db.library({ userId: ada, limit: 10, q: "100%" })).length, 0);
  // Money is a double (REAL would round 0.1 three times to 0.30000001).
  assertEquals(await db.spentSince(ada, 0), 0.30000000000000004);
  assertEquals(await db.spentSince(null, 0), 0.30000000000000004);
  // Counts are numbers, not strings.
  assertEquals(await db.inFlightCountOf(ada), 3);
  assertEquals((await db.videoCounts())[0].videos, 3);
  const row = await db.videoById("vid_2");
  assertEquals(typeof row?.created_at, "number");
  assertEquals(row?.created_at, 1_700_000_000_002);
  // Leases: one instance's claim is not another's; a lapsed one is taken over.
  const now = 1_800_000_000_000;
  const first = await db.claimDue("a", now, now + 1000, 2, 10);
  assertEquals(first.map((r) => r.id).sort(), ["vid_0", "vid_1"]);
  const second = await db.claimDue("b", now, now + 1000, 10, 10);
  assertEquals(second.map((r) => r.id), ["vid_2"]);
  assertEquals(await db.renewLease("vid_0", "b", now + 5000), false);
  const later = await db.claimDue("b", now + 2000, now + 3000, 10, 10);
  assertEquals(later.map((r) => r.id).sort(), ["vid_0", "vid_1", "vid_2"]);
  // A transaction lands whole or not at all.
  await assertRejects(() =>
    db.transaction(async (tx) => {
      await tx.setSetting("team_monthly_budget", "5");
      throw new Error("no");
    })
  );
  assertEquals(await db.setting("team_monthly_budget"), undefined);
  // A delivery id is recorded once.
  assertEquals(await db.recordWebhookDelivery("d1", now), true);
  assertEquals(await db.recordWebhookDelivery("d1", now), false);
  // The status-unreadable clock keeps its start.
  await db.retryLater("vid_0", now, 1, "why", now, true);
  const again = await db.retryLater("vid_0", now + 5, 2, "why", now + 5, true);
  assertEquals(again?.unreadable_since, now);
}

Deno.test("[storage] the queries behave the same on SQLite", async () => {
  const dir = await Deno.makeTempDir();
  const { db, client } = await openDatabase(`${dir}/sora-studio.db`);
  try {
    await conformance(db);
  } finally {
    await client.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "[storage] the queries behave the same on PostgreSQL",
  ignore: noPostgres,
  async fn() {
    await using pg = await freshPostgres();
    const { db, client } = await openDatabase("", pg.url);
    try {
      await conformance(db);
    } finally {
      await client.close();
    }
  },
});

Deno.test({
  name: "[storage] two instances migrating a fresh PostgreSQL database at once both come up",
  ignore: noPostgres,
  async fn() {
    await using pg = await freshPostgres();
    const opened = await Promise.all([openDatabase("", pg.url), openDatabase("", pg.url)]);
    try {
      assertEquals(opened[0].schemaVersion, opened[1].schemaVersion);
      const steps = await opened[0].client.all<{ version: number }>(
        "SELECT version FROM schema_migrations ORDER BY version",
      );
      assertEquals(
        steps.map((s) => s.version),
        [...Array(opened[0].schemaVersion)].map((_, i) => i + 1),
      );
      // Both see one schema: a user made through one is found through the other.
      await opened[0].db.insertUser("bo", "h", "user", 1);
      assertEquals((await opened[1].db.userByName("BO"))?.username, "bo");
    } finally {
      for (const o of opened) await o.client.close();
    }
  },
});

async function mediaConformance(store: MediaStore) {
  const bytes = new TextEncoder().encode("0123456789abcdef");
  await store.putBytes("media/vid_a/thumbnail.webp", bytes, "image/webp");
  assertEquals(await store.stat("media/vid_a/thumbnail.webp"), { size: 16 });
  assertEquals(await store.stat("media/vid_a/missing.jpg"), null);
  const range = await store.read("media/vid_a/thumbnail.webp", 2, 5);
  assertEquals(await new Response(range).text(), "2345");
  assertEquals(await store.readBytes("media/vid_a/thumbnail.webp"), bytes);
  // A large file goes in parts (S3 multipart) and comes back byte for byte.
  const big = new Uint8Array(20 * 1024 * 1024 + 3).map((_, i) => (i * 7) % 251);
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/video.mp4`, big);
  assertEquals(
    await store.putFile("media/vid_a/video.mp4", `${dir}/video.mp4`, "video/mp4"),
    big.length,
  );
  const tail = await store.read("media/vid_a/video.mp4", big.length - 10, big.length - 1);
  assertEquals(
    new Uint8Array(await new Response(tail).arrayBuffer()),
    big.subarray(big.length - 10),
  );
  const copy = await store.localCopy("media/vid_a/video.mp4");
  assert(copy, "a local copy for ffmpeg");
  assertEquals((await Deno.stat(copy.path)).size, big.length);
  await copy.release();
  // Deleting a video's prefix removes all of its files and nobody else's.
  await store.putBytes("media/vid_b/video.mp4", bytes);
  await store.deletePrefix("media/vid_a");
  assertEquals(await store.stat("media/vid_a/video.mp4"), null);
  assertEquals(await store.stat("media/vid_a/thumbnail.webp"), null);
  assertEquals(await store.stat("media/vid_b/video.mp4"), { size: 16 });
  await assertRejects(() => store.putBytes("../escape", bytes));
  await Deno.remove(dir, { recursive: true });
}

Deno.test("[storage] the folder store keeps media atomically under DATA_DIR", async () => {
  const dir = await Deno.makeTempDir();
  await mediaConformance(new FolderStore(dir));
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "[storage] the S3 store streams, ranges and deletes on a server that checks signatures",
  ignore: noS3,
  async fn() {
    await using bucket = await freshBucket();
    const scratch = await Deno.makeTempDir();
    await mediaConformance(new S3Store(bucket.s3, scratch));
    await Deno.remove(scratch, { recursive: true });
  },
});

Deno.test({
  name: "[storage] a wrong S3 secret is refused by the server (the signature is really checked)",
  ignore: noS3,
  async fn() {
    await using bucket = await freshBucket();
    const wrong = new S3Client({ ...bucket.s3.options, secretAccessKey: "not-the-secret" });
    const error = await assertRejects(() => wrong.putObject("x", new Uint8Array([1])), S3Error);
    assertEquals((error as S3Error).status, 403);
  },
});

Deno.test({
  name:
    "[storage] a video made on PostgreSQL and S3 plays byte for byte and leaves nothing when deleted",
  ignore: noPostgres || noS3,
  async fn() {
    await using pg = await freshPostgres();
    await using bucket = await freshBucket();
    await using t = await startTestApp({
      env: { DATABASE_URL: pg.url, S3_BUCKET: bucket.bucket, ...s3Credentials },
    });
    const token = await t.userToken("ada");
    const created = await (await t.api("POST", "/api/videos", token, { prompt: "a fox" })).json();
    await t.waitForVideo(token, created.id, (v) => v.status === "completed");
    const whole = await t.api("GET", `/api/videos/${created.id}/content`, token);
    assertEquals(whole.status, 200);
    const bytes = new Uint8Array(await whole.arrayBuffer());
    const upstream = t.simulator.getVideo(created.upstream_id ?? "");
    assert(bytes.length > 1000, "the MP4 came through");
    const ranged = await t.app.request(`/api/videos/${created.id}/content`, {
      headers: { authorization: `Bearer ${token}`, range: "bytes=100-199" },
    });
    assertEquals(ranged.status, 206);
    assertEquals(new Uint8Array(await ranged.arrayBuffer()), bytes.subarray(100, 200));
    // Nothing of it is on this machine's disk: the media is in the bucket.
    const keys = await bucket.s3.listKeys(`media/${created.id}/`);
    assert(keys.includes(`media/${created.id}/video.mp4`), `stored in the bucket: ${keys}`);
    assertEquals(await exists(`${t.dataDir}/media/${created.id}`), false);
    assertEquals((await t.api("DELETE", `/api/videos/${created.id}`, token)).status, 204);
    assertEquals(await bucket.s3.listKeys(`media/${created.id}/`), []);
    void upstream;
  },
});

async function exists(path: string) {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("[storage] SQLite transactions started at once wait their turn, and statements wait for them", async () => {
  const { SqliteClient } = await import("../services/stores/sql/sqlite_client.ts");
  const client = new SqliteClient(":memory:");
  await client.run("CREATE TABLE t (n INTEGER)");
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
  const seen: number[] = [];
  await Promise.all([1, 2, 3, 4, 5].map((n) =>
    client.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (?)", n);
      await pause();
      // Inside its own transaction, each sees only its own row: nobody else's slipped in.
      seen.push((await tx.get<{ c: number }>("SELECT count(*) AS c FROM t WHERE n != ?", n))!.c);
      await tx.run("DELETE FROM t WHERE n = ?", n);
    })
  ));
  assertEquals(seen, [0, 0, 0, 0, 0]);
  // A statement sent while a transaction runs waits for it, and never lands in a rolled-back one.
  const failing = client.transaction(async (tx) => {
    await tx.run("INSERT INTO t VALUES (99)");
    await pause();
    throw new Error("no");
  });
  const outside = client.run("INSERT INTO t VALUES (7)");
  await assertRejects(() => failing);
  await outside;
  assertEquals((await client.all<{ n: number }>("SELECT n FROM t")).map((r) => r.n), [7]);
  await client.close();
});
