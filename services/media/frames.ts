import jpeg from "jpeg-js";

/** The spritesheet's grid: frames left to right, top to bottom, evenly through the video. */
export const SPRITESHEET_GRID = { columns: 5, rows: 2 } as const;
export const FRAME_COUNT = SPRITESHEET_GRID.columns * SPRITESHEET_GRID.rows;

/**
 * Cuts frame `index` out of a spritesheet JPEG and encodes it as a JPEG of its own, scaled to
 * `size` ("WIDTHxHEIGHT") when given, so it can serve as a reference image of that size.
 */
export function cutFrame(sheet: Uint8Array, index: number, size?: string): Uint8Array {
  const image = jpeg.decode(sheet, { useTArray: true, formatAsRGBA: true });
  const width = Math.floor(image.width / SPRITESHEET_GRID.columns);
  const height = Math.floor(image.height / SPRITESHEET_GRID.rows);
  const left = (index % SPRITESHEET_GRID.columns) * width;
  const top = Math.floor(index / SPRITESHEET_GRID.columns) * height;
  const [outWidth, outHeight] = size ? size.split("x").map(Number) : [width, height];
  const out = new Uint8Array(outWidth * outHeight * 4);
  // Nearest neighbour: a reference image guides the first frame; it need not be pretty.
  for (let y = 0; y < outHeight; y++) {
    const sy = top + Math.min(height - 1, Math.floor((y * height) / outHeight));
    for (let x = 0; x < outWidth; x++) {
      const sx = left + Math.min(width - 1, Math.floor((x * width) / outWidth));
      const from = (sy * image.width + sx) * 4;
      out.set(image.data.subarray(from, from + 4), (y * outWidth + x) * 4);
    }
  }
  return jpeg.encode({ data: out, width: outWidth, height: outHeight }, 85).data;
}
