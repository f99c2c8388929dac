import type { Video } from "openai/resources/videos";
import { type FaultyFetch, faultyFetch } from "./faulty_fetch.ts";
import { JobStore } from "./jobs.ts";
import { checkedTimeScale } from "./timeline.ts";
import { type SignedDelivery, signWebhook } from "./webhook_signer.ts";
import { errorResponse, notFound } from "./responses.ts";
import {
  createVideo,
  deleteVideo,
  downloadContent,
  editVideo,
  extendVideo,
  type HandlerContext,
  listVideos,
  remixVideo,
  retrieveVideo,
} from "./video_handlers.ts";

export interface SoraSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  /** When set, the bearer token must equal it; otherwise any bearer token is accepted. */
  apiKey?: string;
  /** Clock in ms since the epoch; inject one to step jobs through their lifecycle. */
  now?: () => number;
  /** Source of randomness for fault `probability`; pass seededRandom(n) for repeatable runs. */
  random?: () => number;
  /** When set, a signed `video.completed` / `video.failed` event is delivered as each job ends. */
  webhooks?: WebhookSink;
}

export interface WebhookSink {
  /** `whsec_…` (base64) or a plain string, as the app's OPENAI_WEBHOOK_SECRET. */
  secret: string;
  deliver(delivery: SignedDelivery): Promise<unknown>;
}

export interface SoraSimulator extends FaultyFetch {
  /** A job's current state, or undefined if unknown or deleted. */
  getVideo(id: string): Video | undefined;
  /** Cancels webhook deliveries still to come. */
  close(): void;
}

type Route = (
  req: Request,
  url: URL,
  params: Record<string, string>,
) => Response | Promise<Response>;

export function createSoraSimulator(options: SoraSimulatorOptions = {}): SoraSimulator {
  const timeScale = checkedTimeScale(options.timeScale);
  const now = options.now ?? Date.now;
  const ctx: HandlerContext = { store: new JobStore({ now, timeScale }), idempotency: new Map() };

  const routes: Array<[string, URLPattern, Route]> = [
    ["POST", pattern("/v1/videos"), (req) => createVideo(req, ctx)],
    ["POST", pattern("/v1/videos/extensions"), (req) => extendVideo(req, ctx)],
    ["POST", pattern("/v1/videos/edits"), (req) => editVideo(req, ctx)],
    ["GET", pattern("/v1/videos"), (_req, url) => listVideos(url, ctx)],
    ["GET", pattern("/v1/videos/:id"), (_req, _url, p) => retrieveVideo(p.id, ctx)],
    ["DELETE", pattern("/v1/videos/:id"), (_req, _url, p) => deleteVideo(p.id, ctx)],
    ["GET", pattern("/v1/videos/:id/content"), (_req, url, p) => downloadContent(p.id, url, ctx)],
    ["POST", pattern("/v1/videos/:id/remix"), (req, _url, p) => remixVideo(req, p.id, ctx)],
  ];

  async function handle(req: Request, url: URL): Promise<Response> {
    const unauthorized = checkAuth(req, options.apiKey);
    if (unauthorized) return unauthorized;
    for (const [method, urlPattern, route] of routes) {
      if (req.method !== method) continue;
      const match = urlPattern.exec({ pathname: url.pathname });
      if (match) {
        const params = match.pathname.groups as Record<string, string>;
        return await route(req, url, params);
      }
    }
    return notFound(`Invalid URL (${req.method} ${url.pathname})`);
  }

  const pendingWebhooks = new Set<ReturnType<typeof setTimeout>>();

  /** After a POST that created a job: schedules its event for the moment the job ends. */
  async function announceWhenSettled(req: Request, response: Response): Promise<void> {
    const sink = options.webhooks;
    if (!sink || req.method !== "POST" || !response.ok) return;
    const { id } = await response.clone().json() as { id: string };
    const announceIn = (delay: number) => {
      const timer = setTimeout(async () => {
        pendingWebhooks.delete(timer);
        const video = ctx.store.get(id);
        if (!video) return;
        if (video.status !== "completed" && video.status !== "failed") {
          // A timer can fire a fraction of a millisecond early: wait out the rest, never drop it.
          const rest = ctx.store.settlesInMs(id);
          if (rest !== undefined) announceIn(Math.max(1, rest));
          return;
        }
        const event = {
          id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
          type: `video.${video.status}`,
          data: { id },
        };
        await sink.deliver(await signWebhook(sink.secret, event)).catch(() => {});
      }, delay);
      pendingWebhooks.add(timer);
    };
    const delay = ctx.store.settlesInMs(id);
    if (delay !== undefined) announceIn(delay);
  }

  const front = faultyFetch({
    now,
    random: options.random ?? Math.random,
    handle,
    answered: announceWhenSettled,
  });

  function fetch(req: Request): Promise<Response> {
    // The SDK probes a custom fetch's FormData support once with fetch("data:,"); that is
    // not an API call, so let the platform answer it and keep it out of the request log.
    if (req.url.startsWith("data:")) return globalThis.fetch(req);
    return front.fetch(req);
  }

  return {
    fetch,
    faults: front.faults,
    requests: front.requests,
    getVideo: (id) => ctx.store.get(id),
    close() {
      for (const timer of pendingWebhooks) clearTimeout(timer);
      pendingWebhooks.clear();
    },
  };
}

function pattern(pathname: string): URLPattern {
  return new URLPattern({ pathname });
}

function checkAuth(req: Request, apiKey: string | undefined): Response | undefined {
  const header = req.headers.get("authorization") ?? "";
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (!token) {
    return errorResponse(401, {
      message: "You didn't provide an API key. You need to provide your API key in an " +
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      code: "invalid_api_key",
    });
  }
  if (apiKey !== undefined && token !== apiKey) {
    return errorResponse(401, {
      message: `Incorrect API key provided: ${redact(token)}.`,
      code: "invalid_api_key",
    });
  }
  return undefined;
}

// Echo only the key's tail, as OpenAI does, so a leaked log line does not leak the key.
function redact(token: string): string {
  return token.length <= 8 ? "****" : `${token.slice(0, 3)}****${token.slice(-4)}`;
}
