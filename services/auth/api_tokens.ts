import type { ApiTokenRow } from "../stores/database.ts";
import { AppError, invalid, notFound } from "../errors.ts";
import { type AuthContext, type SessionStore, startNamedSession } from "./auth.ts";

/**
 * API tokens a person makes and ends themselves, so a script or an MCP client never needs their
 * password. A token is shown once, when made; afterwards only its public id, name and dates are.
 */

/** Past this many live tokens a new one is refused: revoking old ones is the way on. */
export const MAX_API_TOKENS = 100;
/** The list shows at most this many (newest first). */
const LIST_LIMIT = MAX_API_TOKENS + 50;
export const MAX_TOKEN_NAME = 60;

/** An API token as its owner sees it; ISO dates; never the token or its hash. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();

function toInfo(row: ApiTokenRow): ApiTokenInfo {
  return {
    id: row.id,
    // Tokens from before tokens had names came from a login.
    name: row.name ?? "API login",
    created_at: iso(row.created_at),
    last_used_at: row.last_used_at === null ? null : iso(row.last_used_at),
    expires_at: iso(row.expires_at),
  };
}

/** Trimmed; 1–60 characters, no control characters (it is shown back in lists). */
export function tokenNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return "Give the token a name, such as the script or client that will use it.";
  if (trimmed.length > MAX_TOKEN_NAME) return `Use at most ${MAX_TOKEN_NAME} characters.`;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return "Use a name without control characters.";
  return null;
}

export async function listApiTokens(ctx: AuthContext, userId: number): Promise<ApiTokenInfo[]> {
  const now = (ctx.now ?? Date.now)();
  return (await ctx.db.apiTokensOfUser(userId, now, LIST_LIMIT)).map(toInfo);
}

/** A new token for the user: the only time the token itself is ever answered. */
export async function createApiToken(
  ctx: AuthContext,
  userId: number,
  name: string,
): Promise<ApiTokenInfo & { token: string }> {
  const problem = tokenNameProblem(name);
  if (problem) throw invalid({ name: problem }, problem);
  const now = (ctx.now ?? Date.now)();
  if (await ctx.db.countApiTokens(userId, now) >= MAX_API_TOKENS) {
    throw new AppError(
      409,
      "too_many_tokens",
      `You have ${MAX_API_TOKENS} API tokens already; revoke some you no longer use first.`,
    );
  }
  const made = await startNamedSession(ctx, userId, "api", name.trim());
  return {
    token: made.token,
    id: made.id,
    name: name.trim(),
    created_at: iso(made.createdAt),
    last_used_at: null,
    expires_at: iso(made.expiresAt),
  };
}

/**
 * Ends one of the user's tokens; another user's id is answered as unknown (404), the same as one
 * that never existed. Their live streams re-check at once, so one opened with it closes.
 */
export async function revokeApiToken(ctx: SessionStore, userId: number, id: string) {
  if (!await ctx.db.deleteApiToken(userId, id)) throw notFound("Token");
  await ctx.streams?.sessionsEnded(userId);
}
