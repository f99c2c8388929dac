import type { Video } from "../../services/types.ts";
import { contentPath, isPending, orientation, statusLabel, videoPath } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { ProgressBar } from "./ProgressBar.tsx";
import { RemixDialog } from "./RemixDialog.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

const PENDING_TEXT: Record<string, string> = {
  queued: "Waiting for a free slot…",
  in_progress: "Generating your video…",
  downloading: "Almost there — fetching the file…",
};

function CardMedia(props: { video: Video }) {
  const { video } = props;
  if (video.status === "completed") {
    return (
      <video
        class="card-video"
        controls
        preload="none"
        playsinline
        poster={contentPath(video, "?variant=thumbnail")}
        src={contentPath(video)}
        aria-label={`Video: ${video.prompt.slice(0, 80)}`}
      />
    );
  }
  if (video.status === "failed") {
    return (
      <div class="placeholder placeholder-failed">
        <Icon name="alert" class="placeholder-icon" />
        <span>Generation failed</span>
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
    >
      <div class="card-media">
        <CardMedia video={video} />
        <StatusBadge status={video.status} />
      </div>
      <div class="card-body">
        {pending && <ProgressBar progress={video.progress} />}
        {video.status === "failed" && (
          <p class="card-error">{video.error?.message || "The generation failed."}</p>
        )}
        <p class="card-prompt">{video.prompt}</p>
        <p class="card-meta">
          <span>{video.model} · {video.size} · {video.seconds}s</span>
          {video.remixed_from && (
            <span class="chip" title="Made by remixing another video">
              <Icon name="remix" />
              remixed
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
                title="Download"
              >
                <Icon name="download" />
              </a>
            )}
            {video.status === "completed" && <RemixDialog video={video} />}
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
