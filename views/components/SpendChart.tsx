import { excerpt } from "../format.ts";

/**
 * A horizontal bar per row, drawn on the server as SVG: no chart library in the browser.
 * It is not scaled to fit (no viewBox): the text stays at its CSS size on a phone, and the bars
 * are drawn in percentages of whatever width the page gives. Each row's name and amount sit on a
 * line above its bar, so neither is cut however narrow the screen.
 */
export function SpendChart(props: {
  title: string;
  rows: { label: string; usd: number; budget?: number | null }[];
}) {
  const line = 20;
  const barHeight = 14;
  const gap = 14;
  const rowHeight = line + barHeight + gap;
  const max = Math.max(0.01, ...props.rows.flatMap((r) => [r.usd, r.budget ?? 0]));
  // Up to 98%, so a budget line at the top of the scale is not half outside.
  const pct = (usd: number) => `${((usd / max) * 98).toFixed(2)}%`;
  return (
    <svg
      class="spend-chart"
      width="100%"
      height={props.rows.length * rowHeight}
      role="img"
      aria-label={props.title}
    >
      <title>{props.title}</title>
      {props.rows.map((row, i) => {
        const y = i * rowHeight;
        return (
          <g key={row.label}>
            <text x="0" y={y + 14} class="chart-label">
              {excerpt(row.label, 32)}
            </text>
            <text x="100%" y={y + 14} text-anchor="end" class="chart-value">
              ${row.usd.toFixed(2)}
              {row.budget != null ? ` of $${row.budget.toFixed(2)}` : ""}
            </text>
            <rect
              x="0"
              y={y + line}
              width={row.usd > 0 ? pct(row.usd) : "1"}
              height={barHeight}
              rx={4}
              class={row.budget != null && row.usd > row.budget ? "chart-bar over" : "chart-bar"}
            />
            {row.budget != null && (
              <line
                x1={pct(row.budget)}
                x2={pct(row.budget)}
                y1={y + line - 3}
                y2={y + line + barHeight + 3}
                class="chart-budget"
              />
            )}
          </g>
        );
      })}
    </svg>
  );
}
