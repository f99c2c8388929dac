import { clampProgress } from "../format.ts";

/** Native `<progress>` plus "NN%"; no inline styles, so it works under a strict CSP. */
export function ProgressBar(props: { progress: number; label?: string }) {
  const value = clampProgress(props.progress);
  return (
    <div class="progress" data-progress>
      <progress max="100" value={String(value)} aria-label={props.label ?? "Generation progress"} />
      <span class="progress-value" aria-hidden="true">{value}%</span>
    </div>
  );
}
