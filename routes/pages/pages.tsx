import { type Context, Hono } from "hono";
import { z } from "zod";
import { changeOwnPassword, login, logout } from "../../services/auth/auth.ts";
import { AppError } from "../../services/errors.ts";
import type { Video } from "../../services/types.ts";
import {
  extendSchema,
  libraryQuerySchema,
  remixSchema,
} from "../../services/videos/video_input.ts";
import { videoSettings } from "../../services/videos/video_settings.ts";
import { ownBudget } from "../../services/videos/spend.ts";
import { BudgetMeter } from "../../views/components/BudgetMeter.tsx";
import { CreateForm } from "../../views/components/CreateForm.tsx";
import {
  continueVideo,
  createVideo,
  deleteVideo,
  editVideo,
  extendVideo,
  getVideo,
  listVideos,
  remixVideo,
  rerunVideo,
  videoDetail,
} from "../../services/videos/videos.ts";
import { cancelVideo } from "../../services/videos/cancel.ts";
import { shareVideo, unshareVideo } from "../../services/videos/sharing.ts";
import { ShareBox } from "../../views/components/ShareBox.tsx";
import { LibraryItems } from "../../views/components/LibraryItems.tsx";
import { UpstreamBanner } from "../../views/components/UpstreamBanner.tsx";
import { VideoCard, VideoCardOob } from "../../views/components/VideoCard.tsx";
import { AccountPasswordPage } from "../../views/pages/account_password.tsx";
import { DashboardPage } from "../../views/pages/dashboard.tsx";
import { LoginPage } from "../../views/pages/login.tsx";
import { VideoPage } from "../../views/pages/video.tsx";
import { requireSession } from "../http/authenticate.ts";
import { clientAddress } from "../http/client_address.ts";
import { safeNextPath } from "../http/next_path.ts";
import { videoDownloadRoutes } from "../http/downloads.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { type LiveRenderer, streamVideoChanges } from "../live.ts";
import {
  clearSessionCookie,
  readSessionCookie,
  writeSessionCookie,
} from "../http/session_cookie.ts";
import { validate } from "../http/validation.ts";
import { createBodyLimit, readCreateBody } from "../api/video_body.ts";
import { videoIdParam } from "../api/video_params.ts";

const loginForm = z.object({
  username: z.string().max(64).default(""),
  password: z.string().max(1024).default(""),
  // Where the person was going; anything but a path on this site becomes "/" (safeNextPath).
  next: z.string().max(2000).optional().catch(undefined),
});
const loginQuery = validate(
  "query",
  z.object({ next: z.string().max(2000).optional().catch(undefined) }),
);

const passwordForm = z.object({
  current_password: z.string().max(1024).default(""),
  new_password: z.string().max(1024).default(""),
  repeat_password: z.string().max(1024).default(""),
});

/** The pages' live message: the changed card, swapped in place by htmx. */
/** `?with=successor`: make a video of a retired model again with its successor. */
const rerunQuery = validate(
  "query",
  z.object({ with: z.enum(["successor"], { error: "Use with=successor." }).optional() }),
);

/** The library's query, and `from`: a video whose settings fill the create form. */
const dashboardQuery = validate(
  "query",
  // Any other text names no video of the user's: 404, as for an id in a path.
  libraryQuerySchema.extend({ from: z.string().max(100).optional() }),
);

const cardSwap: LiveRenderer = (video) => ({ data: String(<VideoCardOob video={video} />) });

/** A video made from another: its card for htmx, else its page (a plain form's POST-redirect). */
function newVideo(c: Context<AppEnv>, video: Video) {
  if (!c.req.header("hx-request")) return c.redirect(`/videos/${video.id}`, 303);
  return c.html(<VideoCard video={video} />, 201);
}

/** Where links to this server are opened from: PUBLIC_URL when set, else the request's origin. */
function origin(deps: AppDeps, c: Context<AppEnv>): string {
  return deps.config.PUBLIC_URL ?? new URL(c.req.url).origin;
}

/** The browser's pages: full documents, or fragments when htmx asks. Cookies, never tokens. */
export function pageRoutes(deps: AppDeps) {
  const s = deps.videos;
  const demo = deps.config.simulate;
  const session = requireSession(deps);
  const publicOrigin = (c: Context<AppEnv>) => origin(deps, c);
  /** The share box as it is now for htmx; a plain form shows the page again. */
  const shareBox = (c: Context<AppEnv>, video: Video) =>
    c.req.header("hx-request")
      ? c.html(<ShareBox video={video} origin={publicOrigin(c)} />)
      : c.redirect(`/videos/${video.id}`, 303);

  return new Hono<AppEnv>()
    .get(
      "/login",
      loginQuery,
      (c) => c.html(<LoginPage demo={demo} next={safeNextPath(c.req.valid("query").next)} />),
    )
    .post("/login", validate("form", loginForm), async (c) => {
      const form = c.req.valid("form");
      const { username, password } = form;
      const next = safeNextPath(form.next);
      try {
        const { token } = await login(deps.auth, username, password, "web", clientAddress(c));
        // A fresh token at every login: a session id planted before login is worth nothing.
        const previous = readSessionCookie(c);
        if (previous) await logout(deps.auth, previous);
        writeSessionCookie(c, token);
        return c.redirect(next, 303);
      } catch (error) {
        // Wrong password (401), account disabled (403), too many tries (429), too many passwords
        // being checked at once (503): say so on the form.
        if (!(error instanceof AppError) || ![401, 403, 429, 503].includes(error.status)) {
          throw error;
        }
        if (error.retryAfterSeconds) c.header("Retry-After", String(error.retryAfterSeconds));
        return c.html(
          <LoginPage demo={demo} error={error.message} username={username} next={next} />,
          error.status,
        );
      }
    })
    .post("/logout", async (c) => {
      const token = readSessionCookie(c);
      if (token) await logout(deps.auth, token);
      clearSessionCookie(c);
      return c.redirect("/login", 303);
    })
    .use("/account/*", session)
    .get("/account/password", (c) =>
      c.html(
        <AccountPasswordPage
          user={c.var.user}
          demo={demo}
          changed={c.req.query("changed") === "1"}
        />,
      ))
    .post("/account/password", validate("form", passwordForm), async (c) => {
      const form = c.req.valid("form");
      try {
        if (form.new_password !== form.repeat_password) {
          throw new AppError(400, "invalid_request", "The two new passwords differ.", {
            repeat_password: "Type the same new password twice.",
          });
        }
        await changeOwnPassword(
          deps.auth,
          { user: c.var.user, token: c.var.token, kind: "web" },
          form.current_password,
          form.new_password,
          clientAddress(c),
        );
        return c.redirect("/account/password?changed=1", 303);
      } catch (error) {
        // Weak or mismatched (400), wrong current password (403), too many tries (429), busy
        // (503): the form again, saying why.
        if (!(error instanceof AppError) || ![400, 403, 429, 503].includes(error.status)) {
          throw error;
        }
        if (error.retryAfterSeconds) c.header("Retry-After", String(error.retryAfterSeconds));
        return c.html(
          <AccountPasswordPage
            user={c.var.user}
            demo={demo}
            error={error.message}
            fields={error.fields}
          />,
          error.status,
        );
      }
    })
    .use("/", session)
    .use("/videos", session)
    .use("/videos/*", session)
    .use("/events", session)
    .use("/status/*", session)
    .get("/status/banner", async (c) => {
      const status = deps.health ? await deps.health.check(s.upstream) : { ok: true as const };
      return c.html(<UpstreamBanner status={status} admin={c.var.user.role === "admin"} />);
    })
    .use("/videos/:id", videoIdParam)
    .use("/videos/:id/*", videoIdParam)
    .get("/", dashboardQuery, async (c) => {
      const query = c.req.valid("query");
      const settings = query.from ? await videoSettings(s, c.var.user.id, query.from) : undefined;
      // "Use these settings" from a card swaps in the filled form alone.
      if (settings && c.req.header("hx-target") === "form#create-form") {
        return c.html(<CreateForm models={s.providers.models} settings={settings} />);
      }
      const page = await listVideos(s, c.var.user.id, query);
      return c.html(
        <DashboardPage
          user={c.var.user}
          demo={demo}
          models={s.providers.models}
          settings={settings}
          budget={await ownBudget(s.db, c.var.user.id, s.now())}
          videos={page.data}
          nextCursor={page.next_cursor}
          filters={{ q: query.q, status: query.status, model: query.model }}
        />,
      );
    })
    .get("/videos", validate("query", libraryQuerySchema), async (c) => {
      const query = c.req.valid("query");
      if (!c.req.header("hx-request")) {
        return c.redirect(`/?${new URL(c.req.url).searchParams}`, 303);
      }
      const page = await listVideos(s, c.var.user.id, query);
      return c.html(
        <LibraryItems
          videos={page.data}
          nextCursor={page.next_cursor}
          filters={{ q: query.q, status: query.status, model: query.model }}
        />,
      );
    })
    .post("/videos", createBodyLimit, async (c) => {
      const { fields, reference } = await readCreateBody(c);
      const video = await createVideo(s, c.var.user.id, fields, reference);
      if (!c.req.header("hx-request")) return c.redirect("/", 303);
      const budget = await ownBudget(s.db, c.var.user.id, s.now());
      return c.html(
        <>
          <VideoCard video={video} />
          <BudgetMeter budget={budget} oob />
        </>,
        201,
      );
    })
    .get("/videos/:id", async (c) => {
      const detail = await videoDetail(s, c.var.user.id, c.req.param("id"));
      return c.html(
        <VideoPage user={c.var.user} demo={demo} origin={publicOrigin(c)} {...detail} />,
      );
    })
    .post("/videos/:id/share", async (c) => {
      const { id } = c.req.param();
      await shareVideo(s, c.var.user.id, id);
      return shareBox(c, await getVideo(s, c.var.user.id, id));
    })
    .post("/videos/:id/share/revoke", async (c) => {
      return shareBox(c, await unshareVideo(s, c.var.user, c.req.param("id")));
    })
    .route("/videos", videoDownloadRoutes(s))
    .post("/videos/:id/remix", validate("form", remixSchema), async (c) => {
      const { prompt } = c.req.valid("form");
      return newVideo(c, await remixVideo(s, c.var.user.id, c.req.param("id"), prompt));
    })
    .post("/videos/:id/extend", validate("form", extendSchema), async (c) => {
      const request = c.req.valid("form");
      return newVideo(c, await extendVideo(s, c.var.user.id, c.req.param("id"), request));
    })
    .post("/videos/:id/edit", validate("form", remixSchema), async (c) => {
      const { prompt } = c.req.valid("form");
      return newVideo(c, await editVideo(s, c.var.user.id, c.req.param("id"), prompt));
    })
    .post("/videos/:id/continue", validate("form", remixSchema), async (c) => {
      const { prompt } = c.req.valid("form");
      return newVideo(c, await continueVideo(s, c.var.user.id, c.req.param("id"), prompt));
    })
    .post("/videos/:id/cancel", async (c) => {
      const video = await cancelVideo(s, c.var.user, c.req.param("id"));
      // htmx swaps the card in place; a plain form (the detail page) shows the page again.
      if (!c.req.header("hx-request")) return c.redirect(`/videos/${video.id}`, 303);
      return c.html(<VideoCard video={video} />);
    })
    .post("/videos/:id/rerun", rerunQuery, async (c) => {
      const successor = c.req.valid("query").with === "successor";
      return newVideo(c, await rerunVideo(s, c.var.user.id, c.req.param("id"), successor));
    })
    .delete("/videos/:id", async (c) => {
      await deleteVideo(s, c.var.user.id, c.req.param("id"));
      return c.body("", 200);
    })
    .post("/videos/:id/delete", async (c) => {
      await deleteVideo(s, c.var.user.id, c.req.param("id"));
      return c.redirect("/", 303);
    })
    .get("/events", (c) => streamVideoChanges(c, deps, cardSwap));
}
