import type { ModelInfo } from "../../services/types.ts";
import { modelView, STATUS_FILTERS } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { Option } from "./Option.tsx";
import type { LibraryFilterValues } from "./LibraryItems.tsx";

/**
 * Search + status and model filters. With htmx: GET /videos into #library (typing debounced
 * 300 ms, selects on change); app.js mirrors the filters into the address bar. Without JS it
 * is a plain GET form to `/`.
 */
export function LibraryFilters(
  props: { filters: LibraryFilterValues; models: readonly ModelInfo[] },
) {
  const { q = "", status = "", model = "" } = props.filters;
  return (
    <form
      class="filters"
      role="search"
      method="get"
      action="/"
      hx-get="/videos"
      hx-target="#library"
      hx-swap="innerHTML"
      hx-trigger='input changed delay:300ms from:"find input[type=search]", change from:"findAll select", submit'
      hx-sync="replace"
      data-filters
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
      <label for="library-status" class="visually-hidden">Filter by status</label>
      <select id="library-status" name="status">
        {STATUS_FILTERS.map((s) => (
          <Option key={s.value} value={s.value} selected={s.value === status}>{s.label}</Option>
        ))}
      </select>
      <label for="library-model" class="visually-hidden">Filter by model</label>
      <select id="library-model" name="model">
        <Option value="" selected={!model}>All models</Option>
        {props.models.map((m) => (
          <Option key={m.id} value={m.id} selected={m.id === model}>
            {modelView(m).label}
          </Option>
        ))}
      </select>
      <noscript>
        <button type="submit" class="btn btn-sm">Filter</button>
      </noscript>
    </form>
  );
}
