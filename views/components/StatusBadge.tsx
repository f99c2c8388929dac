import type { VideoStatus } from "../../services/types.ts";
import { statusLabel } from "../format.ts";

/** Coloured pill with the status in human words (Queued, Generating, Downloading, Ready, Failed). */
export function StatusBadge(props: { status: VideoStatus }) {
  return (
    <span class={`badge badge-${props.status}`}>
      <span class="badge-dot" aria-hidden="true"></span>
      {statusLabel(props.status)}
    </span>
  );
}
