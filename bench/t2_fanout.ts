import type { BenchContext, TargetResult } from "./common.ts";

export function fanoutBench(_ctx: BenchContext): Promise<TargetResult> {
  return Promise.reject(new Error("not written yet"));
}
