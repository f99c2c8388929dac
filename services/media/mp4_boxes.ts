/**
 * Length and picture size of an MP4, read from its boxes in TypeScript: the movie header (mvhd)
 * for the duration and the video track's header (tkhd) for the displayed size. Needs only
 * --allow-read, no ffprobe, and reads the small `moov` box, never the media data.
 */

export interface Mp4Info {
  /** Displayed size in pixels (a track rotated by 90° or 270° has its sides swapped). */
  width: number;
  height: number;
  /** Length in seconds. */
  seconds: number;
}

/** A moov bigger than this is not a video of ours; reading it whole would only cost memory. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

interface Box {
  type: string;
  /** The box's payload (after its header), as a view into the bytes it was found in. */
  body: DataView;
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

/** The child boxes laid one after another in `view`; throws RangeError on a box that overruns. */
function children(view: DataView): Box[] {
  const boxes: Box[] = [];
  let offset = 0;
  while (offset + 8 <= view.byteLength) {
    let size = view.getUint32(offset);
    const type = fourcc(view, offset + 4);
    let header = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = view.byteLength - offset;
    }
    if (size < header || offset + size > view.byteLength) throw new RangeError(`bad ${type} box`);
    boxes.push({
      type,
      body: new DataView(view.buffer, view.byteOffset + offset + header, size - header),
    });
    offset += size;
  }
  return boxes;
}

function child(view: DataView, type: string): DataView | undefined {
  return children(view).find((box) => box.type === type)?.body;
}

/** (timescale, duration) of an mvhd or mdhd, whose layouts agree up to there. */
function timing(header: DataView): { timescale: number; duration: number } {
  if (header.getUint8(0) === 1) {
    const duration = header.getBigUint64(24);
    return {
      timescale: header.getUint32(20),
      duration: duration === 0xffff_ffff_ffff_ffffn ? 0 : Number(duration),
    };
  }
  const duration = header.getUint32(16);
  return { timescale: header.getUint32(12), duration: duration === 0xffff_ffff ? 0 : duration };
}

function seconds(t: { timescale: number; duration: number }): number {
  return t.timescale > 0 ? t.duration / t.timescale : 0;
}

/** The displayed size of a video track, from tkhd or, when that says 0, its sample entry. */
function trackSize(trak: DataView): { width: number; height: number } | undefined {
  const tkhd = child(trak, "tkhd");
  if (!tkhd) return undefined;
  const base = tkhd.getUint8(0) === 1 ? 12 : 0;
  // The matrix (a b u / c d v / x y w) in 16.16: a rotation by 90° or 270° has a = d = 0.
  const a = tkhd.getInt32(40 + base);
  const b = tkhd.getInt32(44 + base);
  const rotated = Math.abs(b) > Math.abs(a);
  let width = tkhd.getUint32(76 + base) / 65536;
  let height = tkhd.getUint32(80 + base) / 65536;
  if (width === 0 || height === 0) {
    const stsd = descend(trak, ["mdia", "minf", "stbl", "stsd"]);
    // stsd: version+flags, entry count, then the first entry (size, format, 6 reserved bytes,
    // data reference index, 16 bytes of pre-defined/reserved) and its width and height.
    if (!stsd || stsd.byteLength < 8 + 36) return undefined;
    width = stsd.getUint16(8 + 32);
    height = stsd.getUint16(8 + 34);
  }
  if (width === 0 || height === 0) return undefined;
  width = Math.round(width);
  height = Math.round(height);
  return rotated ? { width: height, height: width } : { width, height };
}

function descend(view: DataView, path: string[]): DataView | undefined {
  let at: DataView | undefined = view;
  for (const type of path) {
    if (!at) return undefined;
    at = child(at, type);
  }
  return at;
}

/** What a `moov` box says about its video, or undefined when it has no video track or length. */
export function parseMoov(moov: DataView): Mp4Info | undefined {
  try {
    const boxes = children(moov);
    const mvhd = boxes.find((box) => box.type === "mvhd")?.body;
    const videoTrak = boxes.find((box) => {
      if (box.type !== "trak") return false;
      const hdlr = descend(box.body, ["mdia", "hdlr"]);
      return hdlr !== undefined && fourcc(hdlr, 8) === "vide";
    })?.body;
    if (!mvhd || !videoTrak) return undefined;
    const size = trackSize(videoTrak);
    if (!size) return undefined;
    // The movie's length; a fragmented MP4 leaves it 0 and may give it in mvex/mehd instead, and
    // failing both, the video track's own media header may know.
    let length = seconds(timing(mvhd));
    if (length === 0) {
      const mehd = descend(moov, ["mvex", "mehd"]);
      if (mehd) {
        const duration = mehd.getUint8(0) === 1 ? Number(mehd.getBigUint64(4)) : mehd.getUint32(4);
        length = seconds({ timescale: timing(mvhd).timescale, duration });
      }
    }
    if (length === 0) {
      const mdhd = descend(videoTrak, ["mdia", "mdhd"]);
      if (mdhd) length = seconds(timing(mdhd));
    }
    if (!(length > 0) || !Number.isFinite(length)) return undefined;
    return { ...size, seconds: length };
  } catch {
    // A box that overruns its parent or is too short for its fields: not an MP4 we can read.
    return undefined;
  }
}

/** Reads exactly `buffer.length` bytes from `position`, or returns false at the end of the file. */
async function readAt(file: Deno.FsFile, position: number, buffer: Uint8Array): Promise<boolean> {
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) return false;
    filled += read;
  }
  return true;
}

/**
 * What reading an MP4's boxes found: its facts; `broken`, a missing file or an ISO BMFF file
 * that is cut short (a box runs past its end) or has no moov, which nothing can play; or
 * `unreadable`, not an
 * ISO BMFF file (no leading ftyp) or a moov without a length this reader can find (a fragmented
 * MP4 without mvex/mehd), which ffprobe may still make sense of.
 */
export type Mp4Reading =
  | { kind: "mp4"; info: Mp4Info }
  | { kind: "broken" }
  | { kind: "unreadable" };

const BROKEN: Mp4Reading = { kind: "broken" };
const UNREADABLE: Mp4Reading = { kind: "unreadable" };

/**
 * Walks the top-level boxes of the file at `path`, reading the `moov` and skipping `mdat`
 * wherever it sits, and checking that every box is whole.
 */
export async function readMp4(path: string): Promise<Mp4Reading> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return BROKEN;
  }
  try {
    const fileSize = (await file.stat()).size;
    const header = new Uint8Array(16);
    const view = new DataView(header.buffer);
    let position = 0;
    let reading: Mp4Reading | undefined;
    while (position < fileSize) {
      // Fewer bytes left than a box header: the file stops inside one.
      if (!await readAt(file, position, header.subarray(0, 8))) {
        return position ? BROKEN : UNREADABLE;
      }
      let size = view.getUint32(0);
      const type = fourcc(view, 4);
      let headerSize = 8;
      if (position === 0 && type !== "ftyp") return UNREADABLE;
      if (size === 1) {
        if (!await readAt(file, position + 8, header.subarray(8, 16))) return BROKEN;
        size = Number(view.getBigUint64(8));
        headerSize = 16;
      } else if (size === 0) {
        size = fileSize - position;
      }
      if (size < headerSize || position + size > fileSize) return BROKEN;
      if (type === "moov") {
        if (size - headerSize > MAX_MOOV_BYTES) return UNREADABLE;
        const body = new Uint8Array(size - headerSize);
        if (!await readAt(file, position + headerSize, body)) return BROKEN;
        const info = parseMoov(new DataView(body.buffer));
        reading = info ? { kind: "mp4", info } : UNREADABLE;
      }
      position += size;
    }
    // Only now, with every top-level box (the media data too) whole: a download cut short after
    // a leading moov still has its moov, but its mdat runs past the end of the file.
    return reading ?? (fileSize > 0 ? BROKEN : UNREADABLE);
  } catch {
    return BROKEN;
  } finally {
    file.close();
  }
}

/** The size and length of the MP4 at `path`, or undefined when `readMp4` finds none. */
export async function readMp4Info(path: string): Promise<Mp4Info | undefined> {
  const reading = await readMp4(path);
  return reading.kind === "mp4" ? reading.info : undefined;
}
