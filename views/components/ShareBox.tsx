import type { Video } from "../../services/types.ts";
import { videoPath } from "../format.ts";
import { Icon } from "./Icon.tsx";

/**
 * The detail page's "Share link": a button that makes the link, then the link with Copy and
 * Revoke. htmx swaps the box with the server's answer; without script the forms post and the page
 * comes back. `origin` makes the link whole for pasting elsewhere (PUBLIC_URL, else the request's).
 */
export function ShareBox(props: { video: Video; origin: string }) {
  const { video } = props;
  const action = `${videoPath(video)}/share`;
  const swap = { "hx-target": "#share-box", "hx-swap": "outerHTML" };
  return (
    <section id="share-box" class="detail-section share-box" aria-labelledby="share-title">
      <h2 id="share-title" class="detail-label">Share link</h2>
      {video.share
        ? (
          <>
            <p class="muted">
              Anyone with this link can watch the video, its prompt and your name, without logging
              in, until you revoke it.
            </p>
            <pre class="token-pre"><code id="share-url">{new URL(video.share.url, props.origin).href}</code></pre>
            <div class="share-actions">
              <button type="button" class="btn btn-sm" data-copy="#share-url">
                <Icon name="copy" />
                Copy link
              </button>
              <a class="btn btn-sm btn-ghost" href={video.share.url} target="_blank" rel="noopener">
                Open
              </a>
              <form
                method="post"
                action={`${action}/revoke`}
                hx-post={`${action}/revoke`}
                {...swap}
                class="inline-form"
              >
                <button type="submit" class="btn btn-sm btn-ghost btn-danger" data-share-revoke>
                  <Icon name="close" />
                  Revoke link
                </button>
              </form>
            </div>
          </>
        )
        : (
          <form method="post" action={action} hx-post={action} {...swap} class="inline-form">
            <button type="submit" class="btn btn-sm" data-share-create>
              Share link
            </button>
            <span class="muted">
              A link that plays this video without logging in, until you revoke it.
            </span>
          </form>
        )}
    </section>
  );
}
