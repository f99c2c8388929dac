import { Hono } from "hono";
import { UpstreamHealth } from "../services/upstream_health.ts";
import type { AppDeps } from "./env.ts";

/** Liveness (the process answers) and readiness (it can do its work), for probes and monitors. */
export function healthRoutes(deps: AppDeps) {
  const health = deps.health ?? new UpstreamHealth();
  return new Hono()
    .get("/healthz", (c) => c.json({ ok: true }))
    .get("/readyz", async (c) => {
      let database = "ok";
      try {
        deps.videos.db.touchHealth(Date.now());
      } catch (error) {
        database = `not writable: ${(error as Error).message}`;
      }
      const upstream = await health.check(deps.videos.upstream);
      const ok = database === "ok" && upstream.ok;
      return c.json({
        ok,
        database,
        upstream: {
          ok: upstream.ok,
          name: deps.videos.upstream.name,
          simulated: deps.config.simulate,
          ...(upstream.ok ? {} : { problem: upstream.outage, detail: upstream.detail }),
        },
      }, ok ? 200 : 503);
    });
}
