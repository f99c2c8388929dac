import { createUser, randomPassword } from "./auth.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";

/**
 * On a start with no users, creates the first admin: the configured one, or `admin` with a random
 * password that is printed once (it is stored only as a hash).
 */
export async function ensureFirstAdmin(
  db: Database,
  config: Config,
  say: (line: string) => void,
): Promise<void> {
  if (db.countUsers() > 0) return;
  const username = config.ADMIN_USERNAME ?? "admin";
  const password = config.ADMIN_PASSWORD ?? randomPassword();
  await createUser(db, username, password, "admin");
  if (config.ADMIN_PASSWORD) {
    say(`Created the admin user "${username}" from ADMIN_USERNAME/ADMIN_PASSWORD.`);
  } else {
    say(`Created the admin user "${username}" with password: ${password}`);
    say("This password is shown only once. Change it with: deno task cli user passwd " + username);
  }
}
