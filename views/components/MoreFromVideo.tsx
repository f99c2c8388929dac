import type { Child } from "hono/jsx";
import type { Video } from "../../services/types.ts";
import { actionOf, formatCost, modelOf, remixOf, videoPath } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { Option } from "./Option.tsx";

/** One folded form that makes a new video from this one with a prompt (a plain POST). */
function ActionForm(props: {
  video: Video;
  action: "extend" | "edit" | "continue";
  summary: string;
  label: string;
  placeholder: string;
  hint: string;
  submit: string;
  children?: Child;
}) {
  const id = `${props.action}-prompt`;
  const path = `${videoPath(props.video)}/${props.action}`;
  return (
    <details class="detail-derive" data-action={props.action}>
      <summary>{props.summary}</summary>
      {
        /* htmx keeps the page (and the prompt) when it is refused, showing why in a toast; the
          plain POST is there for a browser without scripts. */
      }
      <form
        method="post"
        action={path}
        class="dialog-form"
        hx-post={path}
        hx-swap="none"
        hx-disable="find button[type=submit]"
        data-on-success="open-video"
      >
        <label class="label" for={id}>{props.label}</label>
        <textarea
          id={id}
          name="prompt"
          rows={3}
          maxlength={4000}
          required
          placeholder={props.placeholder}
        >
        </textarea>
        {props.children}
        <p class="hint">{props.hint}</p>
        <button type="submit" class="btn btn-primary">
          <span class="spinner htmx-indicator" aria-hidden="true"></span>
          {props.submit}
        </button>
      </form>
    </details>
  );
}

/** Why an action is not offered for this video. */
function Note(props: { text: string }) {
  return (
    <p class="hint detail-note">
      <Icon name="film" />
      {props.text}
    </p>
  );
}

/**
 * What can be made from a finished video besides a remix: a longer one (extend), a changed one
 * (edit), where its provider offers them, and one that goes on from its last frame (continue),
 * where there is a last frame to be had (a storyboard, or ffmpeg). Missing actions say why
 * (once: the page already says why remix is missing).
 */
export function MoreFromVideo(
  props: { video: Video; canContinue: boolean; keptUpstream: boolean },
) {
  const { video, keptUpstream } = props;
  const extend = actionOf(video, "extend");
  const edit = actionOf(video, "edit");
  const changeable = remixOf(video).ok || extend.ok || edit.ok;
  const price = modelOf(video)?.pricePerSecond[video.size] ?? 0;
  const whole = formatCost(price * Number(video.seconds));
  return (
    <div class="detail-more-from">
      {extend.ok && keptUpstream && (
        <ActionForm
          video={video}
          action="extend"
          summary="Extend"
          label="What happens next?"
          placeholder="The camera pulls back to show the whole valley"
          hint="A longer video: this one with a new segment appended. Only the new segment is paid for."
          submit="Extend"
        >
          <label class="label" for="extend-seconds">New segment</label>
          <select id="extend-seconds" name="seconds">
            {extend.seconds.map((s) => (
              <Option key={s} value={s}>
                {s} seconds · {formatCost(price * Number(s))} ·{" "}
                {Number(video.seconds) + Number(s)}s in all
              </Option>
            ))}
          </select>
        </ActionForm>
      )}
      {edit.ok && keptUpstream && (
        <ActionForm
          video={video}
          action="edit"
          summary="Edit"
          label="What should change?"
          placeholder="Make the sky stormy"
          hint={`The same video, at the same size and length, with the changes you describe (${whole}).`}
          submit="Edit"
        />
      )}
      {props.canContinue && (
        <ActionForm
          video={video}
          action="continue"
          summary="Continue from the last frame"
          label="What happens next?"
          placeholder="The camera follows as…"
          hint={`A new video at the same model, size and length, starting from this one's last frame (${whole}).`}
          submit="Continue"
        />
      )}
      {!keptUpstream && changeable && (
        <Note text="The provider no longer keeps this video, so it cannot be remixed, extended or edited any more; continue from its last frame or re-run it instead." />
      )}
      {keptUpstream && !extend.ok && extend.why && <Note text={extend.why} />}
      {!edit.ok && edit.why && edit.why !== remixOf(video).why && <Note text={edit.why} />}
    </div>
  );
}
