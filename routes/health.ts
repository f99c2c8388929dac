import { Hono } from "hono";
import { checkReadiness } from "../services/app/readiness.ts";
import { UpstreamHealth } from "../services/providers/upstream_health.ts";
import type { AppDeps } from "./http/env.ts";

/** Liveness (the process answers) and readiness (it can do its work), for probes and monitors. */
export function healthRoutes(deps: AppDeps) {
  const health = deps.health ?? new UpstreamHealth();
  return new Hono()
    .get("/healthz", (c) => c.json({ ok: true }))
    .get("/readyz", async (c) => {
      const readiness = await checkReadiness({
        now: deps.videos.now,
        db: deps.videos.db,
        upstream: deps.videos.upstream,
        providerNames: deps.videos.providers.entries.map((e) =>
          `${e.provider.name}${e.provider.simulated ? " (simulated)" : ""}`
        ),
        health,
        simulated: deps.config.simulate,
      });
      return c.json(readiness, readiness.ok ? 200 : 503);
    });
}
