import { assert, assertEquals, assertMatch } from "./assert.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string>, stdin = "") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    // Away from the repository, so a developer's own .env cannot leak in.
    cwd: Deno.env.get("TMPDIR") ?? "/tmp",
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("[cli] user add/list/passwd/remove, passwords from stdin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sora-cli-" });
  const env = { DATA_DIR: dir };
  try {
    const added = await cli(["user", "add", "grace", "--admin"], env, "s3cret-enough\n");
    assertEquals(added.code, 0, added.stderr);
    const short = await cli(["user", "add", "alan"], env, "short\n");
    assertEquals(short.code, 1);
    assertMatch(short.stderr, /^error: .*password/);
    assertEquals((await cli(["user", "add", "alan"], env, "long enough pw\n")).code, 0);
    const listed = await cli(["user", "list"], env);
    assertEquals(listed.stdout, "alan\tuser\ngrace\tadmin\n");
    assertEquals((await cli(["user", "passwd", "alan"], env, "another long one\n")).code, 0);
    assertEquals((await cli(["user", "remove", "alan"], env)).code, 0);
    assertEquals((await cli(["user", "list"], env)).stdout, "grace\tadmin\n");
    const missing = await cli(["user", "remove", "nobody"], env);
    assertEquals(missing.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[cli] help, version, unknown commands and a bad variable", async () => {
  const help = await cli(["--help"], {});
  assertEquals(help.code, 0);
  for (const word of ["serve", "user add", "backup FILE", "OPENAI_API_KEY", "UPSTREAM_MAX_RPM"]) {
    assert(help.stdout.includes(word), word);
  }
  assertMatch((await cli(["--version"], {})).stdout, /^\d+\.\d+\.\d+\n$/);
  const unknown = await cli(["frobnicate"], {});
  assertEquals(unknown.code, 2);
  assertMatch(unknown.stderr, /unknown command "frobnicate"/);
  const bad = await cli(["user", "list"], { PORT: "nope", DATA_DIR: "/tmp" });
  assertEquals(bad.code, 1);
  assertEquals(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assertMatch(bad.stderr, /PORT="nope" is not valid/);
});

Deno.test("[cli] backup writes a tar with the database and media", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sora-cli-" });
  try {
    assertEquals(
      (await cli(["user", "add", "grace"], { DATA_DIR: dir }, "s3cret-enough\n")).code,
      0,
    );
    await Deno.mkdir(`${dir}/media/vid_0123456789abcdef01234567`, { recursive: true });
    await Deno.writeTextFile(`${dir}/media/vid_0123456789abcdef01234567/video.mp4`, "mp4 bytes");
    await Deno.writeTextFile(`${dir}/media/vid_0123456789abcdef01234567/video.mp4.part`, "half");
    const file = `${dir}/backup.tar`;
    const result = await cli(["backup", file], { DATA_DIR: dir });
    assertEquals(result.code, 0, result.stderr);
    const listing = await new Deno.Command("tar", { args: ["-tf", file] }).output();
    const names = new TextDecoder().decode(listing.stdout).trim().split("\n");
    assertEquals(names, ["sora-studio.db", "media/vid_0123456789abcdef01234567/video.mp4"]);
    const restored = await Deno.makeTempDir({ prefix: "sora-restore-" });
    await new Deno.Command("tar", { args: ["-xf", file, "-C", restored] }).output();
    const users = await cli(["user", "list"], { DATA_DIR: restored });
    assertEquals(users.stdout, "grace\tuser\n");
    await Deno.remove(restored, { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
