import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../services/errors.ts";
import { MAX_REFERENCE_BYTES } from "../../services/media/images.ts";

/**
 * Request body limits, all in one place. Every body is refused with 413 past `DEFAULT_BODY_LIMIT`,
 * before it is read (a declared Content-Length says so at once; a chunked body is cut off as soon
 * as it passes the limit), so an unauthenticated client cannot make the server hold megabytes.
 */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

interface RouteLimit {
  /** The exact paths (POST) whose route applies this limit itself, instead of the default. */
  paths: readonly string[];
  maxSize: number;
  /** Why it was refused, for the person or script that sent it. */
  refusal: string;
}

/**
 * The routes that take more than the default, or a limit of their own. Hono's middleware composes,
 * so a global limit would also cap these: the global one skips them and the route applies its own
 * with `routeBodyLimit`. A path that does not match exactly (a trailing slash, another method)
 * gets the default, which is the stricter direction.
 */
export const ROUTE_BODY_LIMITS = {
  /** A create may carry a reference image (≤ 20 MB), plus room for the other form fields. */
  create: {
    paths: ["/api/videos", "/videos"],
    maxSize: MAX_REFERENCE_BYTES + 64 * 1024,
    refusal: "The request is too large: images may be at most 20 MB.",
  },
  /** fal's deliveries carry the request's result, a URL for a video: a few KiB at most. */
  falWebhook: {
    paths: ["/webhooks/fal"],
    maxSize: 64 * 1024,
    refusal: "Webhook bodies are small; this one is too large (at most 64 KB).",
  },
  /** OpenAI's events are small too, but carry more metadata than fal's. */
  openaiWebhook: {
    paths: ["/webhooks/openai"],
    maxSize: 256 * 1024,
    refusal: "Webhook bodies are small; this one is too large (at most 256 KB).",
  },
} as const satisfies Record<string, RouteLimit>;

const OWN_LIMIT_PATHS = new Set<string>(
  Object.values(ROUTE_BODY_LIMITS).flatMap((limit) => limit.paths),
);

function tooLarge(message: string) {
  return (): never => {
    throw new AppError(413, "payload_too_large", message);
  };
}

/** The limit for every route, except a POST to a path that applies its own (see the table). */
export function globalBodyLimit(): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: DEFAULT_BODY_LIMIT,
    onError: tooLarge(
      `The request body is too large: at most ${DEFAULT_BODY_LIMIT / 1024} KB is accepted here.`,
    ),
  });
  return (c, next) =>
    c.req.method === "POST" && OWN_LIMIT_PATHS.has(c.req.path) ? next() : limit(c, next);
}

/** The limit a route in the table applies itself, in place of the default. */
export function routeBodyLimit(name: keyof typeof ROUTE_BODY_LIMITS): MiddlewareHandler {
  const { maxSize, refusal } = ROUTE_BODY_LIMITS[name];
  return bodyLimit({ maxSize, onError: tooLarge(refusal) });
}
