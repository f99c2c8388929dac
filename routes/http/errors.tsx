import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../../services/errors.ts";
import { errorFields } from "../../services/app/log.ts";
import { Toast } from "../../views/components/Toast.tsx";
import { ErrorPage } from "../../views/pages/error.tsx";
import type { AppDeps } from "./env.ts";
import { loginPathFor } from "./next_path.ts";

/**
 * The one place errors become answers: JSON for the API, a toast for htmx, a page for a browser.
 * Only what no rule expected is logged, and it never shows its details to the client.
 */
export function errorHandler(deps: AppDeps) {
  return (error: Error, c: Context) => {
    const known = toAppError(error);
    if (!known) {
      const log = deps.log ?? console;
      log.error("unexpected error", {
        method: c.req.method,
        path: c.req.path,
        ...errorFields(error),
      });
    }
    const failure = known ??
      new AppError(500, "internal_error", "Something went wrong on our side. Try again shortly.");
    if (failure.retryAfterSeconds !== undefined) {
      c.header("Retry-After", String(failure.retryAfterSeconds));
    }
    if (forMachines(c.req.path)) {
      if (failure.status === 401) c.header("WWW-Authenticate", 'Bearer realm="sora-studio"');
      const body = {
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.fields ? { fields: failure.fields } : {}),
        },
      };
      return c.json(body, failure.status);
    }
    if (failure.status === 401) {
      // Scripts (htmx, the live stream) cannot follow a redirect to a page usefully: tell them.
      const scripted = c.req.header("hx-request") ||
        c.req.header("accept")?.includes("text/event-stream");
      if (!scripted) {
        // A page opened from a link comes back after login; a form post has nothing to come back to.
        const url = new URL(c.req.url);
        const back = c.req.method === "GET" ? url.pathname + url.search : "/";
        return c.redirect(loginPathFor(back), 303);
      }
      c.header("HX-Redirect", "/login");
      return c.text("Your session has ended. Log in again.", 401);
    }
    if (c.req.header("hx-request")) {
      c.header("HX-Retarget", "#toasts");
      c.header("HX-Reswap", "beforeend");
      return c.html(<Toast kind="error" message={failure.message} />, failure.status);
    }
    return c.html(
      <ErrorPage demo={deps.config.simulate} status={failure.status} message={failure.message} />,
      failure.status,
    );
  };
}

/** Paths that scripts and agents call: they get JSON errors, never a page or a redirect. */
export function forMachines(path: string): boolean {
  return path.startsWith("/api/") || path.startsWith("/webhooks/") || path === "/mcp" ||
    path.startsWith("/mcp/");
}

function toAppError(error: Error): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 413) {
      return new AppError(413, "payload_too_large", "The request body is too large.");
    }
    if (status === 403) {
      return new AppError(
        403,
        "forbidden",
        "This request was refused (cross-site or expired page).",
      );
    }
    if (status >= 400 && status < 500) {
      return new AppError(400, "invalid_request", error.message || "The request is not valid.");
    }
  }
  return null;
}
