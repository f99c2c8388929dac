import { STATUS_FILTERS } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { Option } from "./Option.tsx";
import type { LibraryFilterValues } from "./LibraryItems.tsx";

/**
 * Search + status filter. With htmx: GET /videos into #library (typing debounced 300 ms,
 * select on change). Without JS it is a plain GET form to `/`.
 */
export function LibraryFilters(props: { filters: LibraryFilterValues }) {
  const { q = "", status = "" } = props.filters;
  return (
    <form
      class="filters"
      role="search"
      method="get"
      action="/"
      hx-get="/videos"
      hx-target="#library"
      hx-swap="innerHTML"
      hx-trigger='input changed delay:300ms from:"find input", change from:"find select", submit'
      hx-sync="replace"
    >
      <div class="search-field">
        <Icon name="search" class="search-icon" />
        <label for="library-q" class="visually-hidden">Search prompts</label>
        <input
          id="library-q"
          type="search"
          name="q"
          value={q}
          placeholder="Search prompts"
          autocomplete="off"
          maxlength={200}
        />
        <span class="spinner htmx-indicator" aria-hidden="true"></span>
      </div>
      <label for="library-status" class="visually-hidden">Status</label>
      <select id="library-status" name="status">
        {STATUS_FILTERS.map((s) => (
          <Option key={s.value} value={s.value} selected={s.value === status}>{s.label}</Option>
        ))}
      </select>
      <noscript>
        <button type="submit" class="btn btn-sm">Filter</button>
      </noscript>
    </form>
  );
}
