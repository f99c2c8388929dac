import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { login, logout } from "../services/auth.ts";
import { AppError, invalid } from "../services/errors.ts";
import { MODELS } from "../services/models.ts";
import type { ModelInfo, Video } from "../services/types.ts";
import {
  createVideoSchema,
  fieldErrors,
  libraryQuerySchema,
  remixSchema,
} from "../services/video_input.ts";
import { encodeCursor } from "../services/video_view.ts";
import {
  contentFile,
  createVideo,
  deleteVideo,
  getVideo,
  listVideos,
  remixVideo,
  videoDetail,
  type VideoPage as LibraryPage,
  type VideoServices,
} from "../services/videos.ts";
import { LibraryItems } from "../views/components/LibraryItems.tsx";
import { VideoCard, VideoCardOob } from "../views/components/VideoCard.tsx";
import { DashboardPage } from "../views/pages/dashboard.tsx";
import { LoginPage } from "../views/pages/login.tsx";
import { VideoPage } from "../views/pages/video.tsx";
import { requireSession } from "./authenticate.ts";
import { clientAddress } from "./client_address.ts";
import { serveFile } from "./content.ts";
import { type AppDeps, type AppEnv, SESSION_COOKIE } from "./env.ts";
import { streamVideoChanges } from "./live.ts";
import { validate } from "./validation.ts";
import { createBodyLimit, readCreateBody } from "./video_body.ts";
import { contentQuery, videoIdParam } from "./video_params.ts";

const loginForm = z.object({
  username: z.string().max(64).default(""),
  password: z.string().max(1024).default(""),
});

/** The library query of the pages: the API's, plus a model filter ("" means all models). */
const pageLibraryQuery = libraryQuerySchema.extend({
  model: z.preprocess(
    (v) => v === "" ? undefined : v,
    z.enum(MODELS.map((m) => m.id) as [string, ...string[]], {
      error: `Use one of ${MODELS.map((m) => m.id).join(", ")}.`,
    }).optional(),
  ),
});
type PageLibraryQuery = z.infer<typeof pageLibraryQuery>;

/** Rows read per step while filtering by model, which the service's query does not know. */
const MODEL_SCAN_PAGE = 100;

/**
 * One page of the library. A model filter walks the (indexed, cursor-paged) library in large
 * steps and keeps that model's videos, ending as soon as one more than a page is found; its
 * cursor points after the last video shown, exactly like the service's own.
 */
function libraryPage(s: VideoServices, userId: number, query: PageLibraryQuery): LibraryPage {
  const { model, ...rest } = query;
  if (!model) return listVideos(s, userId, rest);
  const found: Video[] = [];
  let cursor = rest.cursor;
  while (found.length <= rest.limit) {
    const step = listVideos(s, userId, { ...rest, limit: MODEL_SCAN_PAGE, cursor });
    found.push(...step.data.filter((v) => v.model === model));
    if (!step.next_cursor) break;
    cursor = step.next_cursor;
  }
  const data = found.slice(0, rest.limit);
  const last = data.at(-1);
  return {
    data,
    next_cursor: found.length > rest.limit && last
      ? encodeCursor({ created_at: Date.parse(last.created_at), id: last.id })
      : null,
  };
}

/** The models this server offers (its configured providers'), else the whole catalogue. */
function offeredModels(s: VideoServices): readonly ModelInfo[] {
  const providers = (s as { providers?: { models?: readonly ModelInfo[] } }).providers;
  return providers?.models ?? MODELS;
}

/** The browser's pages: full documents, or fragments when htmx asks. Cookies, never tokens. */
export function pageRoutes(deps: AppDeps) {
  const s = deps.videos;
  const demo = deps.config.simulate;
  const session = requireSession(deps);
  // Behind a TLS-terminating proxy the app sees plain HTTP; the proxy's header tells the truth.
  // Trusting it is safe here: a forged "https" only makes the client's own cookie stricter.
  const secureCookie = (url: string, forwardedProto?: string) =>
    new URL(url).protocol === "https:" || forwardedProto?.split(",")[0].trim() === "https";

  return new Hono<AppEnv>()
    .get("/login", (c) => c.html(<LoginPage demo={demo} />))
    .post("/login", validate("form", loginForm), async (c) => {
      const { username, password } = c.req.valid("form");
      try {
        const { token } = await login(deps.auth, username, password, "web", clientAddress(c));
        // A fresh token at every login: a session id planted before login is worth nothing.
        const previous = getCookie(c, SESSION_COOKIE);
        if (previous) logout(deps.auth, previous);
        setCookie(c, SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: "Lax",
          secure: secureCookie(c.req.url, c.req.header("x-forwarded-proto")),
          path: "/",
          maxAge: 30 * 24 * 3600,
        });
        return c.redirect("/", 303);
      } catch (error) {
        if (!(error instanceof AppError) || (error.status !== 401 && error.status !== 429)) {
          throw error;
        }
        if (error.retryAfterSeconds) c.header("Retry-After", String(error.retryAfterSeconds));
        return c.html(
          <LoginPage demo={demo} error={error.message} username={username} />,
          error.status,
        );
      }
    })
    .post("/logout", (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) logout(deps.auth, token);
      deleteCookie(c, SESSION_COOKIE, { path: "/" });
      return c.redirect("/login", 303);
    })
    .use("/", session)
    .use("/videos", session)
    .use("/videos/*", session)
    .use("/events", session)
    .use("/videos/:id", videoIdParam)
    .use("/videos/:id/*", videoIdParam)
    .get("/", validate("query", pageLibraryQuery), (c) => {
      const query = c.req.valid("query");
      const page = libraryPage(s, c.var.user.id, query);
      return c.html(
        <DashboardPage
          user={c.var.user}
          demo={demo}
          models={offeredModels(s)}
          videos={page.data}
          nextCursor={page.next_cursor}
          filters={{ q: query.q, status: query.status, model: query.model }}
        />,
      );
    })
    .get("/videos", validate("query", pageLibraryQuery), (c) => {
      const query = c.req.valid("query");
      if (!c.req.header("hx-request")) {
        return c.redirect(`/?${new URL(c.req.url).searchParams}`, 303);
      }
      const page = libraryPage(s, c.var.user.id, query);
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
      return c.html(<VideoCard video={video} />, 201);
    })
    .get("/videos/:id", (c) => {
      const detail = videoDetail(s, c.var.user.id, c.req.param("id"));
      return c.html(<VideoPage user={c.var.user} demo={demo} {...detail} />);
    })
    .get("/videos/:id/content", contentQuery, async (c) => {
      const { variant, download } = c.req.valid("query");
      const file = await contentFile(s, c.var.user.id, c.req.param("id"), variant);
      return serveFile(c, file, download === "1");
    })
    .post("/videos/:id/remix", validate("form", remixSchema), async (c) => {
      const video = await remixVideo(
        s,
        c.var.user.id,
        c.req.param("id"),
        c.req.valid("form").prompt,
      );
      if (!c.req.header("hx-request")) return c.redirect(`/videos/${video.id}`, 303);
      return c.html(<VideoCard video={video} />, 201);
    })
    // Re-run: a new video with the same prompt, model, size, length and negative prompt (not the
    // reference image: it is not kept once it has been sent).
    .post("/videos/:id/rerun", async (c) => {
      const source = getVideo(s, c.var.user.id, c.req.param("id"));
      // The negative prompt is stored with the job but is not part of the public video object.
      const row = s.db.videoOfUser(source.id, c.var.user.id) as
        | { negative_prompt?: string | null }
        | undefined;
      const parsed = createVideoSchema.safeParse({
        prompt: source.prompt,
        model: source.model,
        size: source.size,
        seconds: source.seconds,
        ...(row?.negative_prompt ? { negative_prompt: row.negative_prompt } : {}),
      });
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error);
        throw invalid(fields, Object.values(fields)[0]);
      }
      const video = await createVideo(s, c.var.user.id, parsed.data);
      if (!c.req.header("hx-request")) return c.redirect(`/videos/${video.id}`, 303);
      return c.html(<VideoCard video={video} />, 201);
    })
    .delete("/videos/:id", async (c) => {
      await deleteVideo(s, c.var.user.id, c.req.param("id"));
      return c.body("", 200);
    })
    .post("/videos/:id/delete", async (c) => {
      await deleteVideo(s, c.var.user.id, c.req.param("id"));
      return c.redirect("/", 303);
    })
    .get("/events", (c) =>
      streamVideoChanges(c, deps, (video) => ({
        data: String(<VideoCardOob video={video} />),
      })));
}
