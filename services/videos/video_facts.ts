import { extendRefusal, priceOf } from "../models/catalog.ts";
import type { VideoRow } from "../stores/database.ts";
import { AppError } from "../errors.ts";
import type { ProviderSet } from "../providers/registry.ts";
import type {
  ContentVariant,
  Derivation,
  ModelInfo,
  VideoActionOffer as ActionOffer,
} from "../types.ts";

export type VideoActions = Record<Derivation | "cancel", ActionOffer>;

const DONE: Record<Derivation, string> = {
  remix: "remixed",
  extend: "extended",
  edit: "edited",
  continue: "continued",
};

/**
 * The facts about a stored video that depend on the catalog and the server (which model it was,
 * what it cost, what can be done with it now): the one place they are worked out, for the JSON
 * API, the pages, MCP and the live stream alike.
 */
export class VideoFacts {
  constructor(
    readonly providers: ProviderSet,
    readonly now: () => number,
    /** Whether ffmpeg can run here (last frames and locally made media). */
    readonly ffmpeg: boolean,
  ) {}

  model(row: Pick<VideoRow, "model">): ModelInfo | undefined {
    return this.providers.catalog.describe(row.model);
  }

  /**
   * The recorded cost; failed videos cost nothing, except a cancelled one its provider could not
   * stop (its cancel recorded what is still charged).
   */
  cost(row: Pick<VideoRow, "status" | "estimated_cost" | "error_code">): number {
    return row.status === "failed" && row.error_code !== "cancelled" ? 0 : row.estimated_cost;
  }

  /** Why the video cannot be cancelled now, as the error a cancel gets; undefined while it can. */
  cancelRefusal(row: Pick<VideoRow, "status">): AppError | undefined {
    const why = {
      queued: undefined,
      in_progress: undefined,
      // Made and paid for upstream: only saving it here is left.
      downloading: "This video is already made and paid for; it is only being saved here, so " +
        "it cannot be cancelled. Delete it once it is saved if you do not want it.",
      completed: "This video is finished, so there is nothing to cancel. Delete it if you do " +
        "not want it.",
      failed: "This video has already stopped (it failed or was cancelled), so there is " +
        "nothing to cancel.",
    }[row.status];
    return why ? new AppError(409, "not_cancellable", why) : undefined;
  }

  /** The files a finished video has here. */
  variants(row: VideoRow): ContentVariant[] {
    if (row.status !== "completed") return [];
    const out: ContentVariant[] = ["video"];
    if (row.thumbnail_bytes !== null) out.push("thumbnail");
    if (row.spritesheet_bytes !== null) out.push("spritesheet");
    return out;
  }

  /** Whether the provider still has the finished video, which its actions work on. */
  keptUpstream(row: Pick<VideoRow, "upstream_expires_at">): boolean {
    return row.upstream_expires_at === null || this.now() / 1000 < row.upstream_expires_at;
  }

  /**
   * Why `action` cannot be done with this video now, as the error a request for it gets; undefined
   * when it can. Order matters: the most fundamental reason is the one given.
   */
  refusal(row: VideoRow, action: Derivation): AppError | undefined {
    const model = this.model(row);
    const label = model?.label ?? row.model;
    const providerName = model?.provider_name ?? "Its provider";
    if (model?.retired) {
      const instead = model.replacement
        ? ` Make it again with ${
          this.model({ model: model.replacement })?.label ?? model.replacement
        }.`
        : "";
      return new AppError(
        409,
        "model_retired",
        `${providerName} has retired ${label}, so this video cannot be ${DONE[action]}.${instead}`,
      );
    }
    if (action !== "continue" && !model?.actions[action]) {
      return new AppError(
        409,
        `${action}_not_supported`,
        model?.unavailable?.[action] ?? `${label} videos cannot be ${DONE[action]}.`,
      );
    }
    if (action === "extend" && model) {
      const why = extendRefusal(model, row);
      if (why) return new AppError(409, "extend_not_supported", why);
    }
    if (action === "continue" && model && !model.inputs.input_reference) {
      return new AppError(
        409,
        "continue_not_supported",
        `${label} takes no start image, so it cannot continue from a last frame.`,
      );
    }
    if (row.status !== "completed") {
      return new AppError(409, "conflict", `Only a finished video can be ${DONE[action]}.`);
    }
    if (action !== "continue" && (!row.upstream_id || !this.keptUpstream(row))) {
      return new AppError(
        409,
        "source_expired",
        `${providerName} no longer keeps this video, so it cannot be ${DONE[action]}. ` +
          "Continue from its last frame or re-run it instead.",
      );
    }
    if (action === "continue" && row.spritesheet_bytes === null && !this.ffmpeg) {
      return new AppError(
        409,
        "continue_not_supported",
        `${label} videos come without a storyboard, and this server cannot run ffmpeg to ` +
          "take the last frame from the video itself.",
      );
    }
    if (
      !this.providers.forJob(row) || (action === "continue" && !this.providers.findModel(row.model))
    ) {
      return new AppError(
        409,
        "provider_not_configured",
        `${providerName} is not set up on this server, so this video cannot be ${DONE[action]}.`,
      );
    }
    return undefined;
  }

  /** Every action with its cost, or the reason it cannot be done. */
  actions(row: VideoRow): VideoActions {
    const model = this.model(row);
    const request = { size: row.size, seconds: row.seconds, audio: audioOf(row) };
    const whole = priceOf(model, request);
    const offer = (action: Derivation, cost: number): ActionOffer => {
      const refused = this.refusal(row, action);
      return refused ? { available: false, reason: refused.message } : { available: true, cost };
    };
    const extend = offer("extend", 0);
    if (extend.available && model?.extension) {
      extend.options = model.extension.seconds.map((seconds) => ({
        seconds,
        cost: priceOf(model, { ...request, seconds }),
        result_seconds: String(Number(row.seconds) + Number(seconds)),
      }));
      extend.cost = extend.options[0]?.cost ?? 0;
    }
    const stop = this.cancelRefusal(row);
    return {
      remix: offer("remix", whole),
      extend,
      edit: offer("edit", whole),
      continue: offer("continue", whole),
      cancel: stop ? { available: false, reason: stop.message } : { available: true },
    };
  }
}

/**
 * For a video of a retired model: the successor it can be made again with (offered here), with
 * the size and length the successor makes that are nearest to the video's, and their price.
 */
export function remakeOf(
  facts: VideoFacts,
  row: Pick<VideoRow, "model" | "size" | "seconds" | "audio">,
): { model: string; label: string; size: string; seconds: string; cost: number } | null {
  const model = facts.model(row);
  if (!model?.retired || !model.replacement) return null;
  const successor = facts.providers.findModel(model.replacement);
  if (!successor) return null;
  const size = successor.sizes.includes(row.size) ? row.size : successor.default_size;
  const lengths = successor.seconds_by_size?.[size] ?? successor.seconds;
  const seconds = lengths.includes(row.seconds) ? row.seconds : successor.default_seconds;
  const audio = successor.inputs.audio ? audioOf(row) ?? successor.audio : undefined;
  return {
    model: successor.id,
    label: successor.label,
    size,
    seconds,
    cost: priceOf(successor, { size, seconds, audio }),
  };
}

/** A row's sound setting as the price and the provider see it. */
export function audioOf(row: Pick<VideoRow, "audio">): boolean | undefined {
  return row.audio === null ? undefined : row.audio === 1;
}
