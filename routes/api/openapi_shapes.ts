import { z } from "zod";
import { CONTENT_VARIANTS, VIDEO_ACTIONS, VIDEO_STATUSES } from "../../services/types.ts";

/**
 * The shapes the JSON API answers with, for the OpenAPI document (routes/api/openapi.ts). The
 * TypeScript types in services/ say what the code builds; no zod schema checks an answer, so these
 * describe it once here, and tests/api_openapi_test.ts parses real answers with them so they cannot
 * drift. Objects are open (`z.object`): more fields may be added, none removed (API.md).
 */

const iso = z.string().meta({ format: "date-time" });
const usd = z.number().meta({ description: "US dollars" });

export const ErrorShape = z.object({
  error: z.object({
    code: z.string().meta({ description: "snake_case, stable: what a script branches on" }),
    message: z.string().meta({ description: "for a person" }),
    fields: z.record(z.string(), z.string()).optional()
      .meta({ description: "field → what is wrong with it (400 only)" }),
  }),
}).meta({ description: "Every error answer, whatever the status." });

export const UserShape = z.object({
  id: z.number().int(),
  username: z.string(),
  role: z.enum(["admin", "user"]),
});

export const SessionShape = z.object({
  token: z.string().meta({ description: "send as 'Authorization: Bearer <token>'; lasts 90 days" }),
  user: UserShape,
});

const actionOffer = z.object({
  available: z.boolean(),
  reason: z.string().optional(),
  cost: usd.optional(),
  options: z.array(z.object({
    seconds: z.string(),
    cost: usd,
    result_seconds: z.string(),
  })).optional(),
});

export const VideoShape = z.object({
  id: z.string().meta({ pattern: "^vid_[0-9a-f]{24}$" }),
  status: z.enum(VIDEO_STATUSES),
  progress: z.number().min(0).max(100),
  prompt: z.string(),
  model: z.string(),
  size: z.string().meta({ description: "WIDTHxHEIGHT" }),
  seconds: z.string(),
  remixed_from: z.string().nullable(),
  derivation: z.enum([...VIDEO_ACTIONS, "continue"]).nullable()
    .meta({ description: "how it was made from `remixed_from`; null for a new video" }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  created_at: iso,
  updated_at: iso,
  completed_at: iso.nullable(),
  upstream_id: z.string().nullable(),
  provider: z.string(),
  model_label: z.string(),
  provider_name: z.string(),
  cost: usd.meta({ description: "recorded when it was made; 0 once failed" }),
  audio: z.boolean().nullable(),
  negative_prompt: z.string().nullable(),
  reference: z.object({ type: z.string(), url: z.string().nullable() }).nullable(),
  variants: z.array(z.enum(CONTENT_VARIANTS)),
  media: z.object({
    width: z.number(),
    height: z.number(),
    seconds: z.number(),
    bytes: z.number(),
  }).nullable(),
  actions: z.record(z.string(), actionOffer)
    .meta({ description: "remix, extend, edit, continue, cancel: each available or why not" }),
  rerun_cost: usd,
  remake_with: z.object({
    model: z.string(),
    label: z.string(),
    size: z.string(),
    seconds: z.string(),
    cost: usd,
  }).nullable(),
  share: z.object({ url: z.string(), created_at: iso }).nullable()
    .meta({ description: "its live share link (`/s/<token>`), or null" }),
}).meta({ description: "A video, as every route that answers one answers it." });

export const VideoListShape = z.object({
  data: z.array(VideoShape),
  next_cursor: z.string().nullable().meta({ description: "pass as `cursor` for the next page" }),
});

export const ModelShape = z.object({
  id: z.string().meta({ description: "what a create names as `model`" }),
  provider: z.string(),
  provider_name: z.string(),
  label: z.string(),
  sizes: z.array(z.string()),
  seconds: z.array(z.string()),
  price_per_second: z.record(z.string(), usd),
  price_per_video: z.record(z.string(), usd).optional(),
  default_size: z.string(),
  default_seconds: z.string(),
  inputs: z.object({
    input_reference: z.boolean(),
    negative_prompt: z.boolean(),
    audio: z.boolean(),
  }),
  actions: z.record(z.string(), z.boolean()),
}).meta({ description: "A model this server offers (more fields: see the README)." });

export const ModelListShape = z.object({ data: z.array(ModelShape) });

export const TokenShape = z.object({
  id: z.string(),
  name: z.string(),
  created_at: iso,
  last_used_at: iso.nullable().meta({ description: "to the minute" }),
  expires_at: iso,
});

export const TokenListShape = z.object({ data: z.array(TokenShape) });

export const NewTokenShape = TokenShape.extend({
  token: z.string().meta({ description: "answered this once only" }),
});

export const ShareShape = z.object({
  url: z.string().meta({ description: "the link's path, `/s/<token>`, on this server" }),
  token: z.string(),
  created_at: iso,
});

/** Named in `components.schemas`; routes point at them with `$ref`. */
export const SHAPES = {
  Error: ErrorShape,
  User: UserShape,
  Session: SessionShape,
  Video: VideoShape,
  VideoList: VideoListShape,
  Model: ModelShape,
  ModelList: ModelListShape,
  Token: TokenShape,
  TokenList: TokenListShape,
  NewToken: NewTokenShape,
  Share: ShareShape,
} as const;

export type ShapeName = keyof typeof SHAPES;
