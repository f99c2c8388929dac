import type { Database } from "./db.ts";
import type { Upstream } from "./upstream.ts";
import type { UpstreamHealth } from "./upstream_health.ts";

export interface Readiness {
  ok: boolean;
  database: string;
  upstream: {
    ok: boolean;
    /** False when the key's check got an answer that neither proves nor refuses it. */
    verified: boolean;
    name: string;
    simulated: boolean;
    problem?: string;
    detail?: string;
  };
}

/** Can the app do its work: does the database take a write, does the upstream answer? */
export async function checkReadiness(deps: {
  db: Database;
  upstream: Upstream;
  health: UpstreamHealth;
  simulated: boolean;
}): Promise<Readiness> {
  let database = "ok";
  try {
    deps.db.touchHealth(Date.now());
  } catch (error) {
    database = `not writable: ${(error as Error).message}`;
  }
  const upstream = await deps.health.check(deps.upstream);
  return {
    ok: database === "ok" && upstream.ok,
    database,
    upstream: {
      ok: upstream.ok,
      verified: upstream.ok && upstream.verified !== false,
      name: deps.upstream.name,
      simulated: deps.simulated,
      ...(upstream.ok ? {} : { problem: upstream.outage }),
      ...(upstream.detail ? { detail: upstream.detail } : {}),
    },
  };
}
