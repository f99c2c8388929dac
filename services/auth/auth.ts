import { createHmac, randomBytes } from "node:crypto";
import type { Database, UserRow } from "../stores/database.ts";
import { AppError, invalid, notFound, unauthorized } from "../errors.ts";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { LoginAttempts } from "./login_throttle.ts";
import { checkPassword, passwordProblem } from "./password_policy.ts";
import type { Role, User } from "../types.ts";

export type SessionKind = "web" | "api";

const LIFETIME_MS: Record<SessionKind, number> = {
  web: 30 * 24 * 3600_000,
  api: 90 * 24 * 3600_000,
};

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** A token's last use is written at most this often, so checking a token stays a read. */
const LAST_USE_PRECISION_MS = 60_000;

/** What ending a user's sessions needs: the database, and the live streams to close at once. */
export interface SessionStore {
  db: Database;
  /** Wakes the user's open live streams in this process to re-check their session now. */
  streams?: { sessionsEnded(userId: number): Promise<void> };
}

/** Everything the auth functions need: the database and the secret that keys token hashes. */
export interface AuthContext extends SessionStore {
  secret: string;
  now?: () => number;
  throttle?: LoginAttempts;
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
 * The attempt is counted by the throttle before the password is checked, so a burst sent at once
 * cannot slip more guesses in than one sent in turn; past the limits it is refused (429).
 */
export async function login(
  ctx: AuthContext,
  username: string,
  password: string,
  kind: SessionKind,
  address = "unknown",
): Promise<{ token: string; user: User }> {
  const row = await checkedUser(ctx, username, password, address);
  if (!row) throw unauthorized("Wrong username or password.");
  if (row.disabled) {
    throw new AppError(403, "account_disabled", "This account is disabled. Ask an admin.");
  }
  // An API token from a login is named after where it came from, so its owner can tell it apart
  // on the tokens page (a web session is not listed there).
  const name = kind === "api"
    ? (address === "unknown" ? "API login" : `API login from ${address}`)
    : null;
  return { token: await startSession(ctx, row.id, kind, name), user: toUser(row) };
}

/**
 * The user when the password is theirs, else null; either way the throttle has been told. Throws
 * 429 (too many attempts) or 503 (too many passwords being checked at once) with Retry-After.
 */
async function checkedUser(
  ctx: AuthContext,
  username: string,
  password: string,
  address: string,
): Promise<UserRow | null> {
  const wait = await ctx.throttle?.reserve(username, address) ?? 0;
  if (wait > 0) throw tooManyAttempts(wait);
  let ok: boolean;
  const row = await ctx.db.userByName(username);
  try {
    ok = await verifyPassword(password, row?.password_hash ?? await dummyHash());
  } catch (error) {
    await ctx.throttle?.cancelled(username, address);
    throw error;
  }
  if (!row || !ok) return null;
  await ctx.throttle?.succeeded(username, address);
  return row;
}

function tooManyAttempts(seconds: number): AppError {
  const wait = seconds < 90 ? `${seconds} second(s)` : `${Math.ceil(seconds / 60)} minute(s)`;
  return new AppError(
    429,
    "rate_limited",
    `Too many failed logins. Try again in ${wait}.`,
    undefined,
    seconds,
  );
}

export async function startSession(
  ctx: AuthContext,
  userId: number,
  kind: SessionKind,
  name: string | null = null,
): Promise<string> {
  return (await startNamedSession(ctx, userId, kind, name)).token;
}

/**
 * A new session or token, with the public id its owner names it by: random, unrelated to the
 * token, so listing or revoking by id reveals nothing about the token.
 */
export async function startNamedSession(
  ctx: AuthContext,
  userId: number,
  kind: SessionKind,
  name: string | null,
): Promise<{ token: string; id: string; createdAt: number; expiresAt: number }> {
  const now = (ctx.now ?? Date.now)();
  const token = randomBytes(32).toString("base64url");
  const id = randomBytes(12).toString("base64url");
  const expiresAt = now + LIFETIME_MS[kind];
  await ctx.db.insertSession(tokenHash(ctx, token), userId, kind, now, expiresAt, { id, name });
  return { token, id, createdAt: now, expiresAt };
}

export async function userForToken(
  ctx: AuthContext,
  token: string,
  kind: SessionKind,
): Promise<User | null> {
  if (!token || token.length > 200) return null;
  const now = (ctx.now ?? Date.now)();
  const hash = tokenHash(ctx, token);
  const row = await ctx.db.userBySession(hash, kind, now);
  if (!row) return null;
  const lastUsed = row.session_last_used_at === null ? null : Number(row.session_last_used_at);
  if (lastUsed === null || now - lastUsed >= LAST_USE_PRECISION_MS) {
    await ctx.db.noteSessionUsed(hash, now);
  }
  return toUser(row);
}

export async function logout(ctx: AuthContext, token: string): Promise<void> {
  const hash = tokenHash(ctx, token);
  const userId = await ctx.db.userIdOfSession(hash);
  await ctx.db.deleteSession(hash);
  if (userId !== undefined) await ctx.streams?.sessionsEnded(userId);
}

/** Ends every session and token of the user: for a lost laptop or a leaked token. */
export async function logoutEverywhere(ctx: SessionStore, userId: number): Promise<void> {
  await ctx.db.deleteSessionsOfUser(userId);
  await ctx.streams?.sessionsEnded(userId);
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw invalid({
      username: "Use 1–32 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    });
  }
}

export async function createUser(
  db: Database,
  username: string,
  password: string,
  role: Role,
  now: () => number = Date.now,
): Promise<User> {
  checkUsername(username);
  checkPassword(password, username);
  if (await db.userByName(username)) {
    throw new AppError(409, "user_exists", `A user named ${username} already exists.`);
  }
  const id = await db.insertUser(username, await hashPassword(password), role, now());
  return { id, username, role };
}

/** Sets a user's password (admin reset, CLI): every session the old one opened ends. */
export async function changePassword(ctx: SessionStore, username: string, password: string) {
  const row = await ctx.db.userByName(username);
  if (!row) throw notFound("User");
  checkPassword(password, row.username);
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (tx) => {
    await tx.setPasswordHash(row.id, hash);
    await tx.deleteSessionsOfUser(row.id);
  });
  await ctx.streams?.sessionsEnded(row.id);
}

/**
 * A user changes their own password, proving it with the current one (a wrong one is a failed
 * login attempt for the throttle, answered 403). Their other sessions and tokens end; the one
 * making the change stays valid, so nobody is logged out of the tab they are using.
 */
export async function changeOwnPassword(
  ctx: AuthContext,
  session: { user: User; token: string; kind: SessionKind },
  currentPassword: string,
  newPassword: string,
  address = "unknown",
): Promise<void> {
  const { user } = session;
  const problem = passwordProblem(newPassword, user.username);
  if (problem) throw invalid({ new_password: problem }, "The new password is too weak.");
  const row = await checkedUser(ctx, user.username, currentPassword, address);
  if (!row || row.id !== user.id) {
    throw new AppError(403, "wrong_password", "The current password is wrong.");
  }
  const hash = await hashPassword(newPassword);
  const now = (ctx.now ?? Date.now)();
  const kept = tokenHash(ctx, session.token);
  await ctx.db.transaction(async (tx) => {
    await tx.setPasswordHash(row.id, hash);
    // Keep the session in use (same token, id and name, so the client notices nothing); its
    // lifetime starts again, as after a login: the current password was just proven.
    await tx.deleteOtherSessions(row.id, kept, now + LIFETIME_MS[session.kind]);
  });
  await ctx.streams?.sessionsEnded(row.id);
}

export async function listUsers(db: Database): Promise<User[]> {
  return (await db.listUsers()).map(toUser);
}

export async function findUser(db: Database, username: string): Promise<User> {
  const row = await db.userByName(username);
  if (!row) throw notFound("User");
  return toUser(row);
}

/** Generates the random password printed once for the first admin; it passes the policy. */
export function randomPassword(username = ""): string {
  for (;;) {
    const password = randomBytes(15).toString("base64url");
    if (!passwordProblem(password, username)) return password;
  }
}
