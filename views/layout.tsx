import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { User } from "../services/types.ts";
import { Icon } from "./components/Icon.tsx";

export const APP_NAME = "Sora Studio";

/** Inline SVG favicon (a data: URL, allowed by `img-src data:`): no extra request, no 404. */
const FAVICON = "data:image/svg+xml," + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
    '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">' +
    '<stop offset="0" stop-color="#6d4dff"/><stop offset=".6" stop-color="#c03fd8"/>' +
    '<stop offset="1" stop-color="#ff7a59"/></linearGradient></defs>' +
    '<rect width="32" height="32" rx="8" fill="url(#g)"/>' +
    '<path d="M13 10.5v11l9-5.5z" fill="#fff"/></svg>',
);

export function DemoBanner() {
  return (
    <div class="demo-banner" role="note">
      <strong>Demo mode</strong>{" "}
      — videos come from built-in simulators of fal.ai, Gemini Omni, Veo on Vertex AI and an
      OpenAI-compatible endpoint. Set FAL_KEY, GEMINI_API_KEY, GOOGLE_CLOUD_PROJECT with
      GOOGLE_APPLICATION_CREDENTIALS, or OPENAI_API_KEY to make real videos.
    </div>
  );
}

/**
 * The full HTML document. Scripts are all same-origin and deferred, in this order:
 * htmx, its SSE extension, app.js (registers the Alpine components on `alpine:init`), Alpine.
 * Works under `script-src 'self'; style-src 'self'` — no inline script or style anywhere.
 */
export function Layout(props: {
  title: string;
  user?: User | null;
  demo: boolean;
  children?: Child;
}) {
  const title = props.title && props.title !== APP_NAME ? `${props.title} · ${APP_NAME}` : APP_NAME;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="htmx-config" content='{"history": false}' />
          <title>{title}</title>
          <link rel="icon" href={FAVICON} />
          <link rel="stylesheet" href="/static/app.css" />
          {
            /* Not deferred: htmx starts itself on a timer when the document has already been parsed,
              which could run before a deferred extension registers, leaving the live stream off. */
          }
          <script src="/static/htmx.js"></script>
          <script src="/static/hx-sse.js"></script>
          <script defer src="/static/app.js"></script>
          <script defer src="/static/alpine.js"></script>
        </head>
        <body class={props.user ? "signed-in" : "signed-out"}>
          <div class="busy-bar" aria-hidden="true"></div>
          <a class="skip-link" href="#main">Skip to content</a>
          {props.demo && <DemoBanner />}
          {props.user && (
            // Filled (and kept current) from the server: empty while the upstream works.
            <div
              id="upstream-banner"
              hx-get="/status/banner"
              hx-trigger="load, every 30s"
              hx-swap="innerHTML"
            >
            </div>
          )}
          <header class="site-header">
            <div class="container header-inner">
              <a class="brand" href="/">
                <Icon name="logo" class="brand-icon" />
                <span class="brand-name">{APP_NAME}</span>
              </a>
              {props.user && (
                <div class="header-user">
                  <a
                    class="user-name"
                    href="/account/password"
                    title="Signed in · change your password"
                  >
                    <span class="avatar" aria-hidden="true">
                      {props.user.username.slice(0, 1).toUpperCase()}
                    </span>
                    <span class="user-label">{props.user.username}</span>
                    {props.user.role === "admin" && <span class="chip chip-admin">admin</span>}
                  </a>
                  {props.user.role === "admin" && (
                    <a class="btn btn-ghost btn-sm admin-link" href="/admin">Admin</a>
                  )}
                  <a class="btn btn-ghost btn-sm password-link" href="/account/password">
                    Password
                  </a>
                  <a class="btn btn-ghost btn-sm password-link" href="/account/tokens">
                    API tokens
                  </a>
                  <form method="post" action="/logout" class="logout-form">
                    <button type="submit" class="btn btn-ghost btn-sm">
                      <Icon name="logout" />
                      Log out
                    </button>
                  </form>
                </div>
              )}
            </div>
          </header>
          <main id="main" class="container main" tabindex={-1}>
            {props.children}
          </main>
          <div id="toasts" class="toasts" aria-live="polite"></div>
        </body>
      </html>
    </>
  );
}
