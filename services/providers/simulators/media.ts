// Bytes imports embed the fixtures in the module graph, so the simulator needs no
// --allow-read and `deno compile` bundles them. They still require the
// `--unstable-raw-imports` flag (or `"unstable": ["raw-imports"]` in deno.json) in Deno 2.9.
import videoBytes from "./fixtures/video.mp4" with { type: "bytes" };
import thumbnailBytes from "./fixtures/thumbnail.webp" with { type: "bytes" };
import spritesheetBytes from "./fixtures/spritesheet.jpg" with { type: "bytes" };
import landscape4Video from "./fixtures/landscape_4s_video.mp4" with { type: "bytes" };
import landscape4Thumbnail from "./fixtures/landscape_4s_thumbnail.webp" with { type: "bytes" };
import landscape4Spritesheet from "./fixtures/landscape_4s_spritesheet.jpg" with { type: "bytes" };
import landscape8Video from "./fixtures/landscape_8s_video.mp4" with { type: "bytes" };
import landscape8Thumbnail from "./fixtures/landscape_8s_thumbnail.webp" with { type: "bytes" };
import landscape8Spritesheet from "./fixtures/landscape_8s_spritesheet.jpg" with { type: "bytes" };
import landscape12Video from "./fixtures/landscape_12s_video.mp4" with { type: "bytes" };
import landscape12Thumbnail from "./fixtures/landscape_12s_thumbnail.webp" with { type: "bytes" };
import landscape12Spritesheet from "./fixtures/landscape_12s_spritesheet.jpg" with {
  type: "bytes",
};
import portrait4Video from "./fixtures/portrait_4s_video.mp4" with { type: "bytes" };
import portrait4Thumbnail from "./fixtures/portrait_4s_thumbnail.webp" with { type: "bytes" };
import portrait4Spritesheet from "./fixtures/portrait_4s_spritesheet.jpg" with { type: "bytes" };
import portrait8Video from "./fixtures/portrait_8s_video.mp4" with { type: "bytes" };
import portrait8Thumbnail from "./fixtures/portrait_8s_thumbnail.webp" with { type: "bytes" };
import portrait8Spritesheet from "./fixtures/portrait_8s_spritesheet.jpg" with { type: "bytes" };
import portrait12Video from "./fixtures/portrait_12s_video.mp4" with { type: "bytes" };
import portrait12Thumbnail from "./fixtures/portrait_12s_thumbnail.webp" with { type: "bytes" };
import portrait12Spritesheet from "./fixtures/portrait_12s_spritesheet.jpg" with { type: "bytes" };

/** The downloadable assets of a completed video, named like the API's `variant` query. */
export type ContentVariant = "video" | "thumbnail" | "spritesheet";

export const CONTENT_VARIANTS: readonly ContentVariant[] = ["video", "thumbnail", "spritesheet"];

export interface MediaAsset {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * The first demo fixture, a 320x180 test pattern of 4 s. The simulators serve FIXTURES now, the
 * one of each video's shape and length (fixtureFor); this stays for tests of media handling.
 */
export const MEDIA: Readonly<Record<ContentVariant, MediaAsset>> = {
  video: { bytes: videoBytes, contentType: "video/mp4" },
  thumbnail: { bytes: thumbnailBytes, contentType: "image/webp" },
  spritesheet: { bytes: spritesheetBytes, contentType: "image/jpeg" },
};

/** Pixel size of the fixture video (and of the thumbnail). */
export const FIXTURE_VIDEO_WIDTH = 320;
export const FIXTURE_VIDEO_HEIGHT = 180;
export const FIXTURE_VIDEO_SECONDS = 4;

// The spritesheet grid, as produced by fixtures/make_fixtures.sh: frames are read left
// to right, then top to bottom, and frame i shows the clip around
// i * SPRITESHEET_SECONDS_PER_FRAME seconds. A hover scrub maps the pointer's x fraction
// to a frame index and shows that cell as a CSS background-position.
export const SPRITESHEET_COLUMNS = 5;
export const SPRITESHEET_ROWS = 2;
export const SPRITESHEET_FRAME_COUNT = SPRITESHEET_COLUMNS * SPRITESHEET_ROWS;
export const SPRITESHEET_FRAME_WIDTH = 160;
export const SPRITESHEET_FRAME_HEIGHT = 90;
export const SPRITESHEET_SECONDS_PER_FRAME = FIXTURE_VIDEO_SECONDS / SPRITESHEET_FRAME_COUNT;

/**
 * A demo video that looks like what was asked for: its orientation and about its length, with
 * its aspect, length and a running clock drawn on it (fixtures/make_fixtures.sh). Its
 * spritesheet is made the way the app makes one from a downloaded MP4 (services/media_make.ts):
 * the same 5 x 2 grid, tiles of 256x144 (landscape) or 144x256 (portrait), frames from the first
 * to the last, evenly.
 */
export interface Fixture {
  video: MediaAsset;
  thumbnail: MediaAsset;
  spritesheet: MediaAsset;
  /** The video's pixel size (the thumbnail's too). */
  width: number;
  height: number;
  /** The video's length in seconds. */
  seconds: number;
}

function fixture(
  width: number,
  height: number,
  seconds: number,
  video: Uint8Array,
  thumbnail: Uint8Array,
  spritesheet: Uint8Array,
): Fixture {
  return {
    video: { bytes: video, contentType: "video/mp4" },
    thumbnail: { bytes: thumbnail, contentType: "image/webp" },
    spritesheet: { bytes: spritesheet, contentType: "image/jpeg" },
    width,
    height,
    seconds,
  };
}

/** Every demo fixture: landscape 320x180 (16:9) and portrait 180x320 (9:16), 4, 8 and 12 s. */
export const FIXTURES: readonly Fixture[] = [
  fixture(320, 180, 4, landscape4Video, landscape4Thumbnail, landscape4Spritesheet),
  fixture(320, 180, 8, landscape8Video, landscape8Thumbnail, landscape8Spritesheet),
  fixture(320, 180, 12, landscape12Video, landscape12Thumbnail, landscape12Spritesheet),
  fixture(180, 320, 4, portrait4Video, portrait4Thumbnail, portrait4Spritesheet),
  fixture(180, 320, 8, portrait8Video, portrait8Thumbnail, portrait8Spritesheet),
  fixture(180, 320, 12, portrait12Video, portrait12Thumbnail, portrait12Spritesheet),
];

/**
 * The demo fixture for a video of `size` ("WIDTHxHEIGHT") and `seconds`: portrait when taller
 * than wide, else landscape (square and unreadable sizes too), of the nearest length, the
 * longer one on a tie (6 s gives 8 s, 10 s gives 12 s).
 */
export function fixtureFor(size: string, seconds: number): Fixture {
  const [width, height] = size.split("x").map(Number);
  const portrait = height > width;
  const candidates = FIXTURES.filter((f) => (f.height > f.width) === portrait);
  let best = candidates[0];
  for (const candidate of candidates) {
    const distance = Math.abs(candidate.seconds - seconds);
    const bestDistance = Math.abs(best.seconds - seconds);
    if (
      distance < bestDistance || (distance === bestDistance && candidate.seconds > best.seconds)
    ) {
      best = candidate;
    }
  }
  return best;
}

/**
 * The demo fixture for a video asked for by aspect ratio ("9:16", "16:9", "1:1"…), as Google's and
 * fal's APIs take it: the ratio sets the orientation, whatever the resolution.
 */
export function fixtureForAspect(aspectRatio: string, seconds: number): Fixture {
  return fixtureFor(aspectRatio.replace(":", "x"), seconds);
}
