import { changePassword, createUser, listUsers } from "../auth/auth.ts";
import { removeUserByName } from "../auth/users.ts";
import { ensureFirstAdmin } from "./bootstrap.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { AppError } from "../errors.ts";
import { writeBackup } from "./backup.ts";
import { openRuntime, type Runtime } from "./runtime.ts";
import type { Database } from "../stores/database.ts";
import type { MediaStore } from "../stores/media/media_store.ts";
import { openDatabase } from "../stores/open_database.ts";
import { openMediaStore } from "../stores/open_media.ts";
import type { SqlClient } from "../stores/sql/sql_client.ts";
import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { VERSION } from "./version.ts";

export { VERSION };

export const HELP = `Sora Studio ${VERSION} — a self-hosted studio for AI video generation.

Usage: sora-studio [command]        (or: deno task cli [command])

Commands:
  serve                  Run the web app (the default).
  user add NAME [--admin]  Add a user; the password is read from standard input.
  user passwd NAME       Set a user's password (read from standard input); ends their sessions.
                         Passwords: 12+ characters, not a common one, not containing the name.
  user list              List users and their roles.
  user remove NAME       Remove a user with their videos.
  backup FILE            Write a consistent backup (database and media) to FILE, a tar archive.
  --help, -h             Show this help.
  --version, -V          Show the version.

Environment (a .env file in the working directory is read too):
  PORT (8000)  HOST (127.0.0.1)  DATA_DIR (./data)  PUBLIC_URL
  FAL_KEY  FAL_QUEUE_URL  FAL_API_URL  FAL_MODELS
  GEMINI_API_KEY  GEMINI_BASE_URL
  GOOGLE_CLOUD_PROJECT  GOOGLE_CLOUD_LOCATION (us-central1)  GOOGLE_APPLICATION_CREDENTIALS
  OPENAI_API_KEY  OPENAI_BASE_URL  OPENAI_MODELS  OPENAI_WEBHOOK_SECRET
  SORA_SIMULATE (0)  POLL_INTERVAL_MS (5000)  POLL_GIVE_UP_MS (1800000)  UPSTREAM_MAX_RPM (60)
  ADMIN_USERNAME  ADMIN_PASSWORD  SESSION_SECRET  UPSTREAM_TIMEOUT_MS (60000)  FFMPEG_PATH
  LOG_LEVEL (info)  LOG_FORMAT (text|json)  SIMULATOR_TIME_SCALE
With no provider configured (or with SORA_SIMULATE=1) every provider's built-in simulator is
used (demo mode).`;

type Handler = (request: Request) => Response | Promise<Response>;

/** Runs one command line; returns the exit code. `makeHandler` turns the services into the web app. */
export async function runCli(
  args: string[],
  makeHandler: (runtime: Runtime) => { fetch: Handler },
): Promise<number> {
  try {
    return await dispatch(args, makeHandler);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AppError) {
      console.error(`error: ${error.message}${fieldsOf(error)}`);
      return 1;
    }
    throw error;
  }
}

function fieldsOf(error: Error): string {
  return error instanceof AppError && error.fields
    ? " " + Object.entries(error.fields).map(([k, v]) => `${k}: ${v}`).join(" ")
    : "";
}

function usage(message: string): number {
  console.error(`error: ${message}\n\n${HELP}`);
  return 2;
}

async function dispatch(
  args: string[],
  makeHandler: (runtime: Runtime) => { fetch: Handler },
): Promise<number> {
  const [command = "serve", ...rest] = args;
  switch (command) {
    case "--help":
    case "-h":
    case "help":
      console.log(HELP);
      return 0;
    case "--version":
    case "-V":
      console.log(VERSION);
      return 0;
    case "serve":
      if (rest.length) return usage(`serve takes no arguments (got ${rest.join(" ")}).`);
      return await serve(makeHandler);
    case "user":
      return await userCommand(rest);
    case "backup":
      if (rest.length !== 1) return usage("backup takes one argument: the file to write.");
      return await withDatabase(async ({ client, media }, dataDir) => {
        const written = await writeBackup(client, media, dataDir, rest[0]);
        console.log(`Wrote ${rest[0]} (${written.files} files, ${written.bytes} bytes).`);
        return 0;
      });
    default:
      return usage(`unknown command "${command}".`);
  }
}

/** The database and media store the configuration names, open for one command. */
interface Stores {
  db: Database;
  client: SqlClient;
  media: MediaStore;
}

async function withDatabase(
  work: (stores: Stores, dataDir: string) => number | Promise<number>,
) {
  const config = loadConfig();
  await mkdir(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const { db, client } = await openDatabase(
    join(config.DATA_DIR, "sora-studio.db"),
    config.DATABASE_URL,
  );
  try {
    return await work({ db, client, media: openMediaStore(config) }, config.DATA_DIR);
  } finally {
    await client.close();
  }
}

async function userCommand(args: string[]): Promise<number> {
  const [action, name, ...flags] = args;
  const admin = flags.includes("--admin");
  const unknownFlags = flags.filter((f) => !(action === "add" && f === "--admin"));
  if (unknownFlags.length) return usage(`unknown option ${unknownFlags[0]}.`);
  if (action === "list") {
    return await withDatabase(async ({ db }) => {
      for (const user of await listUsers(db)) console.log(`${user.username}\t${user.role}`);
      return 0;
    });
  }
  if (!name || !["add", "passwd", "remove"].includes(action ?? "")) {
    return usage("use: user add NAME [--admin] | user passwd NAME | user list | user remove NAME");
  }
  return await withDatabase(async ({ db, media }) => {
    if (action === "remove") {
      await removeUserByName({ db, media }, name);
      console.log(`Removed ${name}.`);
      return 0;
    }
    const password = await readPassword();
    if (action === "add") {
      await createUser(db, name, password, admin ? "admin" : "user");
      console.log(`Added ${name}${admin ? " (admin)" : ""}.`);
    } else {
      await changePassword({ db }, name, password);
      console.log(`Changed the password of ${name}; their sessions have ended.`);
    }
    return 0;
  });
}

/** The first line of standard input; typed without echo when it is a terminal. */
async function readPassword(): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    const text = await new Response(Deno.stdin.readable).text();
    return text.split(/\r?\n/)[0];
  }
  Deno.stdout.writeSync(new TextEncoder().encode("Password: "));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buffer = new Uint8Array(1);
  try {
    while (await Deno.stdin.read(buffer)) {
      const byte = buffer[0];
      if (byte === 13 || byte === 10) break;
      if (byte === 3) throw new AppError(400, "cancelled", "Cancelled.");
      if (byte === 127 || byte === 8) bytes.pop();
      else bytes.push(byte);
    }
  } finally {
    Deno.stdin.setRaw(false);
    console.log();
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

async function serve(makeHandler: (runtime: Runtime) => { fetch: Handler }): Promise<number> {
  const config = loadConfig();
  const runtime = await openRuntime(config);
  await ensureFirstAdmin(runtime.db, config, (line) => console.log(line));
  const app = makeHandler(runtime);
  runtime.jobs.start();
  // Prices and retirements as the providers publish them: now (without delaying the start),
  // then daily.
  void runtime.providers.refresh();
  // A watchdog: if the loop's timer was ever lost, the next minute picks the work up again.
  if (typeof Deno.cron === "function") {
    Deno.cron("sora-studio poller watchdog", "* * * * *", () => runtime.jobs.kick());
    Deno.cron("sora-studio provider catalogs", "17 4 * * *", () => runtime.providers.refresh());
  }
  const shutdown = new AbortController();
  const server = Deno.serve({
    port: config.PORT,
    hostname: config.HOST,
    signal: shutdown.signal,
    onListen: ({ hostname, port }) => {
      const mode = config.simulate ? " in demo mode (every provider simulated)" : "";
      console.log(`Sora Studio ${VERSION} listening on http://${hostname}:${port}/${mode}`);
    },
  }, app.fetch);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => shutdown.abort());
  }
  shutdown.signal.addEventListener("abort", () => void runtime.close(), { once: true });
  await server.finished;
  await runtime.close();
  console.log("Stopped cleanly.");
  return 0;
}
