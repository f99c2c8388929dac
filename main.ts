import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { adminRoutes } from "./routes/admin.tsx";
import { apiAuthRoutes } from "./routes/api_auth.ts";
import { apiAccountRoutes } from "./routes/api_misc.ts";
import { apiVideoRoutes } from "./routes/api_videos.ts";
import type { AppDeps } from "./routes/env.ts";
import { errorHandler, forMachines } from "./routes/errors.tsx";
import { healthRoutes } from "./routes/health.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { pageRoutes } from "./routes/pages.tsx";
import { requestLogging } from "./routes/request_log.ts";
import { staticRoutes } from "./routes/static.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { runCli } from "./services/cli.ts";

/** Builds the whole web app from its services; starts nothing, so tests can use it directly. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  if (deps.log) app.use(...requestLogging(deps.log));
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "blob:", "data:"],
      mediaSrc: ["'self'", "blob:"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    referrerPolicy: "same-origin",
    xFrameOptions: "DENY",
  }));
  app.onError(errorHandler(deps));
  app.route("/", healthRoutes(deps));
  app.route("/static", staticRoutes());
  app.route("/api/auth", apiAuthRoutes(deps));
  app.route("/api/videos", apiVideoRoutes(deps));
  app.route("/api", apiAccountRoutes(deps));
  app.route("/webhooks", webhookRoutes(deps));
  app.route("/mcp", mcpRoutes(deps));
  app.notFound((c) =>
    forMachines(c.req.path)
      ? c.json({ error: { code: "not_found", message: "No such endpoint." } }, 404)
      : c.text("Not found", 404)
  );
  // Pages act on cookies, so cross-site form posts are refused by origin.
  app.use("*", csrf());
  app.route("/admin", adminRoutes(deps));
  app.route("/", pageRoutes(deps));
  return app;
}

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, createApp));
}
