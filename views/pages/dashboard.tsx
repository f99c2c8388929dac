import type { ModelInfo, User, Video } from "../../services/types.ts";
import type { OwnBudget } from "../../services/videos/spend.ts";
import type { VideoSettings } from "../../services/videos/video_settings.ts";
import { BudgetMeter } from "../components/BudgetMeter.tsx";
import { Layout } from "../layout.tsx";
import { CreateForm } from "../components/CreateForm.tsx";
import { LibraryFilters } from "../components/LibraryFilters.tsx";
import { type LibraryFilterValues, LibraryItems } from "../components/LibraryItems.tsx";
import { LiveStatus } from "../components/LiveStatus.tsx";

/** GET / — the create panel, then the library (with live updates over SSE). */
export function DashboardPage(props: {
  user: User;
  demo: boolean;
  models: readonly ModelInfo[];
  /** A video's settings to fill the form with (`/?from=`). */
  settings?: VideoSettings;
  budget: OwnBudget;
  videos: Video[];
  nextCursor: string | null;
  filters: LibraryFilterValues;
}) {
  return (
    <Layout title="Studio" user={props.user} demo={props.demo}>
      <section class="panel create-panel" aria-labelledby="create-title">
        <div class="panel-head">
          <h1 id="create-title" class="panel-title">New video</h1>
          <p class="muted">Write a prompt, pick a model and size, and press Generate.</p>
          <BudgetMeter budget={props.budget} />
        </div>
        <CreateForm models={props.models} settings={props.settings} />
      </section>

      <section class="library-section" aria-labelledby="library-title">
        <div class="library-head">
          <div class="library-title-row">
            <h2 id="library-title" class="section-title">Library</h2>
            <LiveStatus />
          </div>
          <LibraryFilters filters={props.filters} models={props.models} />
        </div>
        <div id="library" class="library-grid">
          <LibraryItems
            videos={props.videos}
            nextCursor={props.nextCursor}
            filters={props.filters}
          />
        </div>
      </section>
    </Layout>
  );
}
