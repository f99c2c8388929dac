// The simulator's interactions: each one's state is a function of the clock (timeline.ts), so no
// timers run; and each is rendered as the Interactions API answers it.
import { isBlockedPrompt } from "../moderation.ts";
import { phaseAt, planTimeline, type Timeline, totalMs } from "../timeline.ts";
import { fixtureBase64, videoFixture } from "./fixture.ts";
import type { CreatePlan, SourceLookup } from "./requests.ts";

/** Stored interactions are kept 55 days (paid tier). */
export const STORED_MS = 55 * 24 * 3600 * 1000;
/** A video delivered by URI is a generated file, kept two days. */
export const FILE_MS = 2 * 24 * 3600 * 1000;

export type InteractionStatus = "in_progress" | "completed" | "failed" | "cancelled";

export interface InteractionRecord {
  id: string;
  plan: CreatePlan;
  createdMs: number;
  timeline: Timeline;
  cancelledMs?: number;
  deleted: boolean;
  /** The generated file a URI delivery points at. */
  fileId: string;
}

export const SAFETY_MESSAGE = "The video could not be made because the request goes against " +
  "Google's Generative AI Prohibited Use Policy (simulated safety filter).";

export class InteractionStore {
  readonly #now: () => number;
  readonly #timeScale: number;
  readonly #byId = new Map<string, InteractionRecord>();
  readonly #byFile = new Map<string, InteractionRecord>();

  constructor(options: { now: () => number; timeScale: number }) {
    this.#now = options.now;
    this.#timeScale = options.timeScale;
  }

  add(plan: CreatePlan): InteractionRecord {
    const record: InteractionRecord = {
      id: randomId(),
      plan,
      createdMs: this.#now(),
      timeline: planTimeline(plan.workSeconds, this.#timeScale, isBlockedPrompt(plan.prompt)),
      deleted: false,
      fileId: hexId(),
    };
    this.#byId.set(record.id, record);
    this.#byFile.set(record.fileId, record);
    return record;
  }

  /** A live interaction: neither deleted nor past its retention. */
  get(id: string): InteractionRecord | undefined {
    const record = this.#byId.get(id);
    if (!record || record.deleted || this.#now() > record.createdMs + STORED_MS) return undefined;
    return record;
  }

  /** Any interaction ever made here, for tests (deleted ones too). */
  peek(id: string): InteractionRecord | undefined {
    return this.#byId.get(id);
  }

  /** The record whose generated file this is, while the file is kept. */
  byFile(fileId: string): InteractionRecord | undefined {
    const record = this.#byFile.get(fileId);
    if (!record || record.deleted || this.status(record) !== "completed") return undefined;
    const doneMs = record.createdMs + totalMs(record.timeline);
    return this.#now() > doneMs + FILE_MS ? undefined : record;
  }

  status(record: InteractionRecord): InteractionStatus {
    if (record.cancelledMs !== undefined) return "cancelled";
    const { status } = phaseAt(record.timeline, this.#now() - record.createdMs);
    return status === "queued" ? "in_progress" : status;
  }

  /** Milliseconds until it settles (0 once it has). */
  settlesInMs(record: InteractionRecord): number {
    return Math.max(0, record.createdMs + totalMs(record.timeline) - this.#now());
  }

  /** What a follow-up naming this id finds. */
  lookup(id: string): SourceLookup {
    const record = this.get(id);
    if (!record) return { state: "missing" };
    const status = this.status(record);
    if (status === "in_progress") return { state: "in_progress" };
    if (status !== "completed") return { state: "no_video" };
    const { model, aspect_ratio, resolution, seconds } = record.plan;
    return { state: "video", model, aspect_ratio, resolution, seconds };
  }

  /** Stops an unfinished interaction; false when it had already settled. */
  cancel(record: InteractionRecord): boolean {
    if (this.status(record) !== "in_progress") return false;
    record.cancelledMs = this.#now();
    return true;
  }

  remove(record: InteractionRecord): void {
    record.deleted = true;
  }

  /** The interaction as the API answers it; a URI delivery points under `origin`. */
  render(
    record: InteractionRecord,
    options: { origin: string; version: string; includeInput: boolean },
  ): Record<string, unknown> {
    const { plan } = record;
    const status = this.status(record);
    const settledMs = status === "cancelled"
      ? record.cancelledMs!
      : status === "in_progress"
      ? this.#now()
      : record.createdMs + totalMs(record.timeline);
    const out: Record<string, unknown> = {
      id: record.id,
      object: "interaction",
      model: plan.model,
      status,
      created: iso(record.createdMs),
      updated: iso(Math.min(settledMs, this.#now())),
    };
    if (plan.previousId) out.previous_interaction_id = plan.previousId;
    if (plan.responseFormat !== undefined) out.response_format = plan.responseFormat;
    if (plan.generationConfig !== undefined) out.generation_config = plan.generationConfig;
    const steps: Record<string, unknown>[] = [];
    if (options.includeInput) steps.push({ type: "user_input", content: plan.input });
    if (status === "completed") {
      const asset = videoFixture(plan).video;
      const video = plan.delivery === "uri"
        ? {
          type: "video",
          mime_type: asset.contentType,
          uri: `${options.origin}/${options.version}/files/${record.fileId}:download?alt=media`,
        }
        : { type: "video", mime_type: asset.contentType, data: fixtureBase64(asset) };
      steps.push({ type: "model_output", content: [video] });
      out.usage = { total_output_tokens: plan.seconds * 5792 };
    }
    if (status === "failed") {
      out.errors = [{ code: "SAFETY", message: SAFETY_MESSAGE }];
    }
    if (steps.length > 0) out.steps = steps;
    return out;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return "v1_" + btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

function hexId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(12)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
