import type { Database } from "../database.ts";
import { DEFAULT_LIMITS } from "../../auth/login_throttle.ts";
import type { ProviderSet } from "../../providers/registry.ts";
import { SqlCreateRate } from "./create_rate.ts";
import { SqlLoginThrottle } from "./login_attempts.ts";
import { SqlStreamRegistry } from "./stream_registry.ts";
import { SqlHealth, SqlSends } from "./upstream.ts";

/**
 * What one process kept in memory, kept in the database instead so several instances on one
 * PostgreSQL share it: the login throttle, creates per minute, open live streams, and each
 * provider's request budget and health. (On SQLite one process owns the data, and the in-memory
 * pieces stay.)
 */
export function sharedState(
  db: Database,
  options: { instance: string; streamsPerUser: number; providers: ProviderSet; now: () => number },
) {
  const { instance, streamsPerUser, providers, now } = options;
  providers.share({
    sends: (id) => new SqlSends(db, id),
    health: (id) => new SqlHealth(db, id),
  });
  return {
    throttle: new SqlLoginThrottle(db, DEFAULT_LIMITS, now),
    rate: new SqlCreateRate(db),
    streams: new SqlStreamRegistry(db, instance, streamsPerUser, now),
  };
}
