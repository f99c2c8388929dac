import { dirname, join } from "node:path";
import { makePrivateDir, readRange, removeQuietly, writeBytesAtomically } from "./files.ts";
import { checkKey, type LocalCopy, type MediaStore, type StoredObject } from "./media_store.ts";

/** Media as files under one folder (DATA_DIR), each written atomically and private (0600). */
export class FolderStore implements MediaStore {
  readonly kind = "folder" as const;

  constructor(readonly root: string) {}

  path(key: string): string {
    return join(this.root, checkKey(key));
  }

  async putFile(key: string, localPath: string): Promise<number> {
    const target = this.path(key);
    await makePrivateDir(dirname(target));
    // Made on this disk (a scratch file or a `.part` beside it): a rename is atomic.
    await Deno.rename(localPath, target);
    return (await Deno.stat(target)).size;
  }

  async putBytes(key: string, bytes: Uint8Array): Promise<void> {
    const target = this.path(key);
    await makePrivateDir(dirname(target));
    await writeBytesAtomically(target, bytes);
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const info = await Deno.stat(this.path(key));
      return info.isFile ? { size: info.size } : null;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  async read(key: string, start: number, end: number) {
    try {
      return await readRange(this.path(key), start, end);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  async readBytes(key: string): Promise<Uint8Array | null> {
    try {
      return await Deno.readFile(this.path(key));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  async localCopy(key: string): Promise<LocalCopy | null> {
    if (!await this.stat(key)) return null;
    return { path: this.path(key), release: () => Promise.resolve() };
  }

  async deletePrefix(prefix: string): Promise<void> {
    await removeQuietly(this.path(prefix.replace(/\/+$/, "")));
  }

  async delete(key: string): Promise<void> {
    await removeQuietly(this.path(key));
  }
}
