import { priceNote } from "../models/catalog.ts";
import type { Database, LeftoverRow } from "../stores/database.ts";
import type { JobRunner } from "../videos/jobs.ts";
import type { ProviderSet } from "../providers/registry.ts";
import type { RequestBudget } from "../providers/request_budget.ts";
import type { Upstream } from "../providers/upstream.ts";
import type { UpstreamHealth, UpstreamStatus } from "../providers/upstream_health.ts";

/** One configured provider as an admin sees it: is it working, and what it offers. */
export interface ProviderStatus {
  id: string;
  name: string;
  endpoint: string;
  simulated: boolean;
  status: UpstreamStatus;
  /** Offered models, each with where its price comes from and when it retires. */
  models: { id: string; label: string; price: string; retiresAt?: string }[];
  /** Models the provider said are gone, with their successor when named. */
  retired: { id: string; label: string; replacement?: string }[];
  /** Whether a retried create can make a second video (no idempotency key upstream). */
  createsMayRepeat: boolean;
}

/** What an admin needs to know about the running app, in one object for the status page. */
export interface AdminStatus {
  upstream: { name: string; simulated: boolean; status: UpstreamStatus };
  providers: ProviderStatus[];
  budget: { perMinute: number; waitMs: number };
  queue: Record<string, number>;
  activeJobs: number;
  pollIntervalMs: number;
  /** Upstream copies that a delete could not remove. */
  keptUpstream: LeftoverRow[];
  /** Whether ffmpeg runs here (thumbnails, storyboards and last frames made from the MP4). */
  ffmpeg: boolean;
}

export async function adminStatus(deps: {
  db: Database;
  jobs: JobRunner;
  upstream: Upstream;
  health: UpstreamHealth;
  providers?: ProviderSet;
  budget?: RequestBudget;
  simulated: boolean;
  perMinute: number;
  pollIntervalMs: number;
  ffmpeg: boolean;
}): Promise<AdminStatus> {
  // A real, authenticated request (cached briefly): "does the key work?" answered, not guessed.
  const status = await deps.health.check(deps.upstream);
  const catalog = deps.providers?.catalog;
  const all = catalog?.all ?? [];
  return {
    upstream: { name: deps.upstream.name, simulated: deps.simulated, status },
    providers: (deps.providers?.entries ?? []).map(({ provider, health }) => ({
      id: provider.id,
      name: provider.name,
      endpoint: provider.upstream.name,
      simulated: provider.simulated,
      status: health.status,
      models: all.filter((m) => m.provider === provider.id && !m.retired).map((m) => ({
        id: m.id,
        label: m.label,
        price: priceNote(m),
        retiresAt: m.retires_at,
      })),
      retired: all.filter((m) => m.provider === provider.id && m.retired).map((m) => ({
        id: m.id,
        label: m.label,
        replacement: m.replacement,
      })),
      createsMayRepeat: provider.createsMayRepeat ?? false,
    })),
    budget: { perMinute: deps.perMinute, waitMs: deps.budget?.waitMs() ?? 0 },
    queue: Object.fromEntries(
      (await deps.db.statusCounts()).map((row) => [row.status, row.videos]),
    ),
    activeJobs: deps.jobs.activeCount,
    pollIntervalMs: deps.pollIntervalMs,
    keptUpstream: await deps.db.leftovers(),
    ffmpeg: deps.ffmpeg,
  };
}
