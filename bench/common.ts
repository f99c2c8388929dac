/** What every benchmark target reports back to bench/run.ts. */
export interface Row {
  metric: string;
  /** The app's figure, with its unit. */
  value: string;
  /** The ceiling measured in the same run, when the target is a ratio. */
  ceiling?: string;
  ratio?: string;
  /** The target, as the issue states it. */
  target: string;
  /** true: met; false: missed; null: reported only. */
  ok: boolean | null;
  /** How far off a missed target is ("needs 12x", "over by 40 ms"). */
  gap?: string;
}

export interface TargetResult {
  id: number;
  title: string;
  rows: Row[];
  /** Extra lines (markdown) under the table: setup, raw figures. */
  details: string[];
  seconds: number;
  raw?: unknown;
}

export interface BenchContext {
  /** A scratch folder for this run (data dirs, server logs). */
  work: string;
  quick: boolean;
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : "n/a";

export const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
