/** An aspect ratio and a resolution, which is how Google's and fal's video models take a size. */
export interface VideoShape {
  aspect_ratio: "16:9" | "9:16";
  resolution: "360p" | "720p" | "1080p" | "4k";
}

/**
 * Every shape written as the size it produces (`WIDTHxHEIGHT`, as the API's `size` always is),
 * landscape then portrait, smallest first. Each provider offers the resolutions it makes.
 */
export const VIDEO_SHAPES: Readonly<Record<string, VideoShape>> = {
  "640x360": { aspect_ratio: "16:9", resolution: "360p" },
  "360x640": { aspect_ratio: "9:16", resolution: "360p" },
  "1280x720": { aspect_ratio: "16:9", resolution: "720p" },
  "720x1280": { aspect_ratio: "9:16", resolution: "720p" },
  "1920x1080": { aspect_ratio: "16:9", resolution: "1080p" },
  "1080x1920": { aspect_ratio: "9:16", resolution: "1080p" },
  "3840x2160": { aspect_ratio: "16:9", resolution: "4k" },
  "2160x3840": { aspect_ratio: "9:16", resolution: "4k" },
};

/** The sizes of these resolutions, in the table's order. */
export function shapesAt(
  resolutions: readonly VideoShape["resolution"][],
): Record<string, VideoShape> {
  return Object.fromEntries(
    Object.entries(VIDEO_SHAPES).filter(([, shape]) => resolutions.includes(shape.resolution)),
  );
}
