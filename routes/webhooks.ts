import { Hono } from "hono";
import { AppError } from "../services/errors.ts";
import { isFalProvider } from "../services/providers/fal/provider.ts";
import { handleFalWebhook, handleOpenAIWebhook } from "../services/videos/webhooks.ts";
import { routeBodyLimit } from "./http/body_limits.ts";
import type { AppDeps } from "./http/env.ts";

export function webhookRoutes(deps: AppDeps) {
  return new Hono().post(
    "/fal",
    // Each webhook's own limit, listed with the others in routes/body_limits.ts.
    routeBodyLimit("falWebhook"),
    async (c) => {
      const provider = deps.videos.providers.byId("fal")?.provider;
      const outcome = await handleFalWebhook(
        {
          db: deps.videos.db,
          jobs: deps.videos.jobs,
          provider: isFalProvider(provider) ? provider : undefined,
        },
        // The signature covers the exact bytes, so they are read as bytes.
        new Uint8Array(await c.req.arrayBuffer()),
        c.req.raw.headers,
      );
      return c.json({ ok: true, ...outcome });
    },
  ).post(
    "/openai",
    routeBodyLimit("openaiWebhook"),
    async (c) => {
      const secret = deps.config.OPENAI_WEBHOOK_SECRET;
      if (!secret) {
        throw new AppError(
          400,
          "webhooks_disabled",
          "Set OPENAI_WEBHOOK_SECRET to accept webhooks.",
        );
      }
      const outcome = await handleOpenAIWebhook(
        { db: deps.videos.db, jobs: deps.videos.jobs, secret, now: deps.videos.now },
        await c.req.text(),
        c.req.raw.headers,
      );
      return c.json({ ok: true, ...outcome });
    },
  );
}
