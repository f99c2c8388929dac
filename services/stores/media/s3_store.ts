import { join } from "node:path";
import { makePrivateDir, PRIVATE_FILE_MODE } from "./files.ts";
import { checkKey, type LocalCopy, type MediaStore, type StoredObject } from "./media_store.ts";
import type { S3Client } from "./s3_client.ts";

/**
 * Media in an S3-compatible bucket. Nothing stays on this machine: files made here (downloads,
 * thumbnails) are uploaded and removed, and a tool that needs a file gets a scratch copy that is
 * removed when released.
 */
export class S3Store implements MediaStore {
  readonly kind = "s3" as const;

  constructor(readonly s3: S3Client, readonly scratchDir: string) {}

  async putFile(key: string, localPath: string, contentType?: string): Promise<number> {
    const file = await Deno.open(localPath, { read: true });
    try {
      return await this.s3.putStream(checkKey(key), file.readable, contentType);
    } finally {
      await Deno.remove(localPath).catch(() => {});
    }
  }

  async putBytes(key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    await this.s3.putObject(checkKey(key), bytes, contentType);
  }

  async stat(key: string): Promise<StoredObject | null> {
    const found = await this.s3.headObject(checkKey(key));
    return found && { size: found.size };
  }

  async read(key: string, start: number, end: number) {
    const response = await this.s3.getObject(checkKey(key), [start, end]);
    return response?.body ?? null;
  }

  async readBytes(key: string): Promise<Uint8Array | null> {
    const response = await this.s3.getObject(checkKey(key));
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  }

  async localCopy(key: string): Promise<LocalCopy | null> {
    const response = await this.s3.getObject(checkKey(key));
    if (!response?.body) return null;
    await makePrivateDir(this.scratchDir);
    const path = join(this.scratchDir, `${crypto.randomUUID()}-${key.split("/").pop()}`);
    const file = await Deno.open(path, { write: true, createNew: true, mode: PRIVATE_FILE_MODE });
    try {
      await response.body.pipeTo(file.writable);
    } catch (error) {
      await Deno.remove(path).catch(() => {});
      throw error;
    }
    return { path, release: () => Deno.remove(path).catch(() => {}) };
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys = await this.s3.listKeys(checkKey(prefix.replace(/\/+$/, "")) + "/");
    await Promise.all(keys.map((key) => this.s3.deleteObject(key)));
  }

  async delete(key: string): Promise<void> {
    await this.s3.deleteObject(checkKey(key));
  }
}
