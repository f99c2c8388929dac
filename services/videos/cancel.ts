import type { Database, VideoRow } from "../stores/database.ts";
import { AppError, notFound } from "../errors.ts";
import { errorFields, silentLogger } from "../app/log.ts";
import type { ProviderEntry } from "../providers/registry.ts";
import type { User, Video } from "../types.ts";
import type { VideoServices } from "./videos.ts";
import { toVideo } from "./video_view.ts";

/** What a cancel records: the words for the owner and what is still charged (USD). */
interface Cancelled {
  message: string;
  cost: number;
}

/** How often a cancel looks again when the runner moved the job while it was being cancelled. */
const TRIES = 3;

/**
 * Cancels an unfinished video of `user`'s: it becomes `failed` with error `cancelled`. A video not
 * yet sent costs nothing; a sent one is stopped at its provider where the provider can (fal.ai,
 * Gemini) and then costs nothing, else it keeps its cost and is no longer followed. Refused with
 * 409 and the reason once it is being downloaded (made and paid for), finished or failed.
 *
 * The write is guarded by the status and upstream id the cancel saw, so it never overwrites a
 * step the runner (here or on another instance) saved meanwhile; it then looks again. A runner step
 * still under way for the job finds it moved on and leaves it (its writes are guarded the same way).
 */
export async function cancelVideo(
  s: VideoServices,
  user: Pick<User, "id" | "username">,
  id: string,
): Promise<Video> {
  /** The upstream job this cancel already stopped, and what that recorded. */
  let stopped: { upstreamId: string; outcome: Cancelled } | undefined;
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const row = await s.db.videoOfUser(id, user.id);
    if (!row) throw notFound();
    // The runner may have seen the stop first and failed the job with the provider's "cancelled".
    const stoppedHere = stopped && row.upstream_id === stopped.upstreamId &&
      row.status === "failed" && row.error_code === "cancelled";
    if (!stoppedHere) {
      const refused = s.facts.cancelRefusal(row);
      if (refused) throw refused;
    }
    const outcome = stoppedHere ? stopped!.outcome : await stop(s, row, user.username);
    if (row.upstream_id && outcome.cost === 0) {
      stopped = { upstreamId: row.upstream_id, outcome };
    }
    const saved = await s.db.cancelVideo(row, outcome, s.now());
    if (!saved) continue;
    s.events.publish(saved.user_id, toVideo(saved, s.facts));
    (s.log ?? silentLogger).info("job", {
      video: saved.id,
      from: row.status,
      to: "failed",
      upstream: saved.upstream_id,
      error: "cancelled",
    });
    return toVideo(saved, s.facts);
  }
  throw new AppError(
    409,
    "conflict",
    "The video changed while it was being cancelled. Look at it again and cancel once more.",
  );
}

/** Stops the job at its provider where it is there and can be stopped; what that means. */
async function stop(s: VideoServices, row: VideoRow, username: string): Promise<Cancelled> {
  const p = s.providers.forJob(row);
  const name = providerName(s, row, p);
  const by = `Cancelled by ${username}.`;
  if (!row.upstream_id) {
    return {
      message: `${by} It had not been sent to ${name} yet, so nothing is charged.`,
      cost: 0,
    };
  }
  const cancel = p?.provider.upstream.cancel?.bind(p.provider.upstream);
  if (!p || !cancel) {
    return {
      message: `${by} ${name} cannot stop a video once it has been sent, so it is still ` +
        `charged (${usd(row.estimated_cost)}); it is no longer followed here.`,
      cost: row.estimated_cost,
    };
  }
  try {
    await p.budget.take(AbortSignal.timeout(10_000), String(row.user_id));
    await cancel(row.upstream_id);
  } catch (error) {
    (s.log ?? silentLogger).warn("upstream cancel failed", {
      video: row.id,
      ...errorFields(error),
    });
    throw new AppError(
      502,
      "cancel_failed",
      `${name} did not confirm the cancel (${(error as Error)?.message ?? error}), so the ` +
        "video goes on. Try again.",
    );
  }
  return {
    message: `${by} ${name} stopped it before it finished, so nothing is charged.`,
    cost: 0,
  };
}

/**
 * For the runner: a create that reached the provider while the video was being cancelled here
 * (its save found the job cancelled, with no upstream id). The new upstream job is stopped where
 * the provider can; otherwise it is charged, and the cancelled video says so and keeps the cost.
 */
export async function settleSentAfterCancel(
  db: Database,
  p: ProviderEntry,
  row: VideoRow,
  upstreamId: string,
  now: number,
): Promise<VideoRow | undefined> {
  const current = await db.videoById(row.id);
  if (current?.status !== "failed" || current.error_code !== "cancelled" || current.upstream_id) {
    return undefined;
  }
  let stopped = false;
  try {
    await p.provider.upstream.cancel?.(upstreamId);
    stopped = !!p.provider.upstream.cancel;
  } catch {
    // Not stopped: it is charged, and said so below.
  }
  const by = (current.error_message ?? "Cancelled.").split(". ")[0].replace(/\.?$/, ".");
  const name = p.provider.name;
  return await db.settleCancelled(row.id, {
    upstream_id: upstreamId,
    estimated_cost: stopped ? 0 : row.estimated_cost,
    error_message: stopped
      ? `${by} It had just been sent to ${name}, which stopped it, so nothing is charged.`
      : `${by} It had just been sent to ${name}, which cannot stop it, so it is still charged ` +
        `(${usd(row.estimated_cost)}).`,
  }, now);
}

function providerName(s: VideoServices, row: VideoRow, p: ProviderEntry | undefined): string {
  return p?.provider.name ?? s.facts.model(row)?.provider_name ?? "The provider";
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}
