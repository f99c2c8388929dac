import type { z } from "zod";
import {
  createVideoSchema,
  extendSchema,
  libraryQuerySchema,
  remixSchema,
} from "../../services/videos/video_input.ts";
import { passwordChange } from "./account.ts";
import { credentials, logoutQuery } from "./auth.ts";
import { newToken } from "./tokens.ts";
import { contentQuerySchema, downloadQuerySchema } from "./video_params.ts";
import type { ShapeName } from "./openapi_shapes.ts";

/**
 * Every route of the JSON API, as the OpenAPI document (/api/openapi.json) and the reference page
 * (/api/docs) describe it. Request schemas are the very zod objects the routes validate with, so
 * the document cannot say other than what the route does. A route mounted under /api that is not
 * listed here fails tests/api_openapi_test.ts.
 *
 * To add a route: export its schema from where the route defines it, and add one entry below
 * (method and path exactly as mounted, `:name` for path parameters).
 */
export interface ApiRoute {
  method: "GET" | "POST" | "DELETE";
  /** As Hono mounts it: `/api/videos/:id`. */
  path: string;
  summary: string;
  description?: string;
  /** Tag that groups it on the page and in tools. */
  tag: "auth" | "account" | "videos" | "models" | "tokens" | "reference";
  /** false: answered without a token. Default: `Authorization: Bearer <token>`. */
  auth?: false;
  /** Path parameters: name → what it names. */
  params?: Record<string, string>;
  query?: z.ZodObject;
  /** A JSON body (and, with `multipart`, the same fields as a form with an image file). */
  body?: z.ZodObject;
  multipart?: boolean;
  /** A request body a script could send as it is. */
  example?: Record<string, unknown>;
  ok: {
    status: 200 | 201 | 204;
    description: string;
    /** A JSON answer of this shape (routes/api/openapi_shapes.ts)… */
    shape?: ShapeName;
    /** …or these media types (bytes, an event stream). */
    media?: string[];
    /** Another success status with the same content (`200` for "it was there already"). */
    also?: { status: 200 | 201; description: string };
  };
  /** Error statuses it may answer, each with the Error shape. */
  errors: number[];
}

const VIDEO_ID = { id: "the video's id (`vid_` and 24 hex digits)" };
const PROMPT_EXAMPLE = { prompt: "the same fox, now at dusk" };

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: "POST",
    path: "/api/auth/login",
    tag: "auth",
    summary: "Log in: a token for the API",
    description:
      "Prefer a named token made on /account/tokens; this one is named after the address.",
    auth: false,
    body: credentials,
    example: { username: "admin", password: "…" },
    ok: { status: 200, description: "the token and the user", shape: "Session" },
    errors: [400, 401, 403, 429],
  },
  {
    method: "POST",
    path: "/api/auth/logout",
    tag: "auth",
    summary: "End this token (or, with all=1, every session and token of the user)",
    query: logoutQuery,
    ok: { status: 204, description: "ended" },
    errors: [400, 401],
  },
  {
    method: "GET",
    path: "/api/me",
    tag: "account",
    summary: "Who the token belongs to",
    ok: { status: 200, description: "the user", shape: "User" },
    errors: [401],
  },
  {
    method: "POST",
    path: "/api/me/password",
    tag: "account",
    summary: "Change the password; the user's other sessions and tokens end",
    body: passwordChange,
    example: { current_password: "…", new_password: "…" },
    ok: { status: 204, description: "changed" },
    errors: [400, 401, 403],
  },
  {
    method: "GET",
    path: "/api/me/tokens",
    tag: "tokens",
    summary: "The user's live API tokens, newest first (never the tokens themselves)",
    ok: { status: 200, description: "the tokens", shape: "TokenList" },
    errors: [401],
  },
  {
    method: "POST",
    path: "/api/me/tokens",
    tag: "tokens",
    summary: "Make a named token, answered this once; it lasts 90 days",
    description: "The name is trimmed, then 1–60 characters (checked past the schema's limit).",
    body: newToken,
    example: { name: "nightly renders" },
    ok: { status: 201, description: "the new token", shape: "NewToken" },
    errors: [400, 401, 409],
  },
  {
    method: "DELETE",
    path: "/api/me/tokens/:id",
    tag: "tokens",
    summary: "Revoke a token; live streams opened with it close",
    params: { id: "the token's id, from GET /api/me/tokens" },
    ok: { status: 204, description: "revoked" },
    errors: [401, 404],
  },
  {
    method: "GET",
    path: "/api/models",
    tag: "models",
    summary: "The models this server offers, with sizes, lengths, prices and actions",
    ok: { status: 200, description: "the models", shape: "ModelList" },
    errors: [401],
  },
  {
    method: "POST",
    path: "/api/videos",
    tag: "videos",
    summary: "Make a video",
    description: "What is allowed beyond these limits (size, seconds, negative_prompt, audio, " +
      "input_reference) follows the chosen model, as GET /api/models lists it. The prompt is " +
      "trimmed first. Multipart adds `input_reference`, a JPEG, PNG or WebP start image of at " +
      "most 20 MB.",
    body: createVideoSchema,
    multipart: true,
    example: { prompt: "a red fox in fresh snow", seconds: "8" },
    ok: { status: 201, description: "the new video, queued", shape: "Video" },
    errors: [400, 401, 413, 415, 429, 502, 503],
  },
  {
    method: "GET",
    path: "/api/videos",
    tag: "videos",
    summary: "The user's videos, newest first, a page at a time",
    query: libraryQuerySchema,
    ok: { status: 200, description: "a page of videos", shape: "VideoList" },
    errors: [400, 401],
  },
  {
    method: "GET",
    path: "/api/videos/:id",
    tag: "videos",
    summary: "One video",
    params: VIDEO_ID,
    ok: { status: 200, description: "the video", shape: "Video" },
    errors: [401, 404],
  },
  {
    method: "DELETE",
    path: "/api/videos/:id",
    tag: "videos",
    summary: "Delete a video: its row and files (upstream delete attempted)",
    params: VIDEO_ID,
    ok: { status: 204, description: "deleted" },
    errors: [401, 404],
  },
  {
    method: "GET",
    path: "/api/videos/:id/content",
    tag: "videos",
    summary: "The video's MP4, thumbnail or storyboard (ranges, ETag)",
    params: VIDEO_ID,
    query: contentQuerySchema,
    ok: {
      status: 200,
      description: "the bytes (206 for a Range)",
      media: ["video/mp4", "image/webp", "image/jpeg"],
    },
    errors: [400, 401, 404, 409],
  },
  {
    method: "GET",
    path: "/api/videos/:id/reference",
    tag: "videos",
    summary: "The start image the video was made from",
    params: VIDEO_ID,
    query: downloadQuerySchema,
    ok: {
      status: 200,
      description: "the image (206 for a Range)",
      media: ["image/jpeg", "image/png", "image/webp"],
    },
    errors: [400, 401, 404],
  },
  {
    method: "GET",
    path: "/api/videos/:id/provenance",
    tag: "videos",
    summary: "Everything that made the video, as a JSON file to keep beside the MP4",
    params: VIDEO_ID,
    ok: { status: 200, description: "an attachment", media: ["application/json"] },
    errors: [401, 404],
  },
  {
    method: "POST",
    path: "/api/videos/:id/remix",
    tag: "videos",
    summary: "A new video: the finished one changed by a prompt",
    params: VIDEO_ID,
    body: remixSchema,
    example: PROMPT_EXAMPLE,
    ok: { status: 201, description: "the new video (`remixed_from` = the source)", shape: "Video" },
    errors: [400, 401, 404, 409, 429, 502, 503],
  },
  {
    method: "POST",
    path: "/api/videos/:id/extend",
    tag: "videos",
    summary: "A longer video: a new segment appended",
    description: "`seconds` is the new segment's length, one of the model's `extension.seconds` " +
      "(the first when left out).",
    params: VIDEO_ID,
    body: extendSchema,
    example: { prompt: "the fox runs into the forest", seconds: "8" },
    ok: { status: 201, description: "the new video (`remixed_from` = the source)", shape: "Video" },
    errors: [400, 401, 404, 409, 429, 502, 503],
  },
  {
    method: "POST",
    path: "/api/videos/:id/edit",
    tag: "videos",
    summary: "The same video with a prompt's changes",
    params: VIDEO_ID,
    body: remixSchema,
    example: { prompt: "now make it night" },
    ok: { status: 201, description: "the new video (`remixed_from` = the source)", shape: "Video" },
    errors: [400, 401, 404, 409, 429, 502, 503],
  },
  {
    method: "POST",
    path: "/api/videos/:id/continue",
    tag: "videos",
    summary: "A new video starting from the finished one's last frame",
    params: VIDEO_ID,
    body: remixSchema,
    example: PROMPT_EXAMPLE,
    ok: { status: 201, description: "the new video (`remixed_from` = the source)", shape: "Video" },
    errors: [400, 401, 404, 409, 429, 502, 503],
  },
  {
    method: "POST",
    path: "/api/videos/:id/cancel",
    tag: "videos",
    summary: "Cancel a queued or in-progress video",
    description: "Free when unsent or stopped upstream; otherwise its cost stays, and the " +
      "error's message says so.",
    params: VIDEO_ID,
    ok: { status: 200, description: "the video, now failed with `cancelled`", shape: "Video" },
    errors: [401, 404, 409],
  },
  {
    method: "POST",
    path: "/api/videos/:id/share",
    tag: "videos",
    summary: "A link that plays the finished video without logging in, until revoked",
    params: VIDEO_ID,
    ok: {
      status: 201,
      description: "the new link",
      shape: "Share",
      also: { status: 200, description: "the link it already had" },
    },
    errors: [401, 404, 409],
  },
  {
    method: "DELETE",
    path: "/api/videos/:id/share",
    tag: "videos",
    summary: "Revoke the video's link (its owner, or an admin)",
    params: VIDEO_ID,
    ok: { status: 204, description: "revoked (or there was none)" },
    errors: [401, 404],
  },
  {
    method: "GET",
    path: "/api/events",
    tag: "videos",
    summary: "Live changes of the user's videos (server-sent events)",
    description: "`event: video` with a video object as `data` on every change; a comment line " +
      "at least every 15 s.",
    ok: { status: 200, description: "an endless event stream", media: ["text/event-stream"] },
    errors: [401, 429],
  },
  {
    method: "GET",
    path: "/api/openapi.json",
    tag: "reference",
    summary: "This API as an OpenAPI 3.1 document",
    auth: false,
    ok: { status: 200, description: "the document", media: ["application/json"] },
    errors: [],
  },
  {
    method: "GET",
    path: "/api/docs",
    tag: "reference",
    summary: "This API as a page to read",
    auth: false,
    ok: { status: 200, description: "an HTML page", media: ["text/html"] },
    errors: [],
  },
];
