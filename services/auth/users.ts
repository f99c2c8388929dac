import { changePassword, createUser, findUser } from "./auth.ts";
import type { Database } from "../stores/db.ts";
import { AppError, notFound } from "../errors.ts";
import { removeQuietly, videoDir } from "../stores/media/files.ts";
import { spendReport } from "../videos/spend.ts";
import type { Role, User } from "../types.ts";

/** What the admin page shows for each user. */
export interface UserSummary extends User {
  disabled: boolean;
  videos: number;
  /** Estimated USD of this calendar month's videos (failed ones cost nothing). */
  spendThisMonth: number;
  /** Monthly budget in USD, or null for none. */
  budget: number | null;
}

export function userSummaries(db: Database, now = Date.now()): UserSummary[] {
  const counts = new Map(db.videoCounts().map((row) => [row.user_id, row.videos]));
  const spend = new Map(spendReport(db, now).users.map((u) => [u.id, u]));
  return db.listUsers().map((row) => ({
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled === 1,
    videos: counts.get(row.id) ?? 0,
    spendThisMonth: spend.get(row.id)?.usd ?? 0,
    budget: row.monthly_budget,
  }));
}

function userById(db: Database, id: number) {
  const row = db.userById(id);
  if (!row) throw notFound("User");
  return row;
}

/** Admins cannot lock themselves out: the last way back in would be the CLI. */
function notSelf(actingUserId: number, id: number, what: string): void {
  if (actingUserId === id) {
    throw new AppError(409, "conflict", `You cannot ${what} your own account.`);
  }
}

export function addUser(db: Database, username: string, password: string, role: Role) {
  return createUser(db, username, password, role);
}

export async function resetPassword(db: Database, id: number, password: string): Promise<void> {
  await changePassword(db, userById(db, id).username, password);
}

/** A disabled user's sessions end at once and no login succeeds until re-enabled. */
export function setDisabled(db: Database, actingUserId: number, id: number, disabled: boolean) {
  const row = userById(db, id);
  if (disabled) notSelf(actingUserId, id, "disable");
  db.transaction(() => {
    db.setUserDisabled(row.id, disabled);
    if (disabled) db.deleteSessionsOfUser(row.id);
  });
}

/** A monthly budget in USD for one user, or null for none. */
export function setUserBudget(db: Database, id: number, usd: number | null): void {
  db.setUserBudget(userById(db, id).id, usd);
}

/** Removes the user, their videos and their files. */
export async function removeUser(db: Database, dataDir: string, id: number, actingUserId?: number) {
  const row = userById(db, id);
  if (actingUserId !== undefined) notSelf(actingUserId, id, "remove");
  const videoIds = db.videoIdsOfUser(row.id);
  db.deleteUser(row.id);
  for (const videoId of videoIds) await removeQuietly(videoDir(dataDir, videoId));
}

export async function removeUserByName(db: Database, dataDir: string, username: string) {
  await removeUser(db, dataDir, findUser(db, username).id);
}
