import type { Derivation, User, Video } from "../../services/types.ts";
import { Layout } from "../layout.tsx";
import { Icon } from "../components/Icon.tsx";
import { LiveStatus } from "../components/LiveStatus.tsx";
import { MoreFromVideo } from "../components/MoreFromVideo.tsx";
import { ProgressBar } from "../components/ProgressBar.tsx";
import { RemixDialog } from "../components/RemixDialog.tsx";
import { ShareBox } from "../components/ShareBox.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Elapsed, FailureNote } from "../components/VideoCard.tsx";
import {
  contentPath,
  DERIVATION_LABELS,
  elapsedMs,
  excerpt,
  formatCost,
  formatDuration,
  formatTime,
  isoTime,
  isPending,
  orientation,
  settingsPath,
  sizeLabel,
  videoPath,
} from "../format.ts";

function Time(props: { value: string | null }) {
  const iso = isoTime(props.value);
  if (!iso) return <span class="muted">—</span>;
  return <time datetime={iso} data-local>{formatTime(props.value)}</time>;
}

function Player(props: { video: Video }) {
  const { video } = props;
  if (video.status === "completed") {
    return (
      <video
        class="player"
        controls
        preload="metadata"
        playsinline
        poster={video.variants.includes("thumbnail")
          ? contentPath(video, "?variant=thumbnail")
          : undefined}
        src={contentPath(video)}
        aria-label="Video player"
      />
    );
  }
  if (video.status === "failed") {
    return (
      <div class="placeholder placeholder-failed">
        <Icon name="alert" class="placeholder-icon" />
        <span>This video could not be made</span>
      </div>
    );
  }
  return (
    <div class="placeholder placeholder-pending">
      <Icon name="film" class="placeholder-icon" />
      <span>Your video is being made. This page updates by itself.</span>
    </div>
  );
}

function VideoLink(props: { video: Video; kind?: string; item?: boolean }) {
  const link = (
    <a class="lineage-link" href={videoPath(props.video)}>
      <StatusBadge status={props.video.status} />
      {props.kind && <span class="lineage-kind">{props.kind}</span>}
      <span class="lineage-prompt">{excerpt(props.video.prompt, 90)}</span>
    </a>
  );
  return props.item ? <li>{link}</li> : link;
}

/** The start image it was made from: shown small, downloadable while it is kept. */
function Reference(props: { video: Video }) {
  const { video } = props;
  const path = `${videoPath(video)}/reference`;
  return (
    <section class="detail-section" aria-labelledby="reference-title">
      <h2 id="reference-title" class="detail-label">Reference image</h2>
      {video.reference?.url
        ? (
          <figure class="reference">
            <a href={path} target="_blank" rel="noopener">
              <img src={path} alt="The image this video was made from" loading="lazy" />
            </a>
            <figcaption>
              <a class="btn btn-sm btn-ghost" href={`${path}?download=1`} download>
                <Icon name="download" />
                Download reference
              </a>
            </figcaption>
          </figure>
        )
        : (
          <p class="muted">
            Made from an image that was not kept (videos made before reference images were kept).
          </p>
        )}
    </section>
  );
}

/** GET /videos/:id — player, full prompt, parameters, times, cost, lineage and actions. */
export function VideoPage(props: {
  user: User;
  demo: boolean;
  video: Video;
  source: Video | null;
  derivation: Derivation | null;
  derived: { video: Video; derivation: Derivation }[];
  retryReason?: string | null;
  madeBy: string;
  /** Where share links are opened from (PUBLIC_URL, else the request's origin). */
  origin: string;
}) {
  const { video, source, derived } = props;
  const pending = isPending(video.status);
  return (
    <Layout title={excerpt(video.prompt, 50) || "Video"} user={props.user} demo={props.demo}>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href="/" class="back-link">
          <Icon name="back" />
          Library
        </a>
      </nav>
      <article
        class={`detail detail-${orientation(video.size)}`}
        id={`detail-${video.id}`}
        data-status={video.status}
        data-video-id={video.id}
      >
        <div class="detail-media-col">
          <div class="detail-media">
            <Player video={video} />
          </div>
          {video.status === "completed" && video.variants.includes("spritesheet") && (
            <figure class="storyboard">
              <img
                src={contentPath(video, "?variant=spritesheet")}
                alt="Storyboard: frames from the video, in order"
                loading="lazy"
              />
              <figcaption class="muted">Storyboard</figcaption>
            </figure>
          )}
        </div>

        <div class="detail-info">
          <header class="detail-head">
            <div class="detail-status">
              <StatusBadge status={video.status} />
              {pending && <LiveStatus watch={video.id} since={Date.parse(video.updated_at) - 1} />}
            </div>
            <h1 class="detail-title">{excerpt(video.prompt, 70) || "Untitled video"}</h1>
          </header>

          {pending && (
            <div class="detail-progress">
              <ProgressBar progress={video.progress} />
              <Elapsed video={video} />
              {props.retryReason && <p class="retry-reason" role="status">{props.retryReason}</p>}
            </div>
          )}
          {video.status === "failed" && <FailureNote video={video} />}

          <div class="detail-actions">
            {video.status === "completed" && (
              <a class="btn btn-primary" href={contentPath(video, "?download=1")} download>
                <Icon name="download" />
                Download MP4
              </a>
            )}
            {video.actions.remix.available && <RemixDialog video={video} inLibrary={false} large />}
            {video.actions.cancel.available && (
              // A plain form: the answer shows this page again, cancelled (same-origin checked).
              <form method="post" action={`${videoPath(video)}/cancel`} class="inline-form">
                <button type="submit" class="btn" data-cancel title="Stop making this video">
                  <Icon name="close" />
                  Cancel
                </button>
              </form>
            )}
            {
              /* Re-run and Try again open the form filled with these settings, to change first. */
            }
            <a
              class={video.status === "failed" || video.remake_with ? "btn btn-primary" : "btn"}
              href={settingsPath(video)}
              title="Open the form with this video's prompt and settings, to change them before Generate"
            >
              <Icon name="rerun" />
              {video.remake_with
                ? `Make it again with ${video.remake_with.label} · ${
                  formatCost(video.remake_with.cost)
                }`
                : `${video.status === "failed" ? "Try again" : "Re-run"} · ${
                  formatCost(video.rerun_cost)
                }`}
            </a>
          </div>
          <div class="detail-more">
            {video.status === "completed" && video.variants.includes("thumbnail") && (
              <a
                class="btn btn-sm btn-ghost"
                href={contentPath(video, "?variant=thumbnail&download=1")}
                download
              >
                <Icon name="image" />
                Download thumbnail
              </a>
            )}
            <a
              class="btn btn-sm btn-ghost"
              href={`${videoPath(video)}/provenance`}
              download
              title="Everything that made this video, as JSON to keep beside the MP4"
            >
              <Icon name="download" />
              Download details (JSON)
            </a>
            <a class="btn btn-sm btn-ghost" href={settingsPath(video)}>
              <Icon name="sparkle" />
              Use these settings
            </a>
            <button type="button" class="btn btn-sm btn-ghost" data-copy="#detail-prompt">
              <Icon name="copy" />
              Copy prompt
            </button>
            <button
              type="button"
              class="btn btn-sm btn-ghost btn-danger"
              hx-delete={videoPath(video)}
              hx-confirm="Delete this video?"
              hx-swap="none"
              hx-disable="this"
              data-on-success="go-home"
            >
              <Icon name="trash" />
              Delete
            </button>
          </div>

          {video.status === "completed" && <ShareBox video={video} origin={props.origin} />}

          {video.status === "completed" && <MoreFromVideo video={video} />}

          <section class="detail-section" aria-labelledby="prompt-title">
            <h2 id="prompt-title" class="detail-label">Prompt</h2>
            <p class="detail-prompt" id="detail-prompt">{video.prompt}</p>
          </section>

          {video.negative_prompt && (
            <section class="detail-section" aria-labelledby="negative-title">
              <h2 id="negative-title" class="detail-label">Negative prompt</h2>
              <p class="detail-prompt" id="detail-negative">{video.negative_prompt}</p>
            </section>
          )}

          {video.reference && <Reference video={video} />}

          <dl class="facts">
            <div>
              <dt>Model</dt>
              <dd>
                {video.model_label}
                <span class="took">{video.provider_name}</span>
              </dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd>
                {sizeLabel(video.size)}
                {video.media && `${video.media.width}x${video.media.height}` !== video.size && (
                  <span class="took">the file is {video.media.width}×{video.media.height}</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Length</dt>
              <dd>
                {video.seconds}s
                {video.media && Math.abs(video.media.seconds - Number(video.seconds)) >= 0.5 && (
                  <span class="took">the file is {video.media.seconds.toFixed(1)} s</span>
                )}
              </dd>
            </div>
            {video.audio !== null && (
              <div>
                <dt>Sound</dt>
                <dd>{video.audio ? "On" : "Off"}</dd>
              </div>
            )}
            <div>
              <dt>Provider job</dt>
              <dd>
                {video.upstream_id
                  ? <code>{video.upstream_id}</code>
                  : <span class="muted">not sent yet</span>}
              </dd>
            </div>
            <div>
              <dt>Made by</dt>
              <dd>{props.madeBy}</dd>
            </div>
            <div>
              <dt>Estimated cost</dt>
              <dd class="cost">{formatCost(video.cost)}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <Time value={video.created_at} />
              </dd>
            </div>
            <div>
              <dt>Finished</dt>
              <dd>
                <Time value={video.completed_at} />
                {video.completed_at && (
                  <span class="took">
                    took {formatDuration(elapsedMs(video.created_at, video.completed_at))}
                  </span>
                )}
              </dd>
            </div>
          </dl>

          {(video.remixed_from || derived.length > 0) && (
            <section class="detail-section lineage" aria-labelledby="lineage-title">
              <h2 id="lineage-title" class="detail-label">Lineage</h2>
              {video.remixed_from && (
                <div class="lineage-group">
                  <h3 class="lineage-heading">
                    {DERIVATION_LABELS[props.derivation ?? "remix"].from}
                  </h3>
                  {source
                    ? <VideoLink video={source} />
                    : <p class="muted">The original video was deleted.</p>}
                </div>
              )}
              {derived.length > 0 && (
                <div class="lineage-group">
                  <h3 class="lineage-heading">Made from this video ({derived.length})</h3>
                  <ul class="lineage-list">
                    {derived.map((d) => (
                      <VideoLink
                        key={d.video.id}
                        video={d.video}
                        kind={DERIVATION_LABELS[d.derivation].one}
                        item
                      />
                    ))}
                  </ul>
                </div>
              )}
            </section>
          )}

          <p class="detail-id muted">
            ID <code>{video.id}</code>
          </p>
        </div>
      </article>
    </Layout>
  );
}
