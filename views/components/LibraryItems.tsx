import type { Video } from "../../services/types.ts";
import { statusLabel } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { VideoCard } from "./VideoCard.tsx";

export interface LibraryFilterValues {
  q?: string;
  status?: string;
  model?: string;
}

/** `/videos?cursor=…&q=…&status=…&model=…` for the next page. */
export function nextPageUrl(cursor: string, filters: LibraryFilterValues = {}): string {
  const params = new URLSearchParams({ cursor });
  if (filters.q) params.set("q", filters.q);
  if (filters.status) params.set("status", filters.status);
  if (filters.model) params.set("model", filters.model);
  return `/videos?${params}`;
}

/** Ideas a new user can start from: a click puts the prompt into the create form. */
export const EXAMPLE_PROMPTS: readonly string[] = [
  "A red fox trotting through fresh snow at dawn, soft golden light, shallow depth of field",
  "Aerial shot of a lighthouse on a rocky coast during a storm, waves crashing, cinematic",
  "A paper boat drifting down a rainy city street at night, neon reflections, macro lens",
];

function EmptyState(props: { filters: LibraryFilterValues }) {
  const { q, status, model } = props.filters;
  if (q || status || model) {
    const what = [
      q ? `“${q}”` : "",
      status ? `status “${statusLabel(status)}”` : "",
      model ? `model ${model}` : "",
    ].filter(Boolean).join(" with ");
    return (
      <div class="empty-state" data-empty="filtered">
        <Icon name="search" class="empty-icon" />
        <h3>No matching videos</h3>
        <p>Nothing matches {what}. Try another search or clear the filters.</p>
      </div>
    );
  }
  return (
    <div class="empty-state" data-empty="new">
      <Icon name="sparkle" class="empty-icon" />
      <h3>No videos yet</h3>
      <p>
        Describe a scene in the prompt box above, pick a model, size and length, and press Generate.
        Your videos appear here and update live while they are made.
      </p>
      <p class="empty-try">Or start from an idea:</p>
      <ul class="examples">
        {EXAMPLE_PROMPTS.map((prompt) => (
          <li key={prompt}>
            <button type="button" class="example" data-example-prompt={prompt}>
              {prompt}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The content of `<div id="library">`: cards, then (when there is a next page) a
 * "Load more" button that replaces itself with the following items. Also the answer of
 * `GET /videos` to htmx requests. An empty result shows an empty state; CSS hides it as
 * soon as the library holds a card (e.g. after a "load more" page came back empty).
 */
export function LibraryItems(props: {
  videos: Video[];
  nextCursor: string | null;
  filters?: LibraryFilterValues;
}) {
  const filters = props.filters ?? {};
  return (
    <>
      {props.videos.map((video) => <VideoCard key={video.id} video={video} />)}
      {props.videos.length === 0 && <EmptyState filters={filters} />}
      {props.nextCursor && (
        <button
          type="button"
          class="btn load-more"
          hx-get={nextPageUrl(props.nextCursor, filters)}
          hx-target="this"
          hx-swap="outerHTML"
          hx-disable="this"
        >
          <span class="spinner htmx-indicator" aria-hidden="true"></span>
          Load more
        </button>
      )}
    </>
  );
}
