import { Hono } from "hono";
import { liveShares, unshareVideo } from "../../services/videos/sharing.ts";
import { AdminSharesPage } from "../../views/pages/admin_shares.tsx";
import { requireSession } from "../http/authenticate.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { videoIdParam } from "../api/video_params.ts";
import { adminsOnly } from "./admin.tsx";

/** `/admin/shares`: every live share link, each with Revoke (admins cannot open others' videos). */
export function adminShareRoutes(deps: AppDeps) {
  const s = deps.videos;
  return new Hono<AppEnv>()
    .use(requireSession(deps), adminsOnly)
    .get("/", async (c) =>
      c.html(
        <AdminSharesPage
          user={c.var.user}
          demo={deps.config.simulate}
          shares={await liveShares(s)}
          revoked={c.req.query("revoked") === "1"}
        />,
      ))
    .post("/:id/revoke", videoIdParam, async (c) => {
      await unshareVideo(s, c.var.user, c.req.param("id"));
      return c.redirect("/admin/shares?revoked=1", 303);
    });
}
