import type { Video } from "../../services/types.ts";
import { statusLabel } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { VideoCard } from "./VideoCard.tsx";

export interface LibraryFilterValues {
  q?: string;
  status?: string;
}

/** `/videos?cursor=…&q=…&status=…` for the next page. */
export function nextPageUrl(cursor: string, filters: LibraryFilterValues = {}): string {
  const params = new URLSearchParams({ cursor });
  if (filters.q) params.set("q", filters.q);
  if (filters.status) params.set("status", filters.status);
  return `/videos?${params}`;
}

function EmptyState(props: { filters: LibraryFilterValues }) {
  const { q, status } = props.filters;
  if (q || status) {
    const what = [q ? `“${q}”` : "", status ? `status “${statusLabel(status)}”` : ""]
      .filter(Boolean)
      .join(" with ");
    return (
      <div class="empty-state">
        <Icon name="search" class="empty-icon" />
        <h3>No matching videos</h3>
        <p>Nothing matches {what}. Try another search or show all statuses.</p>
      </div>
    );
  }
  return (
    <div class="empty-state">
      <Icon name="sparkle" class="empty-icon" />
      <h3>No videos yet</h3>
      <p>Describe a scene above and press Generate. Your videos will appear here.</p>
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
