import type { Child } from "hono/jsx";
import type { Video } from "../../services/types.ts";
import { formatCost, videoPath } from "../format.ts";
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
 * (edit) and one that goes on from its last frame (continue), each with its cost, as the service
 * says (`video.actions`). Missing actions say why, each reason once.
 */
export function MoreFromVideo(props: { video: Video }) {
  const { video } = props;
  const { extend, edit } = video.actions;
  const go = video.actions.continue;
  const reasons = [
    ...new Set(
      [video.actions.remix, extend, edit, go].filter((a) => !a.available && a.reason)
        .map((a) => a.reason!),
    ),
  ];
  return (
    <div class="detail-more-from">
      {extend.available && (
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
            {(extend.options ?? []).map((o) => (
              <Option key={o.seconds} value={o.seconds}>
                {o.seconds} seconds · {formatCost(o.cost)} · {o.result_seconds}s in all
              </Option>
            ))}
          </select>
        </ActionForm>
      )}
      {edit.available && (
        <ActionForm
          video={video}
          action="edit"
          summary="Edit"
          label="What should change?"
          placeholder="Make the sky stormy"
          hint={`The same video, at the same size and length, with the changes you describe (${
            formatCost(edit.cost ?? 0)
          }).`}
          submit={`Edit · ${formatCost(edit.cost ?? 0)}`}
        />
      )}
      {go.available && (
        <ActionForm
          video={video}
          action="continue"
          summary="Continue from the last frame"
          label="What happens next?"
          placeholder="The camera follows as…"
          hint={`A new video at the same model, size and length, starting from this one's last frame (${
            formatCost(go.cost ?? 0)
          }).`}
          submit={`Continue · ${formatCost(go.cost ?? 0)}`}
        />
      )}
      {reasons.map((reason) => <Note key={reason} text={reason} />)}
    </div>
  );
}
