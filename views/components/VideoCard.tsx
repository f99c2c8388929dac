import type { Child } from "hono/jsx";
import type { Video } from "../../services/types.ts";
import {
  SPRITESHEET_COLUMNS,
  SPRITESHEET_ROWS,
} from "../../services/providers/simulators/media.ts";
import {
  contentPath,
  DERIVATION_LABELS,
  elapsedMs,
  excerpt,
  failureText,
  formatCost,
  formatDuration,
  isoTime,
  isPending,
  orientation,
  settingsPath,
  sizeLabel,
  statusLabel,
  videoPath,
} from "../format.ts";
import { Icon } from "./Icon.tsx";
import { ProgressBar } from "./ProgressBar.tsx";
import { RemixDialog } from "./RemixDialog.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

const PENDING_TEXT: Record<string, string> = {
  queued: "Waiting for a free slot…",
  in_progress: "Generating your video…",
  downloading: "Almost there — fetching the file…",
};

/**
 * Time since the video was created, ticking (app.js updates every `[data-elapsed-from]` each
 * second, so cards swapped in by live updates tick too).
 */
export function Elapsed(props: { video: Video }) {
  const from = isoTime(props.video.created_at);
  return (
    <span class="elapsed" title="Time since it was requested">
      <Icon name="clock" />
      <span class="visually-hidden">Elapsed</span>
      <span class="elapsed-value" data-elapsed-from={from}>
        {formatDuration(elapsedMs(props.video.created_at))}
      </span>
    </span>
  );
}

/**
 * A finished video's media: the poster (thumbnail) in a <video> that can also play here, and a
 * link over it to the detail page that shows a scrub preview from the spritesheet while the
 * pointer moves across it (app.js sets the frame with CSSOM background-position, which the CSP
 * allows; markup never carries a style attribute).
 */
function ReadyMedia(props: { video: Video }) {
  const { video } = props;
  const thumbnail = video.variants.includes("thumbnail");
  const spritesheet = video.variants.includes("spritesheet");
  return (
    <>
      {
        /* Without a thumbnail, the browser shows a frame from the start of the video itself. */
      }
      <video
        class="card-video"
        preload={thumbnail ? "none" : "metadata"}
        playsinline
        poster={thumbnail ? contentPath(video, "?variant=thumbnail") : undefined}
        src={thumbnail ? contentPath(video) : contentPath(video, "#t=0.5")}
        aria-label={`Video: ${excerpt(video.prompt, 80)}`}
      />
      <a
        class="card-open"
        href={videoPath(video)}
        tabindex={-1}
        aria-hidden="true"
        data-scrub={spritesheet ? contentPath(video, "?variant=spritesheet") : undefined}
        data-scrub-columns={spritesheet ? String(SPRITESHEET_COLUMNS) : undefined}
        data-scrub-rows={spritesheet ? String(SPRITESHEET_ROWS) : undefined}
      >
        {spritesheet && <span class="scrub"></span>}
        {spritesheet && (
          <span class="scrub-track">
            <span class="scrub-head"></span>
          </span>
        )}
      </a>
      <button type="button" class="card-play" data-play aria-label="Play here" title="Play here">
        <Icon name="play" />
      </button>
      <span class="card-length" aria-hidden="true">{video.seconds}s</span>
    </>
  );
}

function CardMedia(props: { video: Video }) {
  const { video } = props;
  if (video.status === "completed") return <ReadyMedia video={video} />;
  if (video.status === "failed") {
    const text = failureText(video.error);
    return (
      <div class="placeholder placeholder-failed">
        <Icon name="alert" class="placeholder-icon" />
        <strong class="failure-title">{text.title}</strong>
        <span class="failure-hint">{text.hint}</span>
      </div>
    );
  }
  return (
    <div class="placeholder placeholder-pending">
      <Icon name="film" class="placeholder-icon" />
      <span>{PENDING_TEXT[video.status] ?? statusLabel(video.status)}</span>
    </div>
  );
}

/** Why a video failed, in a person's words, with the upstream's own message underneath. */
export function FailureNote(props: { video: Video }) {
  const text = failureText(props.video.error);
  return (
    <div class="card-error" role="note">
      <p class="card-error-title">
        <Icon name="alert" />
        {text.title}
      </p>
      <p class="card-error-hint">{text.hint}</p>
      {text.detail && text.detail !== text.title && (
        <p class="card-error-detail">
          The service said: “{text.detail}”
        </p>
      )}
    </div>
  );
}

/**
 * Opens the create form filled with this video's settings (`/?from=`), to change before anything
 * is spent: htmx swaps in the filled form alone; without script it is the page itself.
 */
export function UseSettingsLink(props: { video: Video; class: string; children: Child }) {
  const path = settingsPath(props.video);
  return (
    <a
      class={props.class}
      href={path}
      hx-get={path}
      hx-target="#create-form"
      hx-swap="outerHTML"
      title="Open the form with this video's prompt and settings, to change them before Generate"
    >
      {props.children}
    </a>
  );
}

/** A failed video's "Try again", with what it costs: the filled form, not a blind resend. */
function RetryLink(props: { video: Video }) {
  const remake = props.video.remake_with;
  return (
    <UseSettingsLink video={props.video} class="btn btn-sm">
      <Icon name="rerun" />
      {remake
        ? `Make it again with ${remake.label} · ${formatCost(remake.cost)}`
        : `Try again · ${formatCost(props.video.rerun_cost)}`}
    </UseSettingsLink>
  );
}

function Card(props: { video: Video; oob?: boolean }) {
  const { video } = props;
  const pending = isPending(video.status);
  const deletePath = videoPath(video);
  return (
    <article
      id={"video-" + video.id}
      class={`card card-${orientation(video.size)}`}
      data-status={video.status}
      hx-swap-oob={props.oob ? "outerHTML" : undefined}
      aria-label={excerpt(video.prompt, 80)}
    >
      <div class="card-media">
        <CardMedia video={video} />
        <StatusBadge status={video.status} />
      </div>
      <div class="card-body">
        {pending && (
          <div class="card-progress">
            <ProgressBar progress={video.progress} />
            <Elapsed video={video} />
          </div>
        )}
        <p class="card-prompt">{video.prompt}</p>
        <p class="card-meta">
          <span>{video.model_label} · {sizeLabel(video.size)} · {video.seconds}s</span>
          {video.remixed_from && (
            // Says what it is; its lineage (and a link to the source) is on its page.
            <span class="chip" title="Made from another video: see Details">
              <Icon name="remix" />
              {DERIVATION_LABELS[video.derivation ?? "remix"].one} of another video
            </span>
          )}
        </p>
        <div class="card-actions">
          <a class="btn btn-sm btn-link" href={videoPath(video)}>Details</a>
          <div class="card-tools">
            {video.status === "completed" && (
              <a
                class="btn btn-sm btn-icon"
                href={contentPath(video, "?download=1")}
                download
                aria-label="Download"
                title="Download MP4"
              >
                <Icon name="download" />
              </a>
            )}
            {video.actions.remix.available && <RemixDialog video={video} />}
            {video.actions.cancel.available && <CancelButton video={video} />}
            {video.status === "failed"
              ? <RetryLink video={video} />
              : (
                <UseSettingsLink video={video} class="btn btn-sm btn-icon">
                  <Icon name="sparkle" />
                  <span class="visually-hidden">Use these settings</span>
                </UseSettingsLink>
              )}
            <button
              type="button"
              class="btn btn-sm btn-icon btn-danger"
              aria-label="Delete"
              title="Delete"
              hx-delete={deletePath}
              hx-confirm="Delete this video?"
              hx-target="closest .card"
              hx-swap="outerHTML"
              hx-indicator="closest .card"
              hx-disable="this"
            >
              <Icon name="trash" />
            </button>
          </div>
        </div>
      </div>
    </article>
  );
}

/**
 * Cancels a queued or in-progress video: the answer is the card as it is now (cancelled), swapped
 * in place; the live stream would bring the same card.
 */
function CancelButton(props: { video: Video }) {
  return (
    <button
      type="button"
      class="btn btn-sm"
      hx-post={`${videoPath(props.video)}/cancel`}
      hx-target="closest .card"
      hx-swap="outerHTML"
      hx-disable="this"
      data-cancel
      title="Stop making this video"
    >
      <Icon name="close" />
      Cancel
    </button>
  );
}

/** One video in the library: `<article id="video-ID" class="card" data-status=…>`. */
export function VideoCard(props: { video: Video }) {
  return <Card video={props.video} />;
}

/**
 * The same card marked `hx-swap-oob="outerHTML"`: send it (one or more, concatenated) as
 * the data of an unnamed SSE message on `/events` and htmx replaces `#video-ID` in place.
 */
export function VideoCardOob(props: { video: Video }) {
  return <Card video={props.video} oob />;
}

/**
 * Out-of-band removal of a card (e.g. the video was deleted in another tab): send it as SSE
 * data like VideoCardOob and htmx removes `#video-ID` if the page shows it.
 */
export function VideoCardGoneOob(props: { id: string }) {
  return <article id={"video-" + props.id} hx-swap-oob="delete"></article>;
}
