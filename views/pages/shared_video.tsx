import type { SharedVideo } from "../../services/videos/sharing.ts";
import { excerpt, orientation } from "../format.ts";
import { Layout } from "../layout.tsx";

/**
 * GET /s/:token — a shared video for anyone with the link: the player, the prompt and who made it,
 * nothing else (no id, cost, model or other videos; no session needed).
 */
export function SharedVideoPage(props: { video: SharedVideo; base: string }) {
  const { video, base } = props;
  return (
    <Layout title={excerpt(video.prompt, 50) || "Shared video"} demo={false}>
      <article class={`shared-video detail-${orientation(video.size)}`} data-shared-video>
        <div class="detail-media">
          <video
            class="player"
            controls
            preload="metadata"
            playsinline
            poster={video.hasThumbnail ? `${base}/thumbnail` : undefined}
            src={`${base}/video`}
            aria-label="Video player"
          />
        </div>
        <p class="detail-prompt" data-shared-prompt>{video.prompt}</p>
        <p class="muted">
          Made by <strong data-shared-author>{video.author}</strong>
        </p>
      </article>
    </Layout>
  );
}
