// The one place that picks what a finished interaction delivers: the demo fixture of its aspect
// ratio's orientation and about its length (an extension's: the whole result's).
import { type Fixture, fixtureForAspect, type MediaAsset } from "../media.ts";

export interface VideoShape {
  aspect_ratio: string;
  resolution: string;
  seconds: number;
}

export function videoFixture(shape: VideoShape): Fixture {
  return fixtureForAspect(shape.aspect_ratio, shape.seconds);
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
