import { join } from "node:path";
import { fileIsVariant, imageSize, sniffVariant } from "../services/media/media_check.ts";
import { FIXTURES, MEDIA } from "../services/providers/simulators/media.ts";
import type { ContentVariant } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";

const VARIANTS: ContentVariant[] = ["video", "thumbnail", "spritesheet"];
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("[media] each real fixture sniffs as its own variant and as no other", () => {
  for (const media of [MEDIA, ...FIXTURES]) {
    for (const variant of VARIANTS) {
      for (const other of VARIANTS) {
        assertEquals(
          sniffVariant(media[variant].bytes, other),
          variant === other,
          `${variant}/${other}`,
        );
      }
    }
  }
});

Deno.test("[media] error pages, JSON, empty and truncated bytes are no variant at all", () => {
  const wrong = [
    text("<!DOCTYPE html><html><body>Bad gateway</body></html>"),
    text('{"error":{"message":"not ready"}}'),
    new Uint8Array(0),
    MEDIA.video.bytes.subarray(0, 6),
    MEDIA.thumbnail.bytes.subarray(0, 10),
    MEDIA.spritesheet.bytes.subarray(0, 2),
    // A RIFF that is not a WebP (a WAV file's head).
    text("RIFF\x24\x00\x00\x00WAVEfmt "),
    // 'ftyp' in place but a box size below its own header.
    new Uint8Array([0, 0, 0, 4, ...text("ftypisom")]),
  ];
  for (const bytes of wrong) {
    for (const variant of VARIANTS) assert(!sniffVariant(bytes, variant), `${variant}`);
  }
});

Deno.test("[media] fileIsVariant reads a file's head; a missing or short file is false", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const video = join(dir, "video.mp4");
    await Deno.writeFile(video, MEDIA.video.bytes);
    assert(await fileIsVariant(video, "video"));
    assert(!await fileIsVariant(video, "thumbnail"));
    const page = join(dir, "page.mp4");
    await Deno.writeFile(page, text("<html>oops</html>"));
    assert(!await fileIsVariant(page, "video"));
    const short = join(dir, "short.jpg");
    await Deno.writeFile(short, new Uint8Array([0xff, 0xd8]));
    assert(!await fileIsVariant(short, "spritesheet"));
    assert(!await fileIsVariant(join(dir, "missing.webp"), "thumbnail"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[media] imageSize reads the WebP's and the JPEG's header, and nothing else", () => {
  assertEquals(imageSize(MEDIA.thumbnail.bytes), { width: 320, height: 180 });
  assertEquals(imageSize(MEDIA.spritesheet.bytes), { width: 800, height: 180 });
  assertEquals(imageSize(MEDIA.video.bytes), undefined);
  assertEquals(imageSize(text("<html></html>")), undefined);
  // A lossless WebP (VP8L) of 3x2 and an extended one (VP8X) of 300x200, headers only.
  const lossless = new Uint8Array([
    ...text("RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00"),
    0x2f,
    ...[2 | ((1 << 14) & 0xff), (1 << 14) >> 8, 0, 0],
    ...new Uint8Array(8),
  ]);
  assertEquals(imageSize(lossless), { width: 3, height: 2 });
  const extended = new Uint8Array([
    ...text("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00"),
    ...[0, 0, 0, 0, 299 & 0xff, 299 >> 8, 0, 199, 0, 0],
  ]);
  assertEquals(imageSize(extended), { width: 300, height: 200 });
});
