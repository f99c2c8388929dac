import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Database } from "./database.ts";
import { writeBytesAtomically } from "./media/files.ts";

function randomSecret(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * SESSION_SECRET when set. Otherwise one generated on first start: kept in DATA_DIR (0600) for
 * one machine; with several instances on PostgreSQL, in the database, so every instance shares it
 * (the first to start writes it; the others read what it wrote). Setting SESSION_SECRET is better
 * there: then a copy of the database alone lets nobody in.
 */
export async function sessionSecret(
  configured: string | undefined,
  dataDir: string,
  db: Database,
): Promise<string> {
  if (configured) return configured;
  if (db.dialect === "postgres") {
    await db.insertSettingOnce("session_secret", randomSecret());
    return (await db.setting("session_secret"))!;
  }
  const path = join(dataDir, "session_secret");
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  const secret = randomSecret();
  // Written 0600 from the start (see writeBytesAtomically), never chmod'ed after.
  await writeBytesAtomically(path, new TextEncoder().encode(secret));
  return secret;
}
