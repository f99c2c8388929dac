import { imageSize, sniffVariant } from "../services/media/media_check.ts";
import { SPRITESHEET_GRID } from "../services/media/frames.ts";
import { fixtureFor, FIXTURES } from "../services/providers/simulators/media.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("[media] fixtureFor picks the asked orientation and the nearest length", () => {
  const pick = (size: string, seconds: number) => {
    const f = fixtureFor(size, seconds);
    return `${f.width}x${f.height} ${f.seconds}s`;
  };
  assertEquals(pick("1280x720", 8), "320x180 8s");
  assertEquals(pick("720x1280", 4), "180x320 4s");
  assertEquals(pick("1792x1024", 12), "320x180 12s");
  assertEquals(pick("1024x1792", 12), "180x320 12s");
  // Square and unreadable sizes are landscape.
  assertEquals(pick("1024x1024", 4), "320x180 4s");
  assertEquals(pick("auto", 8), "320x180 8s");
  // Nearest, and the longer one on a tie.
  assertEquals(pick("720x1280", 5), "180x320 4s");
  assertEquals(pick("720x1280", 6), "180x320 8s");
  assertEquals(pick("1280x720", 10), "320x180 12s");
  assertEquals(pick("1280x720", 20), "320x180 12s");
  assertEquals(pick("1280x720", 1), "320x180 4s");
  assertEquals(pick("1280x720", Number.NaN), "320x180 4s");
});

Deno.test("[media] each fixture's media are what they say: MP4, WebP of its size, 5x2 JPEG grid", () => {
  assertEquals(FIXTURES.length, 6);
  for (const f of FIXTURES) {
    const name = `${f.width}x${f.height} ${f.seconds}s`;
    assert(sniffVariant(f.video.bytes, "video"), name);
    assertEquals(imageSize(f.thumbnail.bytes), { width: f.width, height: f.height }, name);
    const sheet = imageSize(f.spritesheet.bytes);
    assert(sheet && sniffVariant(f.spritesheet.bytes, "spritesheet"), name);
    // Whole tiles of the video's own aspect, the longer side 256.
    const tileWidth = sheet.width / SPRITESHEET_GRID.columns;
    const tileHeight = sheet.height / SPRITESHEET_GRID.rows;
    assert(Number.isInteger(tileWidth) && Number.isInteger(tileHeight), name);
    assertEquals(Math.max(tileWidth, tileHeight), 256, name);
    assertEquals(tileWidth * f.height, tileHeight * f.width, name);
    assertEquals(
      [f.video.contentType, f.thumbnail.contentType, f.spritesheet.contentType],
      ["video/mp4", "image/webp", "image/jpeg"],
    );
  }
});

Deno.test("[media] the fixtures are small: each video under 50 KB, all under 600 KB", () => {
  let total = 0;
  for (const f of FIXTURES) {
    assert(f.video.bytes.length < 50_000, `${f.width}x${f.height} ${f.seconds}s`);
    total += f.video.bytes.length + f.thumbnail.bytes.length + f.spritesheet.bytes.length;
  }
  assert(total < 600_000, `${total} bytes`);
});
