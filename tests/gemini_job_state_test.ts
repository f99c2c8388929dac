import type { Interaction } from "../services/providers/gemini/interactions.ts";
import { toJob } from "../services/providers/gemini/job_state.ts";
import { UpstreamError } from "../services/providers/upstream.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

const NOW = Date.UTC(2026, 10, 27, 12);
const ESTIMATE = { baseMs: 4000, perSecondMs: 2000 };

const job = (interaction: Partial<Interaction>) =>
  toJob({ id: "v1_abc", status: "in_progress", ...interaction }, NOW, ESTIMATE, {
    startedAt: NOW - 12_000,
    seconds: "10",
  });

Deno.test("[gemini] progress is estimated from the time a clip of that length takes", () => {
  // 12 s into the 24 s a 10 s clip takes.
  assertEquals(job({}).progress, 50);
  assertEquals(job({ status: "queued" }), {
    id: "v1_abc",
    status: "queued",
    progress: 0,
    error: null,
    expires_at: null,
  });
});

Deno.test("[gemini] every unfinished-for-good status fails with a sentence for a person", () => {
  for (
    const [status, code] of [
      ["cancelled", "cancelled"],
      ["incomplete", "incomplete"],
      ["budget_exceeded", "budget_exceeded"],
      ["requires_action", "unsupported_answer"],
      ["requires_continuation", "unsupported_answer"],
      ["failed", "generation_failed"],
    ]
  ) {
    const failed = job({ status });
    assertEquals([failed.status, failed.error?.code], ["failed", code], status);
    assertMatch(failed.error?.message ?? "", /^[A-Z].*\.$/, status);
  }
  const stepError = job({
    status: "failed",
    steps: [{
      type: "model_output",
      error: { code: 3, message: "The prompt was blocked for safety." },
    }],
  });
  assertEquals(stepError.error, {
    code: "moderation_blocked",
    message: "The prompt was blocked for safety.",
  });
});

Deno.test("[gemini] a completed turn without a video fails, quoting what the model said", () => {
  const failed = job({
    status: "completed",
    steps: [
      { type: "user_input", content: [{ type: "text", text: "a cat" }] },
      { type: "model_output", content: [{ type: "text", text: "I can't make that video." }] },
    ],
  });
  assertEquals(failed.status, "failed");
  assertMatch(failed.error?.message ?? "", /I can't make that video/);
  // An earlier turn's video is not this turn's.
  const earlier = job({
    status: "completed",
    steps: [
      { type: "model_output", content: [{ type: "video", data: "AAAA", mime_type: "video/mp4" }] },
      { type: "user_input", content: [{ type: "text", text: "now at night" }] },
    ],
  });
  assertEquals(earlier.status, "failed");
});

Deno.test("[gemini] a status Google adds later is asked about again, not failed", () => {
  let thrown: unknown;
  try {
    job({ status: "paused_for_review" });
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof UpstreamError && thrown.transient);
});
