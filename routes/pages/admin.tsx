import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { adminStatus } from "../../services/app/admin_status.ts";
import { AppError, notFound } from "../../services/errors.ts";
import { UpstreamHealth } from "../../services/providers/upstream_health.ts";
import { setTeamBudget, spendCsv, spendReport, teamBudget } from "../../services/videos/spend.ts";
import {
  addUser,
  removeUser,
  resetPassword,
  setDisabled,
  setUserBudget,
  userSummaries,
} from "../../services/auth/users.ts";
import { SpendPage } from "../../views/pages/spend.tsx";
import { ADMIN_NOTICES, type AdminNotice, AdminPage } from "../../views/pages/admin.tsx";
import { requireSession } from "../http/authenticate.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { validate } from "../http/validation.ts";

/** Admin pages exist only for admins: anyone else gets the same 404 as for a missing page. */
export const adminsOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.user.role !== "admin") throw notFound("Page");
  await next();
});

const idParam = validate("param", z.object({ id: z.coerce.number().int().positive() }));
const newUser = z.object({
  username: z.string().trim().max(64),
  password: z.string().max(1024),
  role: z.enum(["user", "admin"]).default("user"),
});
const newPassword = z.object({ password: z.string().max(1024) });
/** Empty means no budget; otherwise whole or decimal dollars. */
const budgetForm = z.object({
  budget: z.string().trim().max(20).transform((v, ctx) => {
    if (v === "") return null;
    const amount = Number(v);
    if (!Number.isFinite(amount) || amount < 0) {
      ctx.addIssue({
        code: "custom",
        message: "Give an amount in USD of 0 or more, or leave it empty.",
      });
      return z.NEVER;
    }
    return Math.round(amount * 100) / 100;
  }),
});
const noticeQuery = z.object({
  notice: z.enum(Object.keys(ADMIN_NOTICES) as [AdminNotice, ...AdminNotice[]]).optional()
    .catch(undefined),
});

export function adminRoutes(deps: AppDeps) {
  const health = deps.health ?? new UpstreamHealth();
  const { db, jobs, upstream } = deps.videos;
  const labels = deps.videos.providers.catalog;
  const done = (notice: AdminNotice) => `/admin?notice=${notice}`;

  const page = async (c: Context<AppEnv>, error?: AppError) => {
    const status = await adminStatus({
      db,
      jobs,
      upstream,
      health,
      providers: deps.videos.providers,
      budget: deps.budget,
      ffmpeg: deps.videos.facts.ffmpeg,
      simulated: deps.config.simulate,
      perMinute: deps.config.UPSTREAM_MAX_RPM,
      pollIntervalMs: deps.config.POLL_INTERVAL_MS,
    });
    const notice = noticeQuery.parse({ notice: c.req.query("notice") }).notice;
    return c.html(
      <AdminPage
        user={c.var.user}
        demo={deps.config.simulate}
        status={status}
        users={await userSummaries(db, deps.videos.now())}
        teamBudget={await teamBudget(db)}
        notice={error ? undefined : notice}
        error={error ? messageOf(error) : undefined}
      />,
      error?.status ?? 200,
    );
  };

  /** A refused admin action shows the page again with the reason, not a bare error page. */
  const act = async (c: Context<AppEnv>, work: () => Promise<AdminNotice>) => {
    try {
      return c.redirect(done(await work()), 303);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return page(c, error);
      throw error;
    }
  };

  return new Hono<AppEnv>()
    .use(requireSession(deps), adminsOnly)
    .get("/", (c) => page(c))
    .post("/users", validate("form", newUser), (c) =>
      act(c, async () => {
        const { username, password, role } = c.req.valid("form");
        await addUser(db, username, password, role);
        return "added";
      }))
    .post("/users/:id/password", idParam, validate("form", newPassword), (c) =>
      act(c, async () => {
        await resetPassword(deps.auth, c.req.valid("param").id, c.req.valid("form").password);
        return "password";
      }))
    .post("/users/:id/disable", idParam, (c) =>
      act(c, async () => {
        await setDisabled(deps.auth, c.var.user.id, c.req.valid("param").id, true);
        return "disabled";
      }))
    .post("/users/:id/enable", idParam, (c) =>
      act(c, async () => {
        await setDisabled(deps.auth, c.var.user.id, c.req.valid("param").id, false);
        return "enabled";
      }))
    .post("/users/:id/budget", idParam, validate("form", budgetForm), (c) =>
      act(c, async () => {
        await setUserBudget(db, c.req.valid("param").id, c.req.valid("form").budget);
        return "budget";
      }))
    .post("/budget", validate("form", budgetForm), (c) =>
      act(c, async () => {
        await setTeamBudget(db, c.req.valid("form").budget);
        return "budget";
      }))
    .get("/spend", async (c) =>
      c.html(
        <SpendPage
          user={c.var.user}
          demo={deps.config.simulate}
          report={await spendReport(db, deps.videos.now(), { labels })}
        />,
      ))
    .get("/spend.csv", async (c) => {
      c.header("Content-Disposition", `attachment; filename="sora-studio-spend.csv"`);
      return c.body(await spendCsv(db, deps.videos.now(), labels), 200, {
        "Content-Type": "text/csv; charset=utf-8",
      });
    })
    .post("/users/:id/delete", idParam, (c) =>
      act(c, async () => {
        await removeUser(deps.users, c.req.valid("param").id, c.var.user.id);
        return "removed";
      }));
}

function messageOf(error: AppError): string {
  const fields = error.fields ? Object.values(error.fields).join(" ") : "";
  return fields && fields !== error.message ? `${error.message} ${fields}` : error.message;
}
