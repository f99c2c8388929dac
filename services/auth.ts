import { createHmac, randomBytes } from "node:crypto";
import type { Database, UserRow } from "./db.ts";
import { AppError, invalid, notFound, unauthorized } from "./errors.ts";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { LoginThrottle } from "./login_throttle.ts";
import type { Role, User } from "./types.ts";

export type SessionKind = "web" | "api";

const LIFETIME_MS: Record<SessionKind, number> = {
  web: 30 * 24 * 3600_000,
  api: 90 * 24 * 3600_000,
};

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;

/** Everything the auth functions need: the database and the secret that keys token hashes. */
export interface AuthContext {
  db: Database;
  secret: string;
  now?: () => number;
  throttle?: LoginThrottle;
}

export function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, role: row.role };
}

/**
 * Tokens are random; the database keeps only their HMAC under the session secret, so a copy of the
 * database alone lets nobody in.
 */
function tokenHash(ctx: AuthContext, token: string): string {
  return createHmac("sha256", ctx.secret).update(token).digest("base64url");
}

/**
 * Checks a password; unknown users and wrong passwords take the same time and get the same answer.
 * Repeated failures for one account or from one address are refused for a while (429).
 */
export async function login(
  ctx: AuthContext,
  username: string,
  password: string,
  kind: SessionKind,
  address = "unknown",
): Promise<{ token: string; user: User }> {
  const wait = ctx.throttle?.retryAfterSeconds(username, address) ?? 0;
  if (wait > 0) {
    throw new AppError(
      429,
      "rate_limited",
      `Too many failed logins. Try again in ${Math.ceil(wait / 60)} minute(s).`,
      undefined,
      wait,
    );
  }
  const row = ctx.db.userByName(username);
  const ok = await verifyPassword(password, row?.password_hash ?? await dummyHash());
  if (!row || !ok) {
    ctx.throttle?.recordFailure(username, address);
    throw unauthorized("Wrong username or password.");
  }
  ctx.throttle?.recordSuccess(username);
  if (row.disabled) {
    throw new AppError(403, "account_disabled", "This account is disabled. Ask an admin.");
  }
  return { token: startSession(ctx, row.id, kind), user: toUser(row) };
}

export function startSession(ctx: AuthContext, userId: number, kind: SessionKind): string {
  const now = (ctx.now ?? Date.now)();
  const token = randomBytes(32).toString("base64url");
  ctx.db.insertSession(tokenHash(ctx, token), userId, kind, now, now + LIFETIME_MS[kind]);
  return token;
}

export function userForToken(ctx: AuthContext, token: string, kind: SessionKind): User | null {
  if (!token || token.length > 200) return null;
  const row = ctx.db.userBySession(tokenHash(ctx, token), kind, (ctx.now ?? Date.now)());
  return row ? toUser(row) : null;
}

export function logout(ctx: AuthContext, token: string): void {
  ctx.db.deleteSession(tokenHash(ctx, token));
}

/** Ends every session and token of the user: for a lost laptop or a leaked token. */
export function logoutEverywhere(ctx: AuthContext, userId: number): void {
  ctx.db.deleteSessionsOfUser(userId);
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw invalid({
      username: "Use 1–32 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    });
  }
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw invalid({ password: `Use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.` });
  }
}

export async function createUser(
  db: Database,
  username: string,
  password: string,
  role: Role,
): Promise<User> {
  checkUsername(username);
  checkPassword(password);
  if (db.userByName(username)) {
    throw new AppError(409, "user_exists", `A user named ${username} already exists.`);
  }
  const id = db.insertUser(username, await hashPassword(password), role, Date.now());
  return { id, username, role };
}

export async function changePassword(db: Database, username: string, password: string) {
  const row = db.userByName(username);
  if (!row) throw notFound("User");
  checkPassword(password);
  const hash = await hashPassword(password);
  // A new password ends every session the old one opened.
  db.transaction(() => {
    db.setPasswordHash(row.id, hash);
    db.deleteSessionsOfUser(row.id);
  });
}

export function listUsers(db: Database): User[] {
  return db.listUsers().map(toUser);
}

export function findUser(db: Database, username: string): User {
  const row = db.userByName(username);
  if (!row) throw notFound("User");
  return toUser(row);
}

/** Generates the random password printed once for the first admin. */
export function randomPassword(): string {
  return randomBytes(15).toString("base64url");
}
