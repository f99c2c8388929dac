/** A horizontal bar per row, drawn on the server as SVG: no chart library in the browser. */
export function SpendChart(props: {
  title: string;
  rows: { label: string; usd: number; budget?: number | null }[];
}) {
  const barHeight = 22;
  const gap = 12;
  const labelWidth = 140;
  const width = 560;
  const chart = width - labelWidth - 70;
  const max = Math.max(0.01, ...props.rows.flatMap((r) => [r.usd, r.budget ?? 0]));
  const height = props.rows.length * (barHeight + gap) + gap;
  const x = (usd: number) => labelWidth + (usd / max) * chart;
  return (
    <svg
      class="spend-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={props.title}
    >
      <title>{props.title}</title>
      {props.rows.map((row, i) => {
        const y = gap + i * (barHeight + gap);
        return (
          <g key={row.label}>
            <text x={labelWidth - 8} y={y + barHeight * 0.7} text-anchor="end" class="chart-label">
              {row.label}
            </text>
            <rect
              x={labelWidth}
              y={y}
              width={Math.max(1, x(row.usd) - labelWidth)}
              height={barHeight}
              rx={4}
              class={row.budget != null && row.usd > row.budget ? "chart-bar over" : "chart-bar"}
            />
            {row.budget != null && (
              <line
                x1={x(row.budget)}
                x2={x(row.budget)}
                y1={y - 3}
                y2={y + barHeight + 3}
                class="chart-budget"
              />
            )}
            <text
              x={Math.max(x(row.usd), row.budget != null ? x(row.budget) : 0) + 6}
              y={y + barHeight * 0.7}
              class="chart-value"
            >
              ${row.usd.toFixed(2)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
