/**
 * The SSE connection (htmx 4 `hx-sse:connect`) plus its visible state: "Live" or
 * "Reconnecting…" (app.js listens to the extension's events and sets `data-state`).
 * `hx-swap="none"` keeps this element from ever being emptied: messages only do their
 * out-of-band swaps (cards with `hx-swap-oob`). `watch` (detail page) makes app.js follow
 * one video's progress from the same messages and reload when it finishes. `since` (ms, the
 * shown state's update time) makes the first connection replay every change after it, so a video
 * that finished while the page loaded is not missed (a new stream otherwise only replays the
 * videos still under way).
 */
export function LiveStatus(props: { url?: string; watch?: string; since?: number }) {
  return (
    <div
      id="live-updates"
      class="live"
      data-live
      data-state="connecting"
      data-watch={props.watch}
      role="status"
      hx-sse:connect={props.url ?? "/events"}
      hx-headers={props.since === undefined
        ? undefined
        : JSON.stringify({ "Last-Event-ID": String(props.since) })}
      hx-swap="none"
      hx-trigger="load, sse-retry"
    >
      <span class="live-dot" aria-hidden="true"></span>
      <span class="live-label">Connecting…</span>
    </div>
  );
}
