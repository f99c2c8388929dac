// Bytes imports embed the fixtures in the module graph, so the simulator needs no
// --allow-read and `deno compile` bundles them. They still require the
// `--unstable-raw-imports` flag (or `"unstable": ["raw-imports"]` in deno.json) in Deno 2.9.
import videoBytes from "./fixtures/video.mp4" with { type: "bytes" };
import thumbnailBytes from "./fixtures/thumbnail.webp" with { type: "bytes" };
import spritesheetBytes from "./fixtures/spritesheet.jpg" with { type: "bytes" };

/** The downloadable assets of a completed video, named like the API's `variant` query. */
export type ContentVariant = "video" | "thumbnail" | "spritesheet";

export const CONTENT_VARIANTS: readonly ContentVariant[] = ["video", "thumbnail", "spritesheet"];

export interface MediaAsset {
  bytes: Uint8Array;
  contentType: string;
}

/** Every simulated video serves these same fixtures, whatever its prompt or size. */
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
