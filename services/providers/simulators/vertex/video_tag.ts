// Every video Veo makes is different, and an extension request sends one back as bytes: to know
// which of its videos it was given, the simulator appends a top-level `free` box naming the
// operation to each MP4 it delivers. Players and MP4 parsers skip `free` boxes.

const MARKER = "vertex-simulator:";

/** The MP4 with a trailing `free` box that names `id`. */
export function tagVideo(mp4: Uint8Array, id: string): Uint8Array {
  const payload = new TextEncoder().encode(MARKER + id);
  const out = new Uint8Array(mp4.byteLength + 8 + payload.byteLength);
  out.set(mp4);
  const view = new DataView(out.buffer);
  view.setUint32(mp4.byteLength, 8 + payload.byteLength);
  out.set(new TextEncoder().encode("free"), mp4.byteLength + 4);
  out.set(payload, mp4.byteLength + 8);
  return out;
}

/** The id a tagged MP4 names, or undefined for any other bytes. */
export function readTag(mp4: Uint8Array): string | undefined {
  const view = new DataView(mp4.buffer, mp4.byteOffset, mp4.byteLength);
  let offset = 0;
  while (offset + 8 <= view.byteLength) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(...mp4.subarray(offset + 4, offset + 8));
    let header = 8;
    if (size === 1 && offset + 16 <= view.byteLength) {
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = view.byteLength - offset;
    }
    if (size < header || offset + size > view.byteLength) return undefined;
    if (type === "free") {
      const text = new TextDecoder().decode(mp4.subarray(offset + header, offset + size));
      if (text.startsWith(MARKER)) return text.slice(MARKER.length);
    }
    offset += size;
  }
  return undefined;
}
