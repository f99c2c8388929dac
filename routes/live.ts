import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Video } from "../services/types.ts";
import { videosToReplay } from "../services/videos.ts";
import type { AppDeps, AppEnv } from "./env.ts";

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
 */
export function streamVideoChanges(
  c: Context<AppEnv>,
  deps: AppDeps,
  render: LiveRenderer,
) {
  const userId = c.var.user.id;
  const lastSeen = Number(c.req.header("last-event-id"));
  const since = Number.isSafeInteger(lastSeen) && lastSeen > 0 ? lastSeen : null;
  c.header("X-Accel-Buffering", "no");
  c.header("Cache-Control", "no-store");
  return streamSSE(c, async (stream) => {
    const queue: Video[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = deps.videos.events.subscribe(userId, (video) => {
      queue.push(video);
      wake?.();
    });
    const end = () => {
      unsubscribe();
      wake?.();
    };
    stream.onAbort(end);
    deps.closing?.addEventListener("abort", () => stream.abort(), { once: true });
    queue.unshift(...videosToReplay(deps.videos, userId, since));
    const heartbeatMs = deps.heartbeatMs ?? 15_000;
    await stream.write(": connected\n\n");
    while (!stream.aborted && !stream.closed && !deps.closing?.aborted) {
      const video = queue.shift();
      if (video) {
        await stream.write(frameFor(video, render));
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
    unsubscribe();
  });
}
