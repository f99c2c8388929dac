import { changePassword, createUser, findUser, type SessionStore } from "./auth.ts";
import type { Database } from "../stores/database.ts";
import type { MediaStore } from "../stores/media/media_store.ts";
import { AppError, notFound } from "../errors.ts";
import { spendReport } from "../videos/spend.ts";
import type { Role, User } from "../types.ts";

/** What managing users needs: the database, the media store, and the streams to close. */
export interface UsersContext extends SessionStore {
  media: MediaStore;
}

/** What the admin page shows for each user. */
export interface UserSummary extends User {
  disabled: boolean;
  videos: number;
  /** Estimated USD of this calendar month's videos (failed ones cost nothing). */
  spendThisMonth: number;
  /** Monthly budget in USD, or null for none. */
  budget: number | null;
}

export async function userSummaries(db: Database, now: number): Promise<UserSummary[]> {
  const counts = new Map((await db.videoCounts()).map((row) => [row.user_id, row.videos]));
  const spend = new Map((await spendReport(db, now)).users.map((u) => [u.id, u]));
  return (await db.listUsers()).map((row) => ({
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled === 1,
    videos: counts.get(row.id) ?? 0,
    spendThisMonth: spend.get(row.id)?.usd ?? 0,
    budget: row.monthly_budget,
  }));
}

async function userById(db: Database, id: number) {
  const row = await db.userById(id);
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

export async function resetPassword(ctx: SessionStore, id: number, password: string) {
  await changePassword(ctx, (await userById(ctx.db, id)).username, password);
}

/** A disabled user's sessions (and live streams) end at once; no login succeeds until re-enabled. */
export async function setDisabled(
  ctx: SessionStore,
  actingUserId: number,
  id: number,
  disabled: boolean,
): Promise<void> {
  const row = await userById(ctx.db, id);
  if (disabled) notSelf(actingUserId, id, "disable");
  await ctx.db.transaction(async (tx) => {
    await tx.setUserDisabled(row.id, disabled);
    if (disabled) await tx.deleteSessionsOfUser(row.id);
  });
  if (disabled) await ctx.streams?.sessionsEnded(row.id);
}

/** A monthly budget in USD for one user, or null for none. */
export async function setUserBudget(db: Database, id: number, usd: number | null) {
  await db.setUserBudget((await userById(db, id)).id, usd);
}

/** Removes the user, their videos and their files. */
export async function removeUser(ctx: UsersContext, id: number, actingUserId?: number) {
  const row = await userById(ctx.db, id);
  if (actingUserId !== undefined) notSelf(actingUserId, id, "remove");
  const videos = await ctx.db.mediaOfUser(row.id);
  await ctx.db.deleteUser(row.id);
  await ctx.streams?.sessionsEnded(row.id);
  for (const video of videos) {
    await ctx.media.deletePrefix(`media/${video.id}`);
    if (video.reference_key) await ctx.media.delete(video.reference_key);
  }
}

export async function removeUserByName(ctx: UsersContext, username: string) {
  await removeUser(ctx, (await findUser(ctx.db, username)).id);
}
