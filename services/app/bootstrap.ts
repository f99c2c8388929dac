import { createUser, randomPassword } from "../auth/auth.ts";
import { type Config, ConfigError } from "./config.ts";
import type { Database } from "../stores/database.ts";
import { passwordProblem } from "../auth/password_policy.ts";

/**
 * On a start with no users, creates the first admin: the configured one, or `admin` with a random
 * password that is printed once (it is stored only as a hash). A weak ADMIN_PASSWORD stops the
 * start with one line; it is judged only when it would be used, so a variable left over from the
 * first start never blocks a later one.
 */
export async function ensureFirstAdmin(
  db: Database,
  config: Config,
  say: (line: string) => void,
): Promise<void> {
  if (await db.countUsers() > 0) return;
  const username = config.ADMIN_USERNAME ?? "admin";
  if (config.ADMIN_PASSWORD) {
    const problem = passwordProblem(config.ADMIN_PASSWORD, username);
    if (problem) throw new ConfigError(`ADMIN_PASSWORD is too weak: ${problem}`);
  }
  const password = config.ADMIN_PASSWORD ?? randomPassword(username);
  try {
    await createUser(db, username, password, "admin");
  } catch (error) {
    // Another instance starting at the same moment made the first admin: nothing to do here.
    if (await db.countUsers() > 0) return;
    throw error;
  }
  if (config.ADMIN_PASSWORD) {
    say(`Created the admin user "${username}" from ADMIN_USERNAME/ADMIN_PASSWORD.`);
  } else {
    say(`Created the admin user "${username}" with password: ${password}`);
    say("This password is shown only once. Change it with: deno task cli user passwd " + username);
  }
}
