import { Catalog } from "../models/catalog.ts";
import { DEFAULT_MODEL } from "../models/models.ts";
import { RequestBudget, type SharedSends } from "./request_budget.ts";
import type { ModelInfo } from "../types.ts";
import type { Provider, Upstream } from "./upstream.ts";
import { UpstreamError } from "./upstream.ts";
import { type SharedHealth, UpstreamHealth, type UpstreamStatus } from "./upstream_health.ts";

/** A configured provider with what the poller keeps per provider: its budget and its health. */
export interface ProviderEntry {
  provider: Provider;
  /** Its own request budget (UPSTREAM_MAX_RPM each), so one provider's queue never slows another. */
  budget: RequestBudget;
  health: UpstreamHealth;
}

/**
 * The providers this app was configured with, and the one place that maps a model (or a stored
 * job) to its provider. Everything provider-specific comes from the providers' own descriptions.
 */
export class ProviderSet {
  readonly entries: readonly ProviderEntry[];
  /** Every fact about the configured providers' models, as known now. */
  readonly catalog: Catalog;
  /** All providers' health, for /readyz and the admin page. */
  readonly health: UpstreamHealth;
  /** The longest wait of any provider's budget, for the admin page. */
  readonly budget: RequestBudget;
  /** Names every provider and pings them all (for /readyz); jobs go through `forJob`. */
  readonly upstream: Upstream;

  constructor(providers: readonly Provider[], options: { perMinute: number; now?: () => number }) {
    const now = options.now ?? Date.now;
    this.entries = providers.map((provider) => ({
      provider,
      budget: new RequestBudget(options.perMinute, now),
      health: new UpstreamHealth(now),
    }));
    this.catalog = new Catalog(providers);
    this.health = new CombinedHealth(this.entries, now);
    this.budget = new CombinedBudget(this.entries.map((e) => e.budget), options.perMinute, now);
    this.upstream = combinedUpstream(this.entries);
  }

  /**
   * Instances on one database: each provider's budget also needs room in its shared record, and
   * its health is shared (written on change, read back about once a second).
   */
  share(shared: {
    sends(providerId: string): SharedSends;
    health(providerId: string): SharedHealth;
  }): void {
    for (const { provider, budget, health } of this.entries) {
      budget.share(shared.sends(provider.id));
      health.share(shared.health(provider.id));
    }
  }

  /** Re-reads every provider's published prices and retirements; failures keep what was known. */
  async refresh(): Promise<void> {
    await Promise.allSettled(this.entries.map((e) => e.provider.refresh?.()));
  }

  /** True when every provider is a built-in simulator (demo mode). */
  get simulated(): boolean {
    return this.entries.length > 0 && this.entries.every((e) => e.provider.simulated);
  }

  /** What the create form and `GET /api/models` offer: the configured providers' live models. */
  get models(): ModelInfo[] {
    return this.catalog.offered;
  }

  /** An offered model, or undefined when it is unknown, retired or its provider is not set up. */
  findModel(id: string): ModelInfo | undefined {
    return this.catalog.find(id);
  }

  /** The model a create without one gets: the contract's default when offered, else the first. */
  get defaultModel(): ModelInfo | undefined {
    return this.findModel(DEFAULT_MODEL) ?? this.models[0];
  }

  byId(providerId: string): ProviderEntry | undefined {
    return this.entries.find((e) => e.provider.id === providerId);
  }

  /** The provider of a stored job: the one recorded with it, else the one of its model. */
  forJob(job: { provider?: string | null; model: string }): ProviderEntry | undefined {
    const id = job.provider ?? this.catalog.describe(job.model)?.provider;
    return id ? this.byId(id) : undefined;
  }
}

/**
 * Health of several providers as one: ready when all are, otherwise the first outage, explained in
 * that provider's own words. Each provider keeps its own status (the poller records into those),
 * so one provider's success never hides another's outage.
 */
class CombinedHealth extends UpstreamHealth {
  readonly #entries: readonly ProviderEntry[];

  constructor(entries: readonly ProviderEntry[], now: () => number) {
    super(now);
    this.#entries = entries;
  }

  override get status(): UpstreamStatus {
    for (const { provider, health } of this.#entries) {
      const status = health.status;
      if (!status.ok) {
        return {
          ...status,
          detail: `${provider.name}: ${status.detail ?? status.outage}`,
          advice: status.outage ? provider.advice[status.outage] : status.advice,
        };
      }
    }
    const checked = this.#entries.map((e) => e.health.status.checkedAt ?? 0);
    const unverified = this.#entries.find((e) => e.health.status.verified === false);
    return {
      ok: true,
      checkedAt: checked.length ? Math.min(...checked) : undefined,
      ...(unverified
        ? {
          verified: false,
          detail: `${unverified.provider.name}: ${unverified.health.status.detail}`,
        }
        : {}),
    };
  }

  override onRecovery(listener: () => void): void {
    for (const { health } of this.#entries) health.onRecovery(listener);
  }

  /** Asks every provider (each cached briefly); the argument is ignored. */
  override async check(_upstream?: Upstream): Promise<UpstreamStatus> {
    await Promise.all(this.#entries.map((e) => e.health.check(e.provider.upstream)));
    return this.status;
  }
}

/** Several budgets seen as one for display: the longest wait; a pause pauses them all. */
class CombinedBudget extends RequestBudget {
  readonly #budgets: readonly RequestBudget[];

  constructor(budgets: readonly RequestBudget[], perMinute: number, now: () => number) {
    super(perMinute, now);
    this.#budgets = budgets;
  }

  override waitMs(): number {
    return Math.max(0, ...this.#budgets.map((b) => b.waitMs()));
  }

  override pause(ms: number): void {
    for (const budget of this.#budgets) budget.pause(ms);
  }
}

function combinedUpstream(entries: readonly ProviderEntry[]): Upstream {
  const notHere = () =>
    Promise.reject(
      new UpstreamError("Jobs go to their own provider (ProviderSet.forJob).", false),
    );
  return {
    name: entries.map((e) =>
      `${e.provider.name}${e.provider.simulated ? " (simulated)" : ""}: ${e.provider.upstream.name}`
    ).join(" · "),
    async ping() {
      const results = await Promise.allSettled(entries.map((e) => e.provider.upstream.ping()));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
    create: notHere,
    remix: notHere,
    extend: notHere,
    edit: notHere,
    retrieve: notHere,
    delete: notHere,
    download: notHere,
  };
}
