/*
 * Sora Studio — browser glue. Plain script (no modules, no build step), loaded with `defer`
 * after htmx and its SSE extension and before Alpine (CSP build).
 *
 * - Alpine components (registered on `alpine:init`): createForm, remix.
 *   The CSP build cannot evaluate arbitrary JS, so templates only name properties and
 *   methods; all logic lives here.
 * - Toasts: auto-dismiss, dismiss button, toast for failed htmx requests.
 * - Live updates: "Live" / "Reconnecting…" state of the SSE element, retry of a failed first
 *   connection, progress on the detail page.
 * - <time data-local> shown in the reader's locale and time zone.
 * - Cards: elapsed time ticking, hover scrub preview from the spritesheet, play in place.
 * - In-flight indicator (a bar at the top while any request runs), copy prompt, example
 *   prompts, filters mirrored into the address bar.
 */
(() => {
  "use strict";

  const TOAST_MS = { success: 5000, error: 8000 };
  const MAX_TOASTS = 4;
  const loc = globalThis.location;

  // ------------------------------------------------------------------ helpers

  function formatCost(usd) {
    return "≈ $" + (Number.isFinite(usd) ? usd : 0).toFixed(2);
  }

  function formatBytes(n) {
    return n >= 1024 * 1024 ? (n / 1024 / 1024).toFixed(1) + " MB" : Math.ceil(n / 1024) + " KB";
  }

  function statusOf(evt) {
    const ctx = evt.detail && evt.detail.ctx;
    return ctx && ctx.response ? ctx.response.status : 0;
  }

  function succeeded(evt) {
    const s = statusOf(evt);
    return s >= 200 && s < 300;
  }

  /** The card id ("video-…") in an htmx answer, parsed inertly. */
  function cardIdIn(html) {
    const doc = new DOMParser().parseFromString(html || "", "text/html");
    const card = doc.querySelector("article.card[id^='video-']");
    return card ? card.id.slice("video-".length) : null;
  }

  // ------------------------------------------------------------------ toasts

  /** Where new toasts go: inside an open modal dialog if there is one (the rest is inert). */
  function toastRegion() {
    const dialogs = [...document.querySelectorAll("dialog[open]")].reverse();
    for (const dialog of dialogs) {
      const area = dialog.matches(":modal") && dialog.querySelector(".dialog-toasts");
      if (area) return area;
    }
    return document.getElementById("toasts");
  }

  const ICONS = {
    error: [
      "M12 8v5",
      "M12 16.5v.01",
      "M10.3 3.9 2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
    ],
    success: ["M20 6 9 17l-5-5"],
    close: ["M6 6l12 12", "M18 6 6 18"],
  };

  function svgIcon(paths, className) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    const attrs = {
      class: className,
      viewBox: "0 0 24 24",
      width: "20",
      height: "20",
      fill: "none",
      stroke: "currentColor",
      "stroke-width": "2",
      "stroke-linecap": "round",
      "stroke-linejoin": "round",
      "aria-hidden": "true",
    };
    for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, v);
    for (const d of paths) {
      const p = document.createElementNS(ns, "path");
      p.setAttribute("d", d);
      svg.appendChild(p);
    }
    return svg;
  }

  /** Same markup as views/components/Toast.tsx, built without innerHTML. */
  function showToast(kind, message) {
    const region = toastRegion();
    if (!region) return;
    const toast = document.createElement("div");
    toast.className = "toast toast-" + kind;
    toast.setAttribute("data-toast", kind);
    const text = document.createElement("p");
    text.className = "toast-message";
    text.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("data-toast-dismiss", "");
    close.setAttribute("aria-label", "Dismiss notification");
    close.appendChild(svgIcon(ICONS.close, "icon"));
    toast.append(svgIcon(ICONS[kind] || ICONS.error, "icon toast-icon"), text, close);
    region.appendChild(toast);
  }

  function dismissToast(toast) {
    if (!toast || toast._leaving) return;
    toast._leaving = true;
    clearTimeout(toast._timer);
    toast.classList.add("toast-leaving");
    const reduce = globalThis.matchMedia("(prefers-reduced-motion: reduce)").matches;
    setTimeout(() => toast.remove(), reduce ? 0 : 180);
  }

  function armToast(toast) {
    if (toast._armed) return;
    toast._armed = true;
    const kind = toast.getAttribute("data-toast") === "success" ? "success" : "error";
    const start = (ms) => {
      clearTimeout(toast._timer);
      toast._timer = setTimeout(() => dismissToast(toast), ms);
    };
    const pause = () => clearTimeout(toast._timer);
    start(TOAST_MS[kind]);
    // Pause while pointed at or focused, so it can be read or dismissed.
    toast.addEventListener("pointerenter", pause);
    toast.addEventListener("focusin", pause);
    toast.addEventListener("pointerleave", () => start(2500));
    toast.addEventListener("focusout", () => start(2500));
  }

  function adoptToast(toast) {
    // A toast the server swapped into #toasts while a modal dialog is open is invisible to
    // keyboard and screen-reader users (everything outside the dialog is inert): move it in.
    const region = toastRegion();
    const parent = toast.parentElement;
    if (region && parent && parent !== region && parent.id === "toasts") {
      region.appendChild(toast);
    }
    armToast(toast);
    const siblings = toast.parentElement ? [...toast.parentElement.querySelectorAll(".toast")] : [];
    siblings.slice(0, Math.max(0, siblings.length - MAX_TOASTS)).forEach(dismissToast);
  }

  document.addEventListener("click", (evt) => {
    const btn = evt.target instanceof Element && evt.target.closest("[data-toast-dismiss]");
    if (btn) dismissToast(btn.closest(".toast"));
  });

  // ------------------------------------------------------------------ local times

  let timeFormat = null;
  function localizeTime(el) {
    if (el._localized) return;
    const d = new Date(el.getAttribute("datetime") || "");
    if (Number.isNaN(d.getTime())) return;
    try {
      timeFormat ||= new Intl.DateTimeFormat(undefined, {
        dateStyle: "medium",
        timeStyle: "short",
      });
      el.textContent = timeFormat.format(d);
      el.title = d.toISOString();
      el._localized = true;
    } catch (_e) {
      // keep the server's UTC text
    }
  }

  // ------------------------------------------------------------------ new content

  function scan(root) {
    if (!(root instanceof Element)) return;
    const toasts = root.matches(".toast") ? [root] : root.querySelectorAll(".toast");
    toasts.forEach(adoptToast);
    const times = root.matches("time[data-local]")
      ? [root]
      : root.querySelectorAll("time[data-local]");
    times.forEach(localizeTime);
  }

  new MutationObserver((records) => {
    for (const r of records) r.addedNodes.forEach(scan);
  }).observe(document.documentElement, { childList: true, subtree: true });
  scan(document.documentElement);

  // ------------------------------------------------------------------ htmx: errors

  function isLive(el) {
    return el instanceof Element && el.hasAttribute("data-live");
  }

  function goToLogin() {
    setTimeout(() => loc.assign("/login"), 1500);
  }

  function messageForStatus(status) {
    if (status === 401) return "Your session has expired. Please log in again.";
    if (status === 403) return "You don't have permission to do that.";
    if (status === 404) return "That video no longer exists. Reload the page to refresh the list.";
    if (status === 413) return "That upload is too large.";
    if (status === 429) return "Too many requests — wait a moment and try again.";
    if (status >= 500) return `The server had a problem (HTTP ${status}). Please try again.`;
    return `The request failed (HTTP ${status}).`;
  }

  // 4xx/5xx answers: htmx 4 swaps them by default. The server marks the ones it wants shown
  // (a Toast plus HX-Retarget: #toasts). Anything else must not replace a card or form.
  document.addEventListener("htmx:response:error", (evt) => {
    const ctx = evt.detail && evt.detail.ctx;
    if (!ctx) return;
    const status = ctx.response ? ctx.response.status : 0;
    if (isLive(evt.target)) {
      ctx.swap = "none";
      if (status === 401) return goToLogin();
      setLiveState(evt.target, "reconnecting");
      scheduleRetry(evt.target);
      return;
    }
    const hx = ctx.hx || {};
    if (hx.retarget || hx.redirect || hx.location || hx.refresh) return;
    if (/\bdata-toast\b/.test(ctx.text || "")) {
      ctx.target = toastRegion();
      ctx.swap = "beforeend";
      return;
    }
    ctx.swap = "none";
    showToast("error", messageForStatus(status));
    if (status === 401) goToLogin();
  });

  // Network failures, time-outs and other errors while issuing a request.
  document.addEventListener("htmx:error", (evt) => {
    const detail = evt.detail || {};
    if (isLive(evt.target)) {
      setLiveState(evt.target, "reconnecting");
      scheduleRetry(evt.target);
      return;
    }
    if (!detail.ctx) return; // not a request (htmx already logged it)
    const signal = detail.ctx.request && detail.ctx.request.signal;
    if (signal && signal.reason === "timeout") {
      showToast("error", "The server took too long to answer. Please try again.");
    } else if (detail.error instanceof TypeError) {
      showToast(
        "error",
        "Network error — couldn't reach the server. Check your connection and try again.",
      );
    } else {
      showToast("error", "Something went wrong. Please try again.");
    }
  });

  // A request whose session expired gets redirected to the login page: never swap that page
  // into a card or the library; go there instead.
  document.addEventListener("htmx:before:swap", (evt) => {
    const ctx = evt.detail && evt.detail.ctx;
    const raw = ctx && ctx.response && ctx.response.raw;
    if (raw && raw.redirected && new URL(raw.url, loc.href).pathname === "/login") {
      evt.preventDefault();
      loc.assign("/login");
    }
  });

  // A live update must not yank a card out from under the user: keep a card whose remix
  // dialog is open or whose video is playing when the update does not change its status.
  document.addEventListener("htmx:before:swap", (evt) => {
    const tasks = evt.detail && evt.detail.tasks;
    if (!Array.isArray(tasks)) return;
    for (let i = tasks.length - 1; i >= 0; i--) {
      const task = tasks[i];
      const target = task.target;
      if (task.type !== "oob" || !(target instanceof Element)) continue;
      const busy = target.querySelector("dialog[open]") ||
        [...target.querySelectorAll("video")].some((v) => !v.paused);
      const next = task.fragment && task.fragment.firstElementChild;
      if (busy && next && next.getAttribute("data-status") === target.getAttribute("data-status")) {
        tasks.splice(i, 1);
      }
    }
  });

  // Delete on the detail page: back to the library once the server confirms. Remix, extend,
  // edit and continue on the detail page: open the new video's page.
  document.addEventListener("htmx:after:request", (evt) => {
    const el = evt.target;
    if (!(el instanceof Element) || !succeeded(evt)) return;
    const then = el.getAttribute("data-on-success");
    if (then === "go-home") loc.assign("/");
    if (then === "open-video") {
      const id = cardIdIn(evt.detail.ctx.text);
      if (id) loc.assign("/videos/" + encodeURIComponent(id));
    }
  });

  function highlightNewCard() {
    const card = document.querySelector("#library > .card");
    if (!card) return;
    card.classList.add("is-new");
    setTimeout(() => card.classList.remove("is-new"), 2400);
  }

  // The library filters: keep the address bar in step, so a reload or a shared link shows the
  // same selection (the dashboard reads q, status and model from the query).
  document.addEventListener("htmx:after:request", (evt) => {
    const form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-filters")) return;
    if (!succeeded(evt)) return;
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) {
      if (typeof v === "string" && v.trim()) params.set(k, v.trim());
    }
    const query = params.toString();
    history.replaceState(history.state, "", query ? "/?" + query : "/");
  });

  // ------------------------------------------------------------------ in-flight indicator

  // A thin bar at the top of the page while any request (not the live stream) is under way.
  let inFlight = 0;
  function setBusy(delta) {
    inFlight = Math.max(0, inFlight + delta);
    document.documentElement.classList.toggle("is-busy", inFlight > 0);
  }
  document.addEventListener("htmx:before:request", (evt) => {
    const ctx = evt.detail && evt.detail.ctx;
    if (!ctx || isLive(evt.target) || ctx._busy) return;
    ctx._busy = true;
    setBusy(1);
  });
  document.addEventListener("htmx:finally:request", (evt) => {
    const ctx = evt.detail && evt.detail.ctx;
    if (!ctx || !ctx._busy) return;
    ctx._busy = false;
    setBusy(-1);
  });

  // ------------------------------------------------------------------ htmx: live updates (SSE)

  const LIVE_LABELS = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
  };

  function setLiveState(el, state) {
    if (!isLive(el) || el.getAttribute("data-state") === state) return;
    el.setAttribute("data-state", state);
    const label = el.querySelector(".live-label");
    if (label) label.textContent = LIVE_LABELS[state] || state;
    document.documentElement.classList.toggle("is-offline", state === "reconnecting");
  }

  // The extension reconnects a stream that was established once (exponential back-off, no
  // attempt limit). If the very first request fails there is no stream to resume, so retry it
  // here: the element's hx-trigger includes "sse-retry".
  function scheduleRetry(el) {
    if (el._sseRetryTimer) return;
    const delay = el._sseRetryDelay || 1000;
    el._sseRetryDelay = Math.min(delay * 2, 30000);
    el._sseRetryTimer = setTimeout(() => {
      el._sseRetryTimer = null;
      if (el.isConnected) el.dispatchEvent(new CustomEvent("sse-retry"));
    }, delay);
  }

  document.addEventListener("htmx:sse:after:connection", (evt) => {
    const el = evt.target;
    if (!isLive(el)) return;
    el._sseRetryDelay = 0;
    el._sseSince = Date.now();
    setLiveState(el, "live");
  });

  document.addEventListener("htmx:sse:before:connection", (evt) => {
    const el = evt.target;
    const conn = evt.detail && evt.detail.connection;
    if (!isLive(el) || !conn || conn.attempt === 0) return;
    if (!document.hidden) setLiveState(el, "reconnecting");
    // A stream that keeps "connecting" and ending at once without a single message is not an
    // event stream (e.g. a redirect to the login page): stop the extension's fast loop and
    // go through the full htmx request again, which notices the redirect.
    const quick = el._sseSince && Date.now() - el._sseSince < 3000;
    el._sseQuick = quick ? (el._sseQuick || 0) + 1 : 0;
    if (el._sseQuick >= 3) {
      el._sseQuick = 0;
      conn.cancelled = true;
    }
  });

  document.addEventListener("htmx:sse:error", (evt) => {
    const el = evt.target;
    if (!isLive(el)) return;
    setLiveState(el, "reconnecting");
    if (evt.detail && evt.detail.status === 401) goToLogin();
  });

  document.addEventListener("htmx:sse:close", (evt) => {
    const el = evt.target;
    if (!isLive(el) || !el.isConnected) return;
    setLiveState(el, "reconnecting");
    scheduleRetry(el);
  });

  // Detail page: follow one video's progress in the same messages (the cards themselves have
  // no target on this page); reload once it reaches a final state.
  document.addEventListener("htmx:sse:before:message", (evt) => {
    const el = evt.target;
    if (!isLive(el)) return;
    el._sseQuick = 0;
    const id = el.getAttribute("data-watch");
    const data = evt.detail && evt.detail.message && evt.detail.message.data;
    if (!id || !data) return;
    const card = new DOMParser().parseFromString(data, "text/html").getElementById("video-" + id);
    const detail = document.querySelector("[data-video-id]");
    if (!card || !detail) return;
    const status = card.getAttribute("data-status");
    if (status === "completed" || status === "failed") {
      loc.reload();
      return;
    }
    if (status && status !== detail.getAttribute("data-status")) {
      detail.setAttribute("data-status", status);
      const oldBadge = detail.querySelector(".detail-status .badge");
      const newBadge = card.querySelector(".badge");
      if (oldBadge && newBadge) oldBadge.replaceWith(document.importNode(newBadge, true));
    }
    const progress = card.querySelector("progress");
    const value = progress ? Number(progress.getAttribute("value")) || 0 : null;
    const bar = detail.querySelector(".progress progress");
    const pct = detail.querySelector(".progress .progress-value");
    if (value !== null && bar) bar.value = value;
    if (value !== null && pct) pct.textContent = value + "%";
  });

  // ------------------------------------------------------------------ cards: elapsed time

  function formatDuration(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function tickElapsed() {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-elapsed-from]")) {
      const from = Date.parse(el.getAttribute("data-elapsed-from") || "");
      if (Number.isNaN(from)) continue;
      const text = formatDuration(now - from);
      if (el.textContent !== text) el.textContent = text;
    }
  }
  setInterval(tickElapsed, 1000);

  // ------------------------------------------------------------------ cards: scrub preview

  // A finished card's media link carries its spritesheet (a grid of frames, left to right then
  // top to bottom). Moving the pointer across it shows the frame at that point of the video:
  // the frame is fitted into the media box like the poster and chosen by background-position.
  // These are CSSOM writes from this (same-origin) script, which `style-src 'self'` allows.
  const sheets = new Map();

  function spritesheet(url) {
    let entry = sheets.get(url);
    if (!entry) {
      const img = new Image();
      entry = { img, ready: false, failed: false };
      img.addEventListener("load", () => entry.ready = true);
      img.addEventListener("error", () => entry.failed = true);
      img.decoding = "async";
      img.src = url;
      sheets.set(url, entry);
    }
    return entry;
  }

  /** Shows the frame under the pointer (x in client coordinates) in a card's media link. */
  function scrubTo(link, clientX) {
    const url = link.getAttribute("data-scrub");
    const layer = link.querySelector(".scrub");
    if (!url || !layer) return;
    link._scrubX = clientX;
    const sheet = spritesheet(url);
    if (!sheet.ready) {
      // Draw once it has loaded, at wherever the pointer is by then.
      if (!sheet.failed && !link._scrubPending) {
        link._scrubPending = true;
        sheet.img.addEventListener("load", () => {
          link._scrubPending = false;
          if (link.classList.contains("is-scrubbing")) scrubTo(link, link._scrubX);
        }, { once: true });
      }
      return;
    }
    const columns = Number(link.getAttribute("data-scrub-columns")) || 1;
    const rows = Number(link.getAttribute("data-scrub-rows")) || 1;
    const box = link.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return;
    const fraction = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    const count = columns * rows;
    const frame = Math.min(count - 1, Math.floor(fraction * count));
    // Fit one frame into the box (contain), centred, like the poster under it.
    const frameW = sheet.img.naturalWidth / columns;
    const frameH = sheet.img.naturalHeight / rows;
    const scale = Math.min(box.width / frameW, box.height / frameH);
    const w = frameW * scale;
    const h = frameH * scale;
    const col = frame % columns;
    const row = Math.floor(frame / columns);
    const st = layer.style;
    if (!layer.hasAttribute("data-ready")) {
      st.backgroundImage = `url("${url.replace(/["\\]/g, "\\$&")}")`;
      layer.setAttribute("data-ready", "");
    }
    st.width = `${w}px`;
    st.height = `${h}px`;
    st.left = `${(box.width - w) / 2}px`;
    st.top = `${(box.height - h) / 2}px`;
    st.backgroundSize = `${w * columns}px ${h * rows}px`;
    st.backgroundPosition = `${-col * w}px ${-row * h}px`;
    const head = link.querySelector(".scrub-head");
    if (head) head.style.transform = `scaleX(${(frame + 1) / count})`;
    link.setAttribute("data-frame", String(frame));
    link.classList.add("has-frame");
  }

  document.addEventListener("pointermove", (evt) => {
    if (evt.pointerType === "touch") return;
    const link = evt.target instanceof Element && evt.target.closest(".card-open[data-scrub]");
    if (!link) return;
    link.classList.add("is-scrubbing");
    scrubTo(link, evt.clientX);
  });

  document.addEventListener("pointerout", (evt) => {
    const link = evt.target instanceof Element && evt.target.closest(".card-open[data-scrub]");
    if (!link || (evt.relatedTarget instanceof Node && link.contains(evt.relatedTarget))) return;
    link.classList.remove("is-scrubbing", "has-frame");
  });

  // ------------------------------------------------------------------ cards: play in place

  document.addEventListener("click", (evt) => {
    const btn = evt.target instanceof Element && evt.target.closest("[data-play]");
    if (!btn) return;
    const card = btn.closest(".card");
    const video = card && card.querySelector("video");
    if (!video) return;
    card.classList.add("is-playing");
    video.controls = true;
    video.focus();
    video.play().catch(() => {});
  });

  // ------------------------------------------------------------------ dialogs: keep focus inside

  // A modal <dialog> makes the page behind it inert; Tab past its last control would leave for
  // the browser's own interface. Wrap around instead, both ways.
  const FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled])," +
    " textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  document.addEventListener("keydown", (evt) => {
    if (evt.key !== "Tab") return;
    const dialog = [...document.querySelectorAll("dialog[open]")].reverse()
      .find((d) => d.matches(":modal"));
    if (!dialog) return;
    const items = [...dialog.querySelectorAll(FOCUSABLE)]
      .filter((el) => el.getClientRects().length > 0);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (evt.shiftKey && (active === first || !dialog.contains(active))) {
      evt.preventDefault();
      last.focus();
    } else if (!evt.shiftKey && (active === last || !dialog.contains(active))) {
      evt.preventDefault();
      first.focus();
    }
  });

  // ------------------------------------------------------------------ copy, examples

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_e) {
      // Older browsers or a refused permission: the selection-based fallback.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (_e2) {
        ok = false;
      }
      area.remove();
      return ok;
    }
  }

  document.addEventListener("click", async (evt) => {
    const btn = evt.target instanceof Element && evt.target.closest("[data-copy]");
    if (!btn) return;
    const source = document.querySelector(btn.getAttribute("data-copy") || "");
    if (!source) return;
    const ok = await copyText(source.textContent || "");
    // `data-copied` names what was copied (an API token, a snippet); the default is the prompt.
    const done = btn.getAttribute("data-copied") || "Prompt copied to the clipboard.";
    if (ok) showToast("success", done);
    else showToast("error", "Couldn't copy — select the text and copy it by hand.");
  });

  document.addEventListener("click", (evt) => {
    const btn = evt.target instanceof Element && evt.target.closest("[data-example-prompt]");
    const prompt = document.getElementById("create-prompt");
    if (!btn || !prompt) return;
    prompt.value = btn.getAttribute("data-example-prompt") || "";
    prompt.dispatchEvent(new Event("input", { bubbles: true }));
    prompt.focus();
    const reduce = globalThis.matchMedia("(prefers-reduced-motion: reduce)").matches;
    prompt.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
  });

  // ------------------------------------------------------------------ plain forms: confirm

  // Plain (non-htmx) forms that destroy something ask first, e.g. removing a user.
  document.addEventListener("submit", (evt) => {
    const form = evt.target;
    const question = form instanceof HTMLFormElement && form.getAttribute("data-confirm");
    if (question && !globalThis.confirm(question)) evt.preventDefault();
  });

  // ------------------------------------------------------------------ Alpine components

  document.addEventListener("alpine:init", () => {
    const Alpine = globalThis.Alpine;

    /** The create form: counter, options per model, cost estimate, reference image checks. */
    Alpine.data("createForm", () => ({
      models: [],
      model: null,
      promptLength: 0,
      cost: 0,
      fileError: "",
      fileName: "",
      previewUrl: null,
      dragging: false,

      sound: true,

      get noAudioChoice() {
        return !(this.model && this.model.audio_choice);
      },
      get soundOrNoChoice() {
        return this.sound || this.noAudioChoice;
      },
      get noNegative() {
        return !(this.model && this.model.negative_prompt);
      },
      get noReference() {
        return !!this.model && this.model.reference === false;
      },
      get modelNote() {
        return this.model ? this.model.note : "";
      },
      get noPreview() {
        return !this.previewUrl;
      },
      get noFileError() {
        return !this.fileError;
      },
      /** The counter warns in the last tenth before the limit. */
      get counterClass() {
        const max = Number(this.$refs.prompt.getAttribute("maxlength")) || 4000;
        return { "is-near": this.promptLength >= max * 0.9 };
      },
      get costLabel() {
        return formatCost(this.cost);
      },
      get fileLabel() {
        return this.fileName || "Choose an image";
      },
      get referenceClass() {
        return {
          "is-dragging": this.dragging,
          "has-file": !!this.previewUrl,
          "has-error": !!this.fileError,
        };
      },

      init() {
        const form = this.$root;
        const data = document.getElementById("models-data");
        try {
          this.models = data ? JSON.parse(data.textContent || "[]") : [];
        } catch (_e) {
          this.models = [];
        }
        this.syncOptions();
        this.countPrompt();

        // The form is kept as sent after Generate, so the next take starts from this one.
        form.addEventListener("htmx:after:swap", (evt) => {
          if (evt.target !== form || !succeeded(evt)) return;
          highlightNewCard();
          showToast("success", "Generation started — your video is at the top of the library.");
        });

        const zone = form.querySelector(".reference");
        if (zone) {
          zone.addEventListener("dragover", (e) => {
            if (!e.dataTransfer || ![...e.dataTransfer.types].includes("Files")) return;
            e.preventDefault();
            this.dragging = true;
          });
          zone.addEventListener("dragleave", () => {
            this.dragging = false;
          });
          zone.addEventListener("drop", (e) => {
            this.dragging = false;
            if (!e.dataTransfer || !e.dataTransfer.files.length) return;
            e.preventDefault();
            this.$refs.file.files = e.dataTransfer.files;
            this.fileChanged();
          });
        }
      },

      destroy() {
        if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
      },

      currentModel() {
        const id = this.$refs.model.value;
        return this.models.find((m) => m.id === id) || null;
      },

      /** Rebuild an option list, keeping the current value when it is still allowed. */
      fillSelect(select, values, label, preferred) {
        if (!values || !values.length) return;
        const keep = values.includes(select.value)
          ? select.value
          : values.includes(preferred)
          ? preferred
          : values[0];
        select.replaceChildren(
          ...values.map((v) => new Option(label(v), v, v === keep, v === keep)),
        );
        select.value = keep;
      },

      /** The lengths the model makes at the chosen size. */
      fillSeconds(model) {
        const bySize = model.seconds_by_size || {};
        const allowed = bySize[this.$refs.size.value] || model.seconds;
        this.fillSelect(this.$refs.seconds, allowed, (s) => s + " seconds", model.default_seconds);
      },

      syncOptions() {
        const model = this.currentModel();
        if (model) {
          const label = (size) => model.size_labels[size] || size;
          this.fillSelect(this.$refs.size, model.sizes, label, model.default_size);
          this.fillSeconds(model);
        }
        this.model = model;
        // Inputs the model does not take are hidden and disabled (so they are not sent).
        if (!this.noReference) return this.recalc();
        if (this.$refs.file.value) this.clearFile();
        this.recalc();
      },

      modelChanged() {
        this.syncOptions();
      },

      sizeChanged() {
        const model = this.currentModel();
        if (model) this.fillSeconds(model);
        this.recalc();
      },

      /** The price of the choice, as the server's catalog quoted it (nothing computed here). */
      recalc() {
        const model = this.currentModel();
        const bySeconds = model ? model.quotes[this.$refs.size.value] || {} : {};
        const quote = bySeconds[this.$refs.seconds.value];
        this.sound = this.$refs.audio.checked;
        const silent = model && model.audio_choice && !this.sound;
        this.cost = quote ? (silent ? quote.silent : quote.sound) || 0 : 0;
      },

      countPrompt() {
        this.promptLength = this.$refs.prompt.value.length;
      },

      clearPrompt() {
        this.$refs.prompt.value = "";
        this.countPrompt();
        this.$refs.prompt.focus();
      },

      promptKeydown(e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          this.$refs.prompt.form.requestSubmit();
        }
      },

      fileChanged() {
        const input = this.$refs.file;
        const file = input.files && input.files[0];
        if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
        this.previewUrl = null;
        this.fileName = "";
        this.fileError = "";
        if (!file) return;
        if (!input.accept.split(",").includes(file.type)) {
          this.fileError = `“${file.name}” is not a JPEG, PNG or WebP image.`;
          input.value = "";
          return;
        }
        if (file.size > Number(this.$root.dataset.maxBytes)) {
          this.fileError = `“${file.name}” is ${formatBytes(file.size)}; the limit is 20 MB.`;
          input.value = "";
          return;
        }
        // What the bytes really are, the server checks: a lying file is refused with a toast.
        this.fileName = file.name;
        this.previewUrl = URL.createObjectURL(file);
      },

      clearFile() {
        this.$refs.file.value = "";
        if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
        this.previewUrl = null;
        this.fileName = "";
        this.fileError = "";
      },
    }));

    /** "Remix" button + modal dialog on a card or the detail page. */
    Alpine.data("remix", () => ({
      init() {
        const dialog = this.$refs.dialog;
        const form = this.$refs.form;
        // A click on the backdrop (outside the dialog box) closes it.
        dialog.addEventListener("click", (e) => {
          if (e.target === dialog) this.close();
        });
        form.addEventListener("htmx:after:request", (evt) => {
          if (evt.target !== form || !succeeded(evt)) return;
          // On the detail page the global handler opens the new video's page.
          if (form.getAttribute("data-on-success") === "open-video") return;
          form.reset();
          this.close();
          showToast("success", "Remix started — it is at the top of the library.");
        });
      },
      open() {
        const dialog = this.$refs.dialog;
        if (!dialog.open) dialog.showModal();
        this.$refs.prompt.focus();
      },
      close() {
        if (this.$refs.dialog.open) this.$refs.dialog.close();
      },
    }));
  });
})();
