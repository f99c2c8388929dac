import { readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { AppError } from "../errors.ts";
import { PRIVATE_FILE_MODE } from "../stores/media/files.ts";
import type { MediaStore } from "../stores/media/media_store.ts";
import type { SqlClient } from "../stores/sql/sql_client.ts";
import { SqliteClient } from "../stores/sql/sqlite_client.ts";

/**
 * `backup FILE`: a tar archive holding a consistent copy of the database (SQLite's VACUUM INTO,
 * safe while the app runs), the session secret and every finished media file. Restoring is
 * unpacking it into an empty DATA_DIR (`tar -xf FILE -C DATA_DIR`). A PostgreSQL database and an
 * S3 bucket are backed up with their own tools, which do it better than any copy made here.
 */
export async function writeBackup(
  client: SqlClient,
  media: MediaStore,
  dataDir: string,
  file: string,
) {
  if (!(client instanceof SqliteClient)) {
    throw new AppError(
      409,
      "backup_elsewhere",
      'The database is PostgreSQL: back it up with pg_dump (pg_dump -Fc "$DATABASE_URL" > ' +
        "studio.dump; restore with pg_restore)" +
        (media.kind === "s3" ? ", and the media bucket with your storage's own tools." : "."),
    );
  }
  const snapshot = join(dirname(file), `.sora-studio-backup-${crypto.randomUUID()}.db`);
  const temp = `${file}.part`;
  // The archive holds the session secret and every user's videos: 0600 from the start, like the
  // snapshot, which SQLite would otherwise create 0644 (an empty file is a valid VACUUM INTO target).
  const out = await Deno.open(temp, {
    write: true,
    create: true,
    truncate: true,
    mode: PRIVATE_FILE_MODE,
  });
  let files = 0;
  try {
    await Deno.writeFile(snapshot, new Uint8Array(), { createNew: true, mode: PRIVATE_FILE_MODE });
    await client.backupTo(snapshot);
    const entries: [string, string][] = [["sora-studio.db", snapshot]];
    const secret = join(dataDir, "session_secret");
    if (await exists(secret)) entries.push(["session_secret", secret]);
    // With media in a bucket, DATA_DIR has none: the bucket is backed up with its own tools.
    for (const path of await mediaFiles(join(dataDir, "media"))) {
      entries.push([relative(dataDir, path), path]);
    }
    for (const [name, path] of entries) {
      await appendFile(out, name, path);
      files++;
    }
    await writeAll(out, new Uint8Array(1024)); // two empty blocks end the archive
    await out.sync();
  } catch (error) {
    out.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  } finally {
    await Deno.remove(snapshot).catch(() => {});
  }
  out.close();
  await Deno.rename(temp, file);
  return { files, bytes: (await Deno.stat(file)).size };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Finished files only: a `.part` is a download under way and not worth keeping. */
async function mediaFiles(root: string): Promise<string[]> {
  const found = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return found
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".part"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function appendFile(out: Deno.FsFile, name: string, path: string): Promise<void> {
  const stat = await Deno.stat(path);
  await writeAll(out, tarHeader(name, stat.size, stat.mtime ?? new Date()));
  const source = await Deno.open(path, { read: true });
  let written = 0;
  for await (const chunk of source.readable) {
    await writeAll(out, chunk);
    written += chunk.length;
  }
  if (written !== stat.size) throw new Error(`${path} changed while it was being backed up.`);
  const padding = (512 - (stat.size % 512)) % 512;
  if (padding) await writeAll(out, new Uint8Array(padding));
}

async function writeAll(out: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await out.write(bytes.subarray(offset));
}

/** A POSIX ustar header; names stay under 100 bytes here (media/<id>/<file>). */
export function tarHeader(name: string, size: number, mtime: Date): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, offset: number, length: number) =>
    header.set(new TextEncoder().encode(text).subarray(0, length), offset);
  const octal = (value: number, length: number) =>
    value.toString(8).padStart(length - 1, "0") + "\0";
  put(name, 0, 100);
  // Restored with `tar -x`, every file is private again (0600), as the app made it.
  put(octal(0o600, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put("        ", 148, 8); // checksum counts itself as spaces
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  put(checksum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return header;
}
