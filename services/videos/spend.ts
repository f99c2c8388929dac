import type { Database } from "../stores/database.ts";
import { AppError } from "../errors.ts";
import type { Catalog } from "../models/catalog.ts";

/** Where a model's name for people comes from: the one catalog (retired models included). */
export type ModelLabels = Pick<Catalog, "describe">;

/** The catalog's label for a model id; the id itself for one no catalog knows. */
function labelOf(labels: ModelLabels | undefined, model: string): string {
  return labels?.describe(model)?.label ?? model;
}

/** Budgets and spend. Spend is each video's estimated cost, fixed when it was made; failed ones
 * cost nothing. A budget counts videos still being made, so two quick creates cannot both slip
 * under it. */

const TEAM_BUDGET = "team_monthly_budget";

export function startOfMonth(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
}

const usd = (amount: number) => `$${amount.toFixed(2)}`;
const cents = (amount: number) => Math.round(amount * 100) / 100;

export async function teamBudget(db: Database): Promise<number | null> {
  const value = await db.setting(TEAM_BUDGET);
  return value === undefined ? null : Number(value);
}

export async function setTeamBudget(db: Database, amount: number | null): Promise<void> {
  await db.setSetting(TEAM_BUDGET, amount === null ? null : String(amount));
}

/**
 * Refuses (402, before anything is sent upstream) a video that would take the user or the team
 * past this month's budget, saying how much is left. Call inside the transaction that inserts it.
 */
export async function checkBudget(
  db: Database,
  userId: number,
  cost: number,
  now: number,
): Promise<void> {
  const since = startOfMonth(new Date(now));
  const limits: [string, number | null, number | null][] = [
    ["your", (await db.userById(userId))?.monthly_budget ?? null, userId],
    ["the team's", await teamBudget(db), null],
  ];
  for (const [whose, budget, scope] of limits) {
    if (budget === null) continue;
    const left = cents(Math.max(0, budget - await db.spentSince(scope, since)));
    if (cost > left + 1e-9) {
      throw new AppError(
        402,
        "budget_exceeded",
        `This video would cost ≈ ${usd(cost)}, but only ${usd(left)} of ${whose} monthly budget ` +
          `of ${usd(budget)} is left.`,
        { budget: `${usd(left)} left this month` },
      );
    }
  }
}

/** What a user has spent this month (videos being made count) and their own budget, if any. */
export interface OwnBudget {
  spent: number;
  budget: number | null;
}

/** The user's own budget and this month's spend, for the meter on the create panel. */
export async function ownBudget(db: Database, userId: number, now: number): Promise<OwnBudget> {
  const since = startOfMonth(new Date(now));
  return {
    spent: cents(await db.spentSince(userId, since)),
    budget: (await db.userById(userId))?.monthly_budget ?? null,
  };
}

export interface SpendReport {
  month: string;
  total: number;
  teamBudget: number | null;
  users: { id: number; username: string; budget: number | null; videos: number; usd: number }[];
  /** `label` is the catalog's name for the model, as the create form shows it. */
  models: { model: string; label: string; videos: number; usd: number }[];
}

/** This month's spend per user and per model, for the spend page, its CSV and the MCP tool. */
export async function spendReport(
  db: Database,
  now: number,
  options: { onlyUser?: number; labels?: ModelLabels } = {},
): Promise<SpendReport> {
  const { onlyUser, labels } = options;
  const since = startOfMonth(new Date(now));
  const rows = (await db.spendSince(since))
    .filter((r) => onlyUser === undefined || r.user_id === onlyUser);
  const users = (await db.listUsers())
    .filter((u) => onlyUser === undefined || u.id === onlyUser)
    .map((u) => {
      const mine = rows.filter((r) => r.user_id === u.id);
      return {
        id: u.id,
        username: u.username,
        budget: u.monthly_budget,
        videos: mine.reduce((n, r) => n + r.videos, 0),
        usd: cents(mine.reduce((n, r) => n + r.usd, 0)),
      };
    });
  const byModel = new Map<string, { videos: number; usd: number }>();
  for (const row of rows) {
    const entry = byModel.get(row.model) ?? { videos: 0, usd: 0 };
    entry.videos += row.videos;
    entry.usd += row.usd;
    byModel.set(row.model, entry);
  }
  return {
    month: new Date(since).toISOString().slice(0, 7),
    total: cents(rows.reduce((n, r) => n + r.usd, 0)),
    teamBudget: await teamBudget(db),
    users,
    models: [...byModel].map(([model, e]) => ({
      model,
      label: labelOf(labels, model),
      videos: e.videos,
      usd: cents(e.usd),
    })),
  };
}

/** The spend per user and model as CSV (RFC 4180), for a spreadsheet: model ids and labels. */
export async function spendCsv(db: Database, now: number, labels: ModelLabels): Promise<string> {
  const since = startOfMonth(new Date(now));
  const names = new Map((await db.listUsers()).map((u) => [u.id, u.username]));
  const quote = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  const lines = [["month", "user", "model", "model_label", "videos", "usd"].join(",")];
  const month = new Date(since).toISOString().slice(0, 7);
  for (const row of await db.spendSince(since)) {
    lines.push(
      [
        month,
        quote(names.get(row.user_id) ?? String(row.user_id)),
        quote(row.model),
        quote(labelOf(labels, row.model)),
        row.videos,
        row.usd.toFixed(2),
      ]
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
