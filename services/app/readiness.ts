import type { Database } from "../stores/database.ts";
import type { Upstream } from "../providers/upstream.ts";
import type { UpstreamHealth } from "../providers/upstream_health.ts";

/**
 * What `/readyz` answers, to anyone (probes carry no credentials): it says what failed, never where
 * the upstreams or the database live — no base URLs, host names or addresses (admins see those on
 * the admin page).
 */
export interface Readiness {
  ok: boolean;
  database: string;
  upstream: {
    ok: boolean;
    /** False when the key's check got an answer that neither proves nor refuses it. */
    verified: boolean;
    /** The providers by their names for people ("OpenAI Sora · fal.ai"), not their endpoints. */
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
  /** The configured providers' names; `upstream.name` would name their endpoints. */
  providerNames: readonly string[];
  health: UpstreamHealth;
  simulated: boolean;
  now: () => number;
}): Promise<Readiness> {
  let database = "ok";
  try {
    await deps.db.touchHealth(deps.now());
  } catch (error) {
    database = `not writable: ${withoutAddresses((error as Error).message)}`;
  }
  const upstream = await deps.health.check(deps.upstream);
  return {
    ok: database === "ok" && upstream.ok,
    database,
    upstream: {
      ok: upstream.ok,
      verified: upstream.ok && upstream.verified !== false,
      name: deps.providerNames.join(" · "),
      simulated: deps.simulated,
      ...(upstream.ok ? {} : { problem: upstream.outage }),
      ...(upstream.detail ? { detail: withoutAddresses(upstream.detail) } : {}),
    },
  };
}

const HIDDEN = "(address hidden)";

/**
 * The text with every URL, host name and IP address taken out: an upstream's error often quotes
 * the URL it failed on ("error sending request for url (https://…)"), or a host and port.
 */
export function withoutAddresses(text: string): string {
  return text
    // Anything with a scheme: https://…, postgres://user@host/…
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, HIDDEN)
    // IPv6: in brackets (with a port), written out in full, or shortened with "::".
    .replace(/\[[0-9a-f:.]+\](?::\d+)?/gi, HIDDEN)
    .replace(/(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])/gi, HIDDEN)
    .replace(
      /(?<![\w:])(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?(?![\w:])/gi,
      HIDDEN,
    )
    // IPv4, with an optional port.
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, HIDDEN)
    // Host names: labels joined by dots ending in a letters-only label, with an optional port.
    .replace(/\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z-]*[a-z](?::\d+)?\b/gi, HIDDEN)
    .replace(/\blocalhost(?::\d+)?\b/gi, HIDDEN);
}
