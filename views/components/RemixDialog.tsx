import type { Video } from "../../services/types.ts";
import { excerpt, formatCost, sizeLabel } from "../format.ts";
import { Icon } from "./Icon.tsx";

/**
 * "Remix" button plus its modal `<dialog>` (Alpine component `remix` in app.js).
 * In the library the new card is prepended to `#library`; on the detail page
 * (`inLibrary={false}`) nothing is swapped and app.js opens the new video's page.
 */
export function RemixDialog(props: { video: Video; inLibrary?: boolean; large?: boolean }) {
  const { video } = props;
  const inLibrary = props.inLibrary ?? true;
  const uid = `remix-${video.id}`;
  const swapAttrs = inLibrary
    ? { "hx-target": "#library", "hx-swap": "afterbegin" }
    : { "hx-swap": "none", "data-on-success": "open-video" };
  return (
    <div class="remix" x-data="remix">
      <button
        type="button"
        class={props.large ? "btn" : "btn btn-sm"}
        aria-haspopup="dialog"
        x-on:click="open"
      >
        <Icon name="remix" />
        Remix
      </button>
      <dialog class="dialog" x-ref="dialog" aria-labelledby={`${uid}-title`}>
        <form
          class="dialog-form"
          x-ref="form"
          hx-post={`/videos/${encodeURIComponent(video.id)}/remix`}
          hx-disable="find button[type=submit]"
          {...swapAttrs}
        >
          <header class="dialog-header">
            <h2 id={`${uid}-title`} class="dialog-title">Remix video</h2>
            <button type="button" class="icon-btn" aria-label="Close" x-on:click="close">
              <Icon name="close" />
            </button>
          </header>
          <p class="dialog-lead">
            Start from this video and describe what should change. Model, size and length stay the
            same ({video.model_label} · {sizeLabel(video.size)} · {video.seconds}s ·{" "}
            {formatCost(video.actions.remix.cost ?? 0)}).
          </p>
          <blockquote class="remix-source">{excerpt(video.prompt, 160)}</blockquote>
          <div class="field">
            <label for={`${uid}-prompt`}>What should change?</label>
            <textarea
              id={`${uid}-prompt`}
              name="prompt"
              rows={4}
              maxlength={4000}
              required
              x-ref="prompt"
              placeholder="Make it night-time, with neon reflections on the wet street"
            />
          </div>
          <div class="dialog-toasts" aria-live="polite"></div>
          <footer class="dialog-actions">
            <button type="button" class="btn btn-ghost" x-on:click="close">Cancel</button>
            <button type="submit" class="btn btn-primary">
              <span class="spinner htmx-indicator" aria-hidden="true"></span>
              Create remix · {formatCost(video.actions.remix.cost ?? 0)}
            </button>
          </footer>
        </form>
      </dialog>
    </div>
  );
}
