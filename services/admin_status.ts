import type { Database } from "./db.ts";
import type { JobRunner } from "./jobs.ts";
import type { RequestBudget } from "./request_budget.ts";
import type { Upstream } from "./upstream.ts";
import type { UpstreamHealth, UpstreamStatus } from "./upstream_health.ts";

/** What an admin needs to know about the running app, in one object for the status page. */
export interface AdminStatus {
  upstream: { name: string; simulated: boolean; status: UpstreamStatus };
  budget: { perMinute: number; waitMs: number };
  queue: Record<string, number>;
  activeJobs: number;
  pollIntervalMs: number;
}

export async function adminStatus(deps: {
  db: Database;
  jobs: JobRunner;
  upstream: Upstream;
  health: UpstreamHealth;
  budget?: RequestBudget;
  simulated: boolean;
  perMinute: number;
  pollIntervalMs: number;
}): Promise<AdminStatus> {
  // A real, authenticated request (cached briefly): "does the key work?" answered, not guessed.
  const status = await deps.health.check(deps.upstream);
  return {
    upstream: { name: deps.upstream.name, simulated: deps.simulated, status },
    budget: { perMinute: deps.perMinute, waitMs: deps.budget?.waitMs() ?? 0 },
    queue: Object.fromEntries(deps.db.statusCounts().map((row) => [row.status, row.videos])),
    activeJobs: deps.jobs.activeCount,
    pollIntervalMs: deps.pollIntervalMs,
  };
}
