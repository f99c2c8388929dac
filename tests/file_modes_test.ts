import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp } from "./helpers.ts";
import { writeBackup } from "../services/app/backup.ts";
import { loadConfig } from "../services/app/config.ts";
import { createLogger } from "../services/app/log.ts";
import { openRuntime } from "../services/app/runtime.ts";
import { fixtureFor } from "../services/providers/simulators/media.ts";

/**
 * Everything the app makes in DATA_DIR is private to its user from the moment it exists: folders
 * 0700, files 0600, checked with Deno.stat on a DATA_DIR the app made itself (a temp dir is already
 * 0700, so each test starts from a folder that does not exist yet).
 */

/** Whether this machine has ffmpeg (then the app makes thumbnails and last frames with it). */
const ffmpegAvailable = (() => {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Every folder and file under `root` (itself included) with its permission bits, as octal. */
async function modesUnder(root: string): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  const visit = async (path: string) => {
    const info = await Deno.lstat(path);
    modes.set(path, ((info.mode ?? 0) & 0o777).toString(8));
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(path)) await visit(join(path, entry.name));
    }
  };
  await visit(root);
  return modes;
}

/** Fails naming every folder not 0700 and every file not 0600. */
async function assertPrivate(root: string): Promise<Map<string, string>> {
  const modes = await modesUnder(root);
  const wrong: string[] = [];
  for (const [path, mode] of modes) {
    const isDir = (await Deno.lstat(path)).isDirectory;
    if (mode !== (isDir ? "700" : "600")) wrong.push(`${path} is ${mode}`);
  }
  assertEquals(wrong, [], "every folder 0700 and every file 0600");
  return modes;
}

/** A DATA_DIR path two levels below a new temp folder: neither level exists yet. */
async function freshDataDir() {
  const parent = await Deno.makeTempDir({ prefix: "sora-modes-" });
  return {
    dataDir: join(parent, "state", "data"),
    [Symbol.asyncDispose]: () => Deno.remove(parent, { recursive: true }),
  };
}

Deno.test("[file modes] a first start makes DATA_DIR 0700 and the database, its -wal/-shm and the session secret 0600", async () => {
  await using fresh = await freshDataDir();
  const config = loadConfig({ DATA_DIR: fresh.dataDir, SORA_SIMULATE: "1", LOG_LEVEL: "error" });
  const runtime = await openRuntime(config);
  try {
    // While the database is open, so SQLite's -wal and -shm files are there to be checked.
    const modes = await assertPrivate(fresh.dataDir);
    for (const name of ["sora-studio.db", "sora-studio.db-wal", "sora-studio.db-shm"]) {
      assert(modes.has(join(fresh.dataDir, name)), `${name} exists`);
    }
    assert(modes.has(join(fresh.dataDir, "session_secret")), "session_secret exists");
    assertEquals(
      (await modesUnder(join(fresh.dataDir, "..")))
        .get(join(fresh.dataDir, "..")),
      "700",
      "a missing parent is made private too",
    );
  } finally {
    await runtime.close();
  }
});

Deno.test("[file modes] a reference image waiting to be sent is 0600 in a 0700 uploads folder", async () => {
  await using fresh = await freshDataDir();
  // The upstream is down, so the job keeps its reference image to send on the next try.
  await using t = await startTestApp({
    dataDir: fresh.dataDir,
    startJobs: false,
    upstreamFetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const token = await t.userToken("ada");
  const form = new FormData();
  form.set("prompt", "animate this");
  const reference = new Uint8Array(fixtureFor("1280x720", 4).spritesheet.bytes);
  form.set("input_reference", new File([reference], "ref.jpg", { type: "image/jpeg" }));
  const created = await t.api("POST", "/api/videos", token, form);
  assertEquals(created.status, 201);
  const { id } = await created.json();
  const modes = await assertPrivate(fresh.dataDir);
  assert([...modes.keys()].some((path) => path.includes(`/uploads/${id}.`)), "it is stored");
});

Deno.test("[file modes] a finished video's media and a continuation's last frame are 0600 in 0700 folders", async () => {
  await using fresh = await freshDataDir();
  await using t = await startTestApp({
    dataDir: fresh.dataDir,
    env: { SIMULATOR_TIME_SCALE: "0.02" },
  });
  const token = await t.userToken("ada");
  // A Veo video comes as the MP4 alone: with ffmpeg here, its thumbnail and storyboard are made
  // by the app; a Sora video comes with all three.
  const veo = await (await t.api("POST", "/api/videos", token, {
    prompt: "waves",
    model: "veo-3.1-fast-generate-001",
    size: "720x1280",
  })).json();
  const sora = await (await t.api("POST", "/api/videos", token, { prompt: "sky" })).json();
  await t.waitForVideo(token, veo.id, (v) => v.status === "completed");
  await t.waitForVideo(token, sora.id, (v) => v.status === "completed");
  // Goes on from the MP4's last frame, which ffmpeg writes in uploads (made 0600 before it runs).
  const next = await t.api("POST", `/api/videos/${veo.id}/continue`, token, { prompt: "on" });
  assertEquals(next.status, ffmpegAvailable ? 201 : 409);
  if (next.ok) await t.waitForVideo(token, (await next.json()).id, (v) => v.status === "completed");
  else await next.body?.cancel();

  const modes = await assertPrivate(fresh.dataDir);
  const files = [...modes.keys()].map((path) => path.slice(fresh.dataDir.length + 1));
  for (const variant of ["video.mp4", "thumbnail.webp", "spritesheet.jpg"]) {
    assert(files.includes(`media/${sora.id}/${variant}`), `${variant} of the Sora video`);
    if (ffmpegAvailable) {
      assert(files.includes(`media/${veo.id}/${variant}`), `${variant} of the Veo video`);
    }
  }
});

Deno.test("[file modes] a backup is 0600 from the start, and its files unpack 0600", async () => {
  await using fresh = await freshDataDir();
  await using t = await startTestApp({ dataDir: fresh.dataDir });
  const token = await t.userToken("ada");
  const { id } = await (await t.api("POST", "/api/videos", token, { prompt: "kept" })).json();
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  const out = join(fresh.dataDir, "..", "backup.tar");
  await writeBackup(t.runtime.sql, t.runtime.media, fresh.dataDir, out);
  assertEquals(((await Deno.stat(out)).mode! & 0o777).toString(8), "600");
  // Only the archive is left beside it: the database snapshot (made 0600 too) is removed.
  const beside = [];
  for await (const entry of Deno.readDir(join(fresh.dataDir, ".."))) beside.push(entry.name);
  assertEquals(beside.sort(), ["backup.tar", "data"]);
  // Each ustar header says 0600, so `tar -x` makes private files again.
  const tar = await Deno.readFile(out);
  const modeField = (offset: number) =>
    new TextDecoder().decode(tar.subarray(offset + 100, offset + 107));
  assertEquals(modeField(0), "0000600");
});

Deno.test("[file modes] an existing DATA_DIR open to others is left as it is, with one warning naming chmod 700", async () => {
  await using fresh = await freshDataDir();
  await Deno.mkdir(fresh.dataDir, { recursive: true });
  await Deno.chmod(fresh.dataDir, 0o755);
  const lines: string[] = [];
  const log = createLogger({ level: "info", write: (line) => lines.push(line) });
  const config = loadConfig({ DATA_DIR: fresh.dataDir, SORA_SIMULATE: "1" });
  const runtime = await openRuntime(config, { log });
  await runtime.close();
  assertEquals(((await Deno.stat(fresh.dataDir)).mode! & 0o777).toString(8), "755");
  const warnings = lines.filter((line) => line.includes("chmod 700"));
  assertEquals(warnings.length, 1, lines.join("\n"));
  assert(warnings[0].includes("WARN"), warnings[0]);
  // The files the app made in it are still private.
  assertEquals((await Deno.stat(join(fresh.dataDir, "session_secret"))).mode! & 0o777, 0o600);
});
