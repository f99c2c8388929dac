import type { AuthContext } from "../../services/auth/auth.ts";
import type { UsersContext } from "../../services/auth/users.ts";
import type { Config } from "../../services/app/config.ts";
import type { Logger } from "../../services/app/log.ts";
import type { RequestBudget } from "../../services/providers/request_budget.ts";
import type { StreamRegistry } from "../../services/live/stream_registry.ts";
import type { UpstreamHealth } from "../../services/providers/upstream_health.ts";
import type { User } from "../../services/types.ts";
import type { VideoServices } from "../../services/videos/videos.ts";

/** Everything the routes need, built once by main.ts (or a test) and passed to each sub-app. */
export interface AppDeps {
  config: Config;
  auth: AuthContext;
  users: UsersContext;
  videos: VideoServices;
  /** Longest silence on a live stream before a comment line keeps proxies from closing it. */
  heartbeatMs?: number;
  /** How often a live stream re-checks that its session or token still holds (default 2 s). */
  sessionCheckMs?: number;
  /** Who has which live streams open: the per-user cap, and the wake-up when sessions end. */
  streams: StreamRegistry;
  /** Aborts when the app shuts down, ending live streams so the server can stop. */
  closing?: AbortSignal;
  log?: Logger;
  /** Whether the upstream works; absent in tests that do not care. */
  health?: UpstreamHealth;
  budget?: RequestBudget;
}

export interface AppEnv {
  Variables: {
    user: User;
    /** The bearer token or session cookie the request was authenticated with. */
    token: string;
  };
}

/** The session cookie's name over http; over https it gets the `__Host-` prefix (session_cookie.ts). */
export const SESSION_COOKIE = "sora_session";
