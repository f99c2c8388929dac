import { FILE_NAMES } from "./files.ts";
import type { ContentVariant } from "../../types.ts";
/**
 * Where media (videos, thumbnails, storyboards, reference images) is kept, by key: a folder in
 * DATA_DIR, or an S3-compatible bucket. Keys look like `media/<video id>/video.mp4` and
 * `uploads/<id>.png`; the database stores keys only, never a path on some machine's disk.
 */
export interface StoredObject {
  size: number;
}

/** A file on this machine's disk holding an object, for tools that need a path (ffmpeg). */
export interface LocalCopy {
  path: string;
  /** Lets the copy go (a no-op when the store is a folder and the path is the object itself). */
  release(): Promise<void>;
}

export interface MediaStore {
  readonly kind: "folder" | "s3";
  /**
   * Stores a finished file made on this machine under `key` (the folder store renames it into
   * place; S3 uploads it, in parts when large), whole or not at all; the local file is gone after.
   */
  putFile(key: string, localPath: string, contentType?: string): Promise<number>;
  /** Stores bytes under `key`, whole or not at all. */
  putBytes(key: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  stat(key: string): Promise<StoredObject | null>;
  /** Bytes `start`..`end` (inclusive) as a stream, never read whole; null when there is no object. */
  read(key: string, start: number, end: number): Promise<ReadableStream<Uint8Array> | null>;
  /** The whole object in memory: only for small ones (reference images, storyboards). */
  readBytes(key: string): Promise<Uint8Array | null>;
  localCopy(key: string): Promise<LocalCopy | null>;
  /** Removes every object whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keys are made by the app; this refuses anything that could climb out of the store. */
export function checkKey(key: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) || key.split("/").includes("..")) {
    throw new Error(`Not a media key: ${JSON.stringify(key)}`);
  }
  return key;
}

/** The key of one of a video's files: `media/<video id>/video.mp4` and its siblings. */
export function mediaKey(videoId: string, variant: ContentVariant): string {
  return `media/${videoId}/${FILE_NAMES[variant]}`;
}

/** The key under which all of a video's files live (removed together). */
export function videoPrefix(videoId: string): string {
  return `media/${videoId}`;
}

/** Where a reference image waits until it has been sent. */
export function uploadKey(id: string, extension: string): string {
  return `uploads/${id}.${extension}`;
}
