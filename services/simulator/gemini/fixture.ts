// The one place that picks the MP4 a finished interaction delivers, so a picker by size and length
// can replace it without touching the rest of the simulator.
import { MEDIA, type MediaAsset } from "../media.ts";

export interface VideoShape {
  aspect_ratio: string;
  resolution: string;
  seconds: number;
}

/** Every simulated video is the same fixture for now, whatever its shape. */
export function videoFixture(_shape: VideoShape): MediaAsset {
  return MEDIA.video;
}

const base64Cache = new WeakMap<Uint8Array, string>();

/** The fixture's bytes as base64, for inline delivery (encoded once per fixture). */
export function fixtureBase64(asset: MediaAsset): string {
  let encoded = base64Cache.get(asset.bytes);
  if (encoded === undefined) {
    encoded = btoa(Array.from(asset.bytes, (b) => String.fromCharCode(b)).join(""));
    base64Cache.set(asset.bytes, encoded);
  }
  return encoded;
}
