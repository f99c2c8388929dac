import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { adminRoutes } from "./routes/pages/admin.tsx";
import { adminShareRoutes } from "./routes/pages/admin_shares.tsx";
import { apiAuthRoutes } from "./routes/api/auth.ts";
import { apiAccountRoutes } from "./routes/api/account.ts";
import { apiTokenRoutes } from "./routes/api/tokens.ts";
import { accountTokenRoutes } from "./routes/pages/account_tokens.tsx";
import { apiVideoRoutes } from "./routes/api/videos.ts";
import { apiDocRoutes } from "./routes/api/docs.tsx";
import { globalBodyLimit } from "./routes/http/body_limits.ts";
import type { AppDeps } from "./routes/http/env.ts";
import { errorHandler, forMachines } from "./routes/http/errors.tsx";
import { healthRoutes } from "./routes/health.ts";
import { mcpRoutes } from "./routes/mcp/mcp.ts";
import { noStoreByDefault } from "./routes/http/no_store.ts";
import { pageRoutes } from "./routes/pages/pages.tsx";
import { requestLogging } from "./routes/http/request_log.ts";
import { sameOrigin } from "./routes/http/same_origin.ts";
import { staticRoutes } from "./routes/static.ts";
import { shareRoutes } from "./routes/share.tsx";
import { webhookRoutes } from "./routes/webhooks.ts";
import { runCli } from "./services/app/cli.ts";

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
    // A route may choose its own (a share link sends no referrer); the rest get these.
    overwrite: false,
  }));
  app.use(noStoreByDefault());
  // Before any route: 64 KB for every body, except the few routes that apply their own.
  app.use(globalBodyLimit());
  app.onError(errorHandler(deps));
  app.route("/", healthRoutes(deps));
  app.route("/static", staticRoutes());
  app.route("/api/auth", apiAuthRoutes(deps));
  app.route("/api/videos", apiVideoRoutes(deps));
  // Before `/api`, whose bearer check would otherwise run a second time for these.
  app.route("/api/me/tokens", apiTokenRoutes(deps));
  // The API's description asks no token: before `/api`, whose bearer check covers all below it.
  app.route("/api", apiDocRoutes(deps));
  app.route("/api", apiAccountRoutes(deps));
  app.route("/webhooks", webhookRoutes(deps));
  app.route("/mcp", mcpRoutes(deps));
  // Share links play without a session, and only read.
  app.route("/s", shareRoutes(deps));
  app.notFound((c) =>
    forMachines(c.req.path)
      ? c.json({ error: { code: "not_found", message: "No such endpoint." } }, 404)
      : c.text("Not found", 404)
  );
  // Pages act on cookies, so a state-changing request from another origin is refused, whatever its
  // content type. The API, MCP and webhooks above answer before this (and it skips them anyway).
  app.use("*", sameOrigin({ publicUrl: deps.config.PUBLIC_URL }));
  app.route("/admin/shares", adminShareRoutes(deps));
  app.route("/admin", adminRoutes(deps));
  app.route("/account/tokens", accountTokenRoutes(deps));
  app.route("/", pageRoutes(deps));
  return app;
}

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, createApp));
}
