import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../services/errors.ts";
import { handleOpenAIWebhook } from "../services/webhooks.ts";
import type { AppDeps } from "./env.ts";

export function webhookRoutes(deps: AppDeps) {
  return new Hono().post(
    "/openai",
    bodyLimit({
      maxSize: 256 * 1024,
      onError: () => {
        throw new AppError(413, "too_large", "Webhook bodies are small; this one is not.");
      },
    }),
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
