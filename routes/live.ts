import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { type SessionKind, userForToken } from "../services/auth/auth.ts";
import type { Video } from "../services/types.ts";
import { videosToReplay } from "../services/videos/videos.ts";
import type { AppDeps, AppEnv } from "./http/env.ts";

export interface LiveMessage {
  event?: string;
  data: string;
}

export type LiveRenderer = (video: Video) => LiveMessage;

/**
 * A change is published as one object to all of its owner's streams: each renderer turns it
 * into an SSE frame once, and every stream writes the same text.
 */
const frames = new WeakMap<Video, Map<LiveRenderer, string>>();

function frameFor(video: Video, render: LiveRenderer): string {
  let byRenderer = frames.get(video);
  if (!byRenderer) frames.set(video, byRenderer = new Map());
  let frame = byRenderer.get(render);
  if (frame === undefined) {
    const message = render(video);
    const lines = [
      ...(message.event ? [`event: ${message.event}`] : []),
      ...message.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`),
      `id: ${Date.parse(video.updated_at)}`,
    ];
    frame = lines.join("\n") + "\n\n";
    byRenderer.set(render, frame);
  }
  return frame;
}

/**
 * A live stream of the user's video changes. Each message's id is the video's update time, so a
 * reconnecting client (Last-Event-ID) first gets everything it missed; a new one gets the jobs
 * still under way. A comment line keeps idle connections open through proxies.
 *
 * The stream lives only as long as the session or token it was opened with: it checks that token
 * again before every frame and every few seconds (a logout by another process or instance is
 * seen that way), and at once when this process says the user's sessions ended. Each open
 * stream holds one of the user's slots in the registry, so one user cannot hold hundreds.
 */
export async function streamVideoChanges(
  c: Context<AppEnv>,
  deps: AppDeps,
  render: LiveRenderer,
) {
  const userId = c.var.user.id;
  const token = c.var.token;
  // The JSON API takes bearer tokens only and the pages session cookies only (authenticate.ts).
  const kind: SessionKind = c.req.path.startsWith("/api/") ? "api" : "web";
  const lastSeen = Number(c.req.header("last-event-id"));
  const since = Number.isSafeInteger(lastSeen) && lastSeen > 0 ? lastSeen : null;
  // Claimed before the stream starts, so a user at the cap gets a plain 429 rather than a stream.
  const slot = await deps.streams.open(userId);
  c.header("X-Accel-Buffering", "no");
  c.header("Cache-Control", "no-store");
  return streamSSE(c, async (stream) => {
    const queue: Video[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = deps.videos.events.subscribe(userId, (video) => {
      queue.push(video);
      wake?.();
    });
    const stop = () => {
      stream.abort();
      wake?.();
    };
    const signedIn = async () => {
      const user = await userForToken(deps.auth, token, kind);
      if (user?.id === userId) return true;
      // Aborting drops anything still buffered too, so nothing more reaches the client.
      stop();
      return false;
    };
    const guard = sessionGuard(signedIn, () => deps.streams.renew(slot), deps.sessionCheckMs);
    const unwatch = deps.streams.watch(userId, guard.checkNow);
    stream.onAbort(() => wake?.());
    deps.closing?.addEventListener("abort", stop, { once: true });
    try {
      queue.unshift(...await videosToReplay(deps.videos, userId, since));
      const heartbeatMs = deps.heartbeatMs ?? 15_000;
      await stream.write(": connected\n\n");
      while (!stream.aborted && !stream.closed && !deps.closing?.aborted) {
        const video = queue.shift();
        if (video) {
          // Checked right before each frame: a frame never goes out after its session ended.
          if (await signedIn()) await stream.write(frameFor(video, render));
          continue;
        }
        const woke = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), heartbeatMs);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        wake = undefined;
        if (!woke && !stream.aborted) await stream.write(": keep-alive\n\n");
      }
    } finally {
      guard.stop();
      unwatch();
      unsubscribe();
      deps.closing?.removeEventListener("abort", stop);
      await deps.streams.close(slot);
    }
  });
}

/**
 * Runs `check` every `everyMs` and whenever `checkNow` is called, one at a time (a slow database
 * never piles checks up); `renew` keeps the stream's slot alive after each passing check.
 */
function sessionGuard(
  check: () => Promise<boolean>,
  renew: () => Promise<void>,
  everyMs = 2_000,
) {
  let running: Promise<void> | undefined;
  let again = false;
  const checkNow = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        if (await check()) await renew();
      } while (again);
    })().catch(() => {}).finally(() => running = undefined);
  };
  const timer = setInterval(checkNow, everyMs);
  return {
    checkNow,
    stop: () => clearInterval(timer),
  };
}
