import { join } from "node:path";
import { ffprobePathFor, runTool } from "../services/media/ffmpeg_run.ts";
import { ffprobeVideo, probeVideo } from "../services/media/media_probe.ts";
import { readMp4Info } from "../services/media/mp4_boxes.ts";
import { FIXTURES, MEDIA } from "../services/providers/simulators/media.ts";
import { assert, assertEquals } from "./assert.ts";

/** Whether this machine has ffmpeg and ffprobe (CI installs them, so these tests run there). */
const toolsAvailable = ["ffmpeg", "ffprobe"].every((tool) => {
  try {
    return new Deno.Command(tool, { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
});

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---------------------------------------------------------------- hand-made boxes

const ascii = (s: string) => new TextEncoder().encode(s);

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function u64(n: number): number[] {
  return [...u32(Math.floor(n / 2 ** 32)), ...u32(n >>> 0)];
}

function box(type: string, ...parts: (Uint8Array | number[])[]): Uint8Array {
  const body = parts.flatMap((part) => [...part]);
  return new Uint8Array([...u32(8 + body.length), ...ascii(type), ...body]);
}

/** A version 1 mvhd (64-bit times) with the fields the reader skips left zero. */
function mvhd1(timescale: number, duration: number): Uint8Array {
  return box("mvhd", [1, 0, 0, 0], u64(0), u64(0), u32(timescale), u64(duration), new Array(80));
}

function mvhd0(timescale: number, duration: number): Uint8Array {
  return box("mvhd", [0, 0, 0, 0], u32(0), u32(0), u32(timescale), u32(duration), new Array(80));
}

/** A video track whose tkhd says `width`x`height`, turned a quarter when `rotated`. */
function videoTrak(width: number, height: number, rotated: boolean): Uint8Array {
  const one = 0x10000;
  const matrix = rotated
    ? [0, one, 0, -one, 0, 0, 0, 0, 0x40000000]
    : [one, 0, 0, 0, one, 0, 0, 0, 0x40000000];
  const tkhd = box(
    "tkhd",
    [1, 0, 0, 3],
    u64(0),
    u64(0),
    u32(1),
    u32(0),
    u64(0),
    new Array(16),
    matrix.flatMap((n) => u32(n >>> 0)),
    u32(width * one),
    u32(height * one),
  );
  const hdlr = box("hdlr", [0, 0, 0, 0], u32(0), ascii("vide"), new Array(12), [0]);
  return box("trak", tkhd, box("mdia", hdlr));
}

function soundTrak(): Uint8Array {
  const hdlr = box("hdlr", [0, 0, 0, 0], u32(0), ascii("soun"), new Array(12), [0]);
  return box("trak", box("tkhd", [0, 0, 0, 3], new Array(80)), box("mdia", hdlr));
}

const FTYP = box("ftyp", ascii("isom"), u32(512), ascii("isomiso2avc1mp41"));

Deno.test("[media] MP4 boxes: 64-bit headers, a 64-bit mdat before the moov, a quarter turn", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "phone.mp4");
    // An mdat with a 64-bit size (size field 1) ahead of the moov, as a camera writes it.
    const media = new Uint8Array(1000);
    const mdat = new Uint8Array([...u32(1), ...ascii("mdat"), ...u64(16 + media.length), ...media]);
    const moov = box("moov", mvhd1(90_000, 450_000), soundTrak(), videoTrak(1920, 1080, true));
    await Deno.writeFile(file, new Uint8Array([...FTYP, ...mdat, ...moov]));
    assertEquals(await readMp4Info(file), { width: 1080, height: 1920, seconds: 5 });
    const size = FTYP.length + mdat.length + moov.length;
    assertEquals(await probeVideo("/nonexistent/ffmpeg", file), {
      width: 1080,
      height: 1920,
      seconds: 5,
      bytes: size,
    });
  });
});

Deno.test("[media] MP4 boxes: a fragmented movie's length comes from mvex/mehd", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "fragmented.mp4");
    const mehd = box("mehd", [0, 0, 0, 0], u32(7_500));
    const moov = box("moov", mvhd0(1_000, 0), videoTrak(1280, 720, false), box("mvex", mehd));
    await Deno.writeFile(file, new Uint8Array([...FTYP, ...moov]));
    assertEquals(await readMp4Info(file), { width: 1280, height: 720, seconds: 7.5 });
  });
});

Deno.test("[media] MP4 boxes: no ftyp, an overrunning box, no video track or no moov is nothing", async () => {
  await withDir(async (dir) => {
    const cases: Record<string, Uint8Array> = {
      "html": ascii("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"),
      "empty": new Uint8Array(0),
      "sound only": new Uint8Array([...FTYP, ...box("moov", mvhd0(1000, 4000), soundTrak())]),
      "no moov": new Uint8Array([...FTYP, ...box("mdat", new Array(100))]),
      "truncated": MEDIA.video.bytes.subarray(0, 2000),
      "overrun": new Uint8Array([...FTYP, ...u32(1 << 30), ...ascii("moov"), 0, 0, 0, 0]),
      "inner overrun": new Uint8Array([
        ...FTYP,
        ...box("moov", mvhd0(1000, 4000), [...u32(5000), ...ascii("trak")]),
      ]),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const file = join(dir, `${name}.mp4`);
      await Deno.writeFile(file, bytes);
      assertEquals(await readMp4Info(file), undefined, name);
      // And probing gives up quietly too, with no ffprobe to ask or with one (which would make
      // what it can of a cut-short MP4, but that is no video to keep).
      assertEquals(await probeVideo("/nonexistent/ffmpeg", file), undefined, name);
      assertEquals(await probeVideo("ffmpeg", file), undefined, name);
    }
    assertEquals(await readMp4Info(join(dir, "missing.mp4")), undefined);
    assertEquals(await probeVideo("ffmpeg", join(dir, "missing.mp4")), undefined);
  });
});

// ---------------------------------------------------------------- real files

Deno.test("[media] the probe of each fixture gives its real size, length and bytes", async () => {
  await withDir(async (dir) => {
    const all = [
      { width: 320, height: 180, seconds: 4, bytes: MEDIA.video.bytes },
      ...FIXTURES.map((f) => ({ ...f, bytes: f.video.bytes })),
    ];
    for (const [i, fixture] of all.entries()) {
      const file = join(dir, `${i}.mp4`);
      await Deno.writeFile(file, fixture.bytes);
      // No ffmpeg needed: the boxes are read in TypeScript.
      assertEquals(await probeVideo("/nonexistent/ffmpeg", file), {
        width: fixture.width,
        height: fixture.height,
        seconds: fixture.seconds,
        bytes: fixture.bytes.length,
      });
    }
  });
});

Deno.test({
  name: "[media] ffprobe agrees with the box reader on every fixture",
  ignore: !toolsAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      for (const [i, fixture] of [MEDIA, ...FIXTURES].entries()) {
        const file = join(dir, `${i}.mp4`);
        await Deno.writeFile(file, fixture.video.bytes);
        assertEquals(await ffprobeVideo("ffprobe", file), await probeVideo("ffmpeg", file));
      }
    });
  },
});

Deno.test({
  name: "[media] a rotated MP4 is probed upright; a fragmented MP4 or an MKV goes to ffprobe",
  ignore: !toolsAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      const source = join(dir, "source.mp4");
      const fixture = FIXTURES.find((f) => f.width > f.height && f.seconds === 8)!;
      await Deno.writeFile(source, fixture.video.bytes);
      const remux = async (name: string, ...options: string[]) => {
        const out = join(dir, name);
        const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", source, "-c", "copy"];
        assert(await runTool("ffmpeg", [...args, ...options, "-y", out]), name);
        return out;
      };
      const rotated = await remux("rotated.mp4", "-metadata:s:v:0", "rotate=90");
      assertEquals(await readMp4Info(rotated), { width: 180, height: 320, seconds: 8 });
      assertEquals(
        (await ffprobeVideo("ffprobe", rotated))?.width,
        180,
        "ffprobe turns it upright too",
      );

      const fragmented = await remux("fragmented.mp4", "-movflags", "frag_keyframe+empty_moov");
      assertEquals(await readMp4Info(fragmented), undefined, "its moov has no length");
      const probed = await probeVideo("ffmpeg", fragmented);
      assertEquals([probed?.width, probed?.height, probed?.seconds], [320, 180, 8]);
      assertEquals(await probeVideo("/nonexistent/ffmpeg", fragmented), undefined);

      const mkv = await remux("video.mkv");
      const fromMkv = await probeVideo("ffmpeg", mkv);
      assertEquals([fromMkv?.width, fromMkv?.height, fromMkv?.seconds], [320, 180, 8]);
      assertEquals(fromMkv?.bytes, (await Deno.stat(mkv)).size);
    });
  },
});

Deno.test("[media] ffprobe is found beside ffmpeg, and a bogus one gives undefined", async () => {
  assertEquals(ffprobePathFor("ffmpeg"), "ffprobe");
  assertEquals(ffprobePathFor("/usr/bin/ffmpeg"), "/usr/bin/ffprobe");
  assertEquals(ffprobePathFor("/opt/ff/ffmpeg-6"), "/opt/ff/ffprobe-6");
  assertEquals(ffprobePathFor("/opt/tools/encoder"), "/opt/tools/ffprobe");
  await withDir(async (dir) => {
    const file = join(dir, "video.mp4");
    await Deno.writeFile(file, MEDIA.video.bytes);
    assertEquals(await ffprobeVideo("/nonexistent/ffprobe", file), undefined);
  });
});
