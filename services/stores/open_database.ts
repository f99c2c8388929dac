import { Database, referenceKeyOf } from "./database.ts";
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from "./sql/migrations.ts";
import { PostgresClient } from "./sql/postgres_client.ts";
import type { SqlClient } from "./sql/sql_client.ts";
import { SqliteClient } from "./sql/sqlite_client.ts";

/** An open database: the queries, and the client to close (and back up, on SQLite). */
export interface OpenDatabase {
  db: Database;
  client: SqlClient;
  /** How many migration steps the schema has had. */
  schemaVersion: number;
}

/** Any key will do, as long as every instance of this app uses the same one. */
const MIGRATION_LOCK = 7_242_024;

/** PostgreSQL when `databaseUrl` is given, else the SQLite file at `sqlitePath`; migrated. */
export async function openDatabase(
  sqlitePath: string,
  databaseUrl?: string,
  now: () => number = Date.now,
): Promise<OpenDatabase> {
  if (databaseUrl) {
    const client = new PostgresClient(databaseUrl);
    try {
      const schemaVersion = await migratePostgres(client, now);
      return { db: new Database(client, client), client, schemaVersion };
    } catch (error) {
      await client.close();
      throw error;
    }
  }
  createPrivately(sqlitePath);
  const client = new SqliteClient(sqlitePath);
  try {
    const schemaVersion = await migrateSqlite(client);
    return { db: new Database(client, client), client, schemaVersion };
  } catch (error) {
    await client.close();
    throw error;
  }
}

function tooNew(version: number): Error {
  return new Error(
    `The database is from a newer Sora Studio (schema ${version}); upgrade the app.`,
  );
}

async function migrateSqlite(client: SqliteClient): Promise<number> {
  const current = client.pragma<{ user_version: number }>("PRAGMA user_version").user_version;
  if (current > SQLITE_MIGRATIONS.length) throw tooNew(current);
  for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
    client.transactionSync(() => {
      client.exec(SQLITE_MIGRATIONS[version]);
      client.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
  // Before media had keys, a reference image was kept as a path in the data folder.
  const paths = await client.all<{ id: string; reference_key: string }>(
    "SELECT id, reference_key FROM videos WHERE reference_key LIKE '/%'",
  );
  for (const row of paths) {
    await client.run(
      "UPDATE videos SET reference_key = ? WHERE id = ?",
      referenceKeyOf(row.reference_key),
      row.id,
    );
  }
  return SQLITE_MIGRATIONS.length;
}

/** All steps in one transaction under an advisory lock: a second instance waits, then sees them. */
function migratePostgres(client: PostgresClient, now: () => number): Promise<number> {
  return client.transaction(async (tx) => {
    await tx.run("SELECT pg_advisory_xact_lock(?)", MIGRATION_LOCK);
    await tx.run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    );
    const row = await tx.get<{ v: number | null }>(
      "SELECT max(version) AS v FROM schema_migrations",
    );
    const current = Number(row?.v ?? 0);
    if (current > POSTGRES_MIGRATIONS.length) throw tooNew(current);
    for (let version = current; version < POSTGRES_MIGRATIONS.length; version++) {
      // Several statements in one step: the simple query protocol (no parameters) runs them all.
      await tx.run(POSTGRES_MIGRATIONS[version]);
      await tx.run(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
        version + 1,
        now(),
      );
    }
    return POSTGRES_MIGRATIONS.length;
  });
}

/**
 * SQLite would create a missing database file 0644 (its default, less the umask). Made empty here
 * with 0600 first, the file is private from the moment it exists, and SQLite gives its -wal and
 * -shm files the main file's mode. An existing file is left as it is.
 */
function createPrivately(path: string): void {
  if (path === "" || path === ":memory:" || path.startsWith("file:")) return;
  try {
    Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}
