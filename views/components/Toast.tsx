import { Icon } from "./Icon.tsx";

/**
 * One toast. The server answers refused htmx requests with this fragment plus
 * `HX-Retarget: #toasts` and `HX-Reswap: beforeend`; app.js dismisses it after a few seconds.
 */
export function Toast(props: { kind: "error" | "success"; message: string }) {
  return (
    <div class={`toast toast-${props.kind}`} data-toast={props.kind}>
      <Icon name={props.kind === "error" ? "alert" : "check"} class="toast-icon" />
      <p class="toast-message">{props.message}</p>
      <button
        type="button"
        class="toast-close"
        data-toast-dismiss
        aria-label="Dismiss notification"
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
