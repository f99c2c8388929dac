import jpeg from "jpeg-js";
import { join } from "node:path";
import { runTool } from "../services/media/ffmpeg_run.ts";
import { cutFrame, FRAME_COUNT, SPRITESHEET_GRID } from "../services/media/frames.ts";
import { fileIsVariant, imageSize } from "../services/media/media_check.ts";
import { frameAt, makeSpritesheet, makeThumbnail } from "../services/media/media_make.ts";
import { type Fixture, FIXTURES } from "../services/providers/simulators/media.ts";
import { assert, assertEquals } from "./assert.ts";

/** Whether this machine has ffmpeg (CI installs it, so these tests run there). */
const ffmpegAvailable = (() => {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

const landscape = FIXTURES.find((f) => f.width > f.height && f.seconds === 8)!;
const portrait = FIXTURES.find((f) => f.width < f.height && f.seconds === 4)!;

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function videoFile(dir: string, fixture: Fixture, name = "video.mp4"): Promise<string> {
  const file = join(dir, name);
  await Deno.writeFile(file, fixture.video.bytes);
  return file;
}

/** Mean difference per colour channel (0–255) of two JPEGs of one size. */
function difference(a: Uint8Array, b: Uint8Array): number {
  const x = jpeg.decode(a, { useTArray: true, formatAsRGBA: true });
  const y = jpeg.decode(b, { useTArray: true, formatAsRGBA: true });
  assertEquals([x.width, x.height], [y.width, y.height]);
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) if (i % 4 !== 3) sum += Math.abs(x.data[i] - y.data[i]);
  return sum / (x.width * x.height * 3);
}

Deno.test({
  name: "[media] a thumbnail is a WebP of the video's aspect, at most 640 wide",
  ignore: !ffmpegAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      for (const fixture of [landscape, portrait]) {
        const out = join(dir, `${fixture.height}.webp`);
        assert(await makeThumbnail("ffmpeg", await videoFile(dir, fixture), out));
        assert(await fileIsVariant(out, "thumbnail"));
        assertEquals(imageSize(await Deno.readFile(out)), {
          width: fixture.width,
          height: fixture.height,
        });
      }
      // A big clip is brought down to 640 wide; one shorter than the usual 1 s still gives a
      // frame (from its middle).
      const big = join(dir, "big.mp4");
      const source = "testsrc2=size=1280x720:rate=10:duration=0.5";
      const encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
      assert(await runTool("ffmpeg", ["-nostdin", "-f", "lavfi", "-i", source, ...encode, big]));
      const out = join(dir, "big.webp");
      assert(await makeThumbnail("ffmpeg", big, out));
      assertEquals(imageSize(await Deno.readFile(out)), { width: 640, height: 360 });
    });
  },
});

Deno.test({
  name: "[media] a spritesheet is the app's 5x2 JPEG grid, tiles in the video's aspect",
  ignore: !ffmpegAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      for (const [fixture, tile] of [[landscape, [256, 144]], [portrait, [144, 256]]] as const) {
        const video = await videoFile(dir, fixture);
        const out = join(dir, "spritesheet.jpg");
        assert(await makeSpritesheet("ffmpeg", video, out, fixture.seconds));
        const sheet = await Deno.readFile(out);
        assert(await fileIsVariant(out, "spritesheet"));
        assertEquals(imageSize(sheet), {
          width: tile[0] * SPRITESHEET_GRID.columns,
          height: tile[1] * SPRITESHEET_GRID.rows,
        });
        // cutFrame (get_frame, continue) finds whole tiles in it.
        const first = jpeg.decode(cutFrame(sheet, 0), { useTArray: true });
        assertEquals([first.width, first.height], [...tile]);
        // What make_fixtures.sh committed is what the app makes: the same frames, in place.
        assert(difference(sheet, fixture.spritesheet.bytes) < 2, "as the committed fixture");
        // Without a length given, it is read from the MP4.
        assert(await makeSpritesheet("ffmpeg", video, out));
        assert(difference(await Deno.readFile(out), sheet) < 1, "length read from the MP4");
      }
    });
  },
});

Deno.test({
  name: "[media] a spritesheet's first tile is the first frame and its last the last",
  ignore: !ffmpegAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      const video = await videoFile(dir, landscape);
      const out = join(dir, "spritesheet.jpg");
      assert(await makeSpritesheet("ffmpeg", video, out, landscape.seconds));
      const sheet = await Deno.readFile(out);
      // Tiles enlarged to the video's own size, to set beside its frames.
      const tile = (index: number) => cutFrame(sheet, index, "320x180");
      const frame = async (seconds: number) => {
        const bytes = await frameAt("ffmpeg", video, seconds, 320);
        assert(bytes);
        return bytes;
      };
      const start = await frame(0);
      const end = await frame(landscape.seconds);
      // The clock and the bar drawn on the fixture make distant frames plainly different.
      assert(difference(tile(0), start) < difference(tile(0), end) / 2, "first tile, first frame");
      const last = tile(FRAME_COUNT - 1);
      assert(difference(last, end) < difference(last, start) / 2, "last tile, last frame");
    });
  },
});

Deno.test({
  name:
    "[media] frameAt is a JPEG at least 480 wide (enlarged if need be), last frame past the end",
  ignore: !ffmpegAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      const wide = await videoFile(dir, landscape, "wide.mp4");
      const tall = await videoFile(dir, portrait, "tall.mp4");
      const size = async (file: string, seconds: number, minWidth?: number) => {
        const bytes = await frameAt("ffmpeg", file, seconds, minWidth);
        assert(bytes, `a frame at ${seconds}`);
        return imageSize(bytes);
      };
      assertEquals(await size(wide, 2), { width: 480, height: 270 });
      assertEquals(await size(tall, 2), { width: 480, height: 854 });
      // A video wider than asked is left as it is.
      assertEquals(await size(wide, 2, 200), { width: 320, height: 180 });
      // Before the start is the start; at or past the end, the last frame.
      assertEquals(await size(wide, -3), { width: 480, height: 270 });
      const last = await frameAt("ffmpeg", wide, 99);
      const atEnd = await frameAt("ffmpeg", wide, landscape.seconds);
      const nearEnd = await frameAt("ffmpeg", wide, landscape.seconds - 1 / 24);
      assert(last && atEnd && nearEnd);
      assert(difference(last, atEnd) < 1);
      assert(difference(last, nearEnd) < 1);
      const early = await frameAt("ffmpeg", wide, 1);
      assert(early && difference(last, early) > 5, "an earlier frame differs");
    });
  },
});

Deno.test("[media] with a bogus ffmpeg: false and undefined, nothing written, nothing thrown", async () => {
  await withDir(async (dir) => {
    const video = await videoFile(dir, landscape);
    const thumbnail = join(dir, "thumbnail.webp");
    const spritesheet = join(dir, "spritesheet.jpg");
    for (const ffmpeg of ["/nonexistent/ffmpeg", "no-such-ffmpeg-here"]) {
      assertEquals(await makeThumbnail(ffmpeg, video, thumbnail), false);
      assertEquals(await makeSpritesheet(ffmpeg, video, spritesheet, 8), false);
      assertEquals(await frameAt(ffmpeg, video, 1), undefined);
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["video.mp4"]);
  });
});

Deno.test({
  name: "[media] a broken or missing video: false and undefined, nothing written, nothing thrown",
  ignore: !ffmpegAvailable,
  fn: async () => {
    await withDir(async (dir) => {
      const broken = join(dir, "broken.mp4");
      await Deno.writeFile(broken, new TextEncoder().encode("<html>502 Bad Gateway</html>"));
      const cut = join(dir, "cut.mp4");
      await Deno.writeFile(cut, landscape.video.bytes.subarray(0, 3000));
      for (const video of [broken, cut, join(dir, "missing.mp4")]) {
        assertEquals(await makeThumbnail("ffmpeg", video, join(dir, "t.webp")), false, video);
        assertEquals(await makeSpritesheet("ffmpeg", video, join(dir, "s.jpg")), false, video);
        assertEquals(await makeSpritesheet("ffmpeg", video, join(dir, "s.jpg"), 4), false, video);
        assertEquals(await frameAt("ffmpeg", video, 1), undefined, video);
      }
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["broken.mp4", "cut.mp4"]);
    });
  },
});

Deno.test({
  name: "[media] a tool that does not finish is killed at its timeout",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const started = performance.now();
    assertEquals(await runTool("sleep", ["30"], 100), undefined);
    assert(performance.now() - started < 10_000, "killed, not waited for");
  },
});
