import type { BenchContext, TargetResult } from "./common.ts";

export function streamingBench(_ctx: BenchContext): Promise<TargetResult> {
  return Promise.reject(new Error("not written yet"));
}
