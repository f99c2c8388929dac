import { Buffer } from "node:buffer";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { AppError } from "../../services/errors.ts";
import { FRAME_COUNT } from "../../services/media/frames.ts";
import type { Logger } from "../../services/app/log.ts";
import { errorFields } from "../../services/app/log.ts";
import type { User, Video } from "../../services/types.ts";
import { spendReport } from "../../services/videos/spend.ts";
import { cancelVideo } from "../../services/videos/cancel.ts";
import {
  createVideoSchema,
  extendSchema,
  libraryQuerySchema,
  remixSchema,
} from "../../services/videos/video_input.ts";
import {
  continueVideo,
  createVideo,
  deleteVideo,
  editVideo,
  extendVideo,
  getVideo,
  listVideos,
  remixVideo,
  videoFrame,
  type VideoServices,
} from "../../services/videos/videos.ts";

/**
 * The MCP tools: what an AI agent can do, always as one user (the owner of the bearer token), with
 * the same services and input rules as the JSON API.
 */

/** The longest a wait tool call blocks: MCP clients commonly give up on a request after 60 s. */
export const MAX_WAIT_SECONDS = 50;
const DEFAULT_WAIT_SECONDS = 30;

const FINISHED: readonly string[] = ["completed", "failed"];

const videoId = z.string().trim().min(1, "Give the video's id.").describe(
  "The video's id, as create_video or list_videos gave it (vid_…).",
);

const idSchema = z.object({ id: videoId });
type IdArgs = z.output<typeof idSchema>;
const remixArgs = remixSchema.extend({ id: videoId });
const extendArgs = extendSchema.extend({
  id: videoId,
  seconds: z.string().optional().describe(
    "Length of the new segment in seconds, one of the model's extend_seconds (list_models); " +
      "the first of them when left out.",
  ),
});
const waitSchema = z.object({
  id: videoId,
  timeout_seconds: z.number().int().min(1).max(MAX_WAIT_SECONDS).default(DEFAULT_WAIT_SECONDS)
    .describe(`How long to wait at most, 1 to ${MAX_WAIT_SECONDS} seconds.`),
});
const frameSchema = z.object({
  id: videoId,
  frame: z.number().int().min(0).max(FRAME_COUNT - 1).default(0)
    .describe(`Which frame, 0 (start) to ${FRAME_COUNT - 1} (end).`),
});

function json(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }] };
}

function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** A video as an agent sees it: the API's video object, whose `cost` is the recorded one. */
function describe(video: Video) {
  return { ...video, estimated_cost_usd: video.cost };
}

/** Runs a tool; what the services refuse becomes a tool error with their message, never a crash. */
async function guarded(
  log: Logger | undefined,
  name: string,
  run: () => Promise<CallToolResult> | CallToolResult,
): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) {
      const fields = Object.entries(error.fields ?? {}).filter(([, v]) => v !== error.message);
      const detail = fields.map(([k, v]) => ` ${k}: ${v}`).join(";");
      return toolError(error.message + detail);
    }
    (log ?? console).error("mcp tool failed", { tool: name, ...errorFields(error) });
    return toolError("Something went wrong on our side. Try again shortly.");
  }
}

/** Waits until the video is finished or `seconds` pass; answers its state either way. */
async function waitForVideo(
  s: VideoServices,
  userId: number,
  id: string,
  seconds: number,
): Promise<Video> {
  let video = await getVideo(s, userId, id);
  if (FINISHED.includes(video.status)) return video;
  let stop = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  try {
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, seconds * 1000);
      stop = s.events.subscribe(userId, (changed) => {
        if (changed.id === id && FINISHED.includes(changed.status)) resolve();
      });
      // Events are the fast path; a slow poll covers a change published by another process.
      poll = setInterval(() => {
        getVideo(s, userId, id).then(
          (now) => FINISHED.includes(now.status) && resolve(),
          () => resolve(), // deleted meanwhile: the final lookup says so
        );
      }, 1000);
    });
  } finally {
    stop();
    clearTimeout(timer);
    clearInterval(poll);
  }
  video = await getVideo(s, userId, id);
  return video;
}

/** This calendar month's (UTC) estimated spend of one user; failed videos cost nothing. */
export async function monthSpend(s: VideoServices, userId: number) {
  const report = await spendReport(s.db, s.now(), {
    onlyUser: userId,
    labels: s.providers.catalog,
  });
  const me = report.users[0];
  return {
    month: report.month,
    videos: me?.videos ?? 0,
    estimated_usd: me?.usd ?? 0,
    monthly_budget_usd: me?.budget ?? null,
    by_model: report.models.map((m) => ({
      model: m.model,
      label: m.label,
      videos: m.videos,
      estimated_usd: m.usd,
    })),
    note: "Estimated from the price table (USD per second by model and size) when each video was " +
      "made; failed videos cost nothing. The provider's invoice is authoritative.",
  };
}

/** A fresh MCP server whose tools act as `user`; one per request (stateless Streamable HTTP). */
export function createMcpServer(s: VideoServices, user: User, log?: Logger): McpServer {
  const server = new McpServer({ name: "sora-studio", version: "0.1.0" });
  const uid = user.id;

  server.registerTool(
    "list_models",
    {
      title: "List models",
      description:
        "The video models this server offers, with the sizes (WIDTHxHEIGHT) and lengths " +
        "(seconds) each makes, its defaults, price in USD per second of video by size, whether its " +
        "videos can be remixed, extended (and by how many seconds) or edited, and which media a " +
        "finished video has (only models with " +
        "'spritesheet' support get_frame). Use the ids and values from here in create_video.",
      annotations: { readOnlyHint: true },
    },
    () =>
      guarded(log, "list_models", () =>
        json(s.providers.models.map((m) => ({
          id: m.id,
          label: m.label,
          provider: m.provider_name,
          sizes: m.sizes,
          seconds: m.seconds,
          ...(m.seconds_by_size ? { seconds_by_size: m.seconds_by_size } : {}),
          default_size: m.default_size,
          default_seconds: m.default_seconds,
          price_usd_per_second: m.price_per_second,
          remix: m.actions.remix,
          extend: m.actions.extend,
          ...(m.extension ? { extend_seconds: m.extension.seconds } : {}),
          edit: m.actions.edit,
          negative_prompt: m.inputs.negative_prompt,
          audio: m.audio,
          media: m.variants,
          default: m.id === s.providers.defaultModel?.id,
        })))),
  );

  server.registerTool(
    "create_video",
    {
      title: "Create a video",
      description: "Starts making a video from a text prompt and answers at once with the new " +
        "video (its id, status 'queued' or 'in_progress', and estimated cost); it takes minutes to " +
        "finish. Then call wait_for_video or get_video with the id. model, size and seconds default " +
        "to the server's default model and its defaults; see list_models for what each model " +
        "allows. This spends money on the provider's account.",
      inputSchema: createVideoSchema,
    },
    (args: z.output<typeof createVideoSchema>) =>
      guarded(log, "create_video", async () => json(describe(await createVideo(s, uid, args)))),
  );

  server.registerTool(
    "get_video",
    {
      title: "Get a video's status",
      description: "One of your videos: status (queued, in_progress, downloading, completed, " +
        "failed), progress 0–100, prompt, model, size, seconds, error when failed, and estimated " +
        "cost. Answers at once.",
      inputSchema: idSchema,
      annotations: { readOnlyHint: true },
    },
    ({ id }: IdArgs) =>
      guarded(log, "get_video", async () => json(describe(await getVideo(s, uid, id)))),
  );

  server.registerTool(
    "wait_for_video",
    {
      title: "Wait for a video to finish",
      description:
        `Waits until one of your videos is completed or failed, at most timeout_seconds ` +
        `(default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS}), and answers its state then ` +
        "with 'finished': true or false. When it is not finished yet, call it again.",
      inputSchema: waitSchema,
      annotations: { readOnlyHint: true },
    },
    ({ id, timeout_seconds }: z.output<typeof waitSchema>) =>
      guarded(log, "wait_for_video", async () => {
        const video = await waitForVideo(s, uid, id, timeout_seconds);
        return json({ finished: FINISHED.includes(video.status), ...describe(video) });
      }),
  );

  server.registerTool(
    "list_videos",
    {
      title: "List or search my videos",
      description:
        "Your videos, newest first: filter by status and model, search the prompts with " +
        "q, page with limit (1–100, default 20) and the next_cursor of the previous answer.",
      inputSchema: libraryQuerySchema,
      annotations: { readOnlyHint: true },
    },
    (query: z.output<typeof libraryQuerySchema>) =>
      guarded(log, "list_videos", async () => {
        const page = await listVideos(s, uid, query);
        return json({ data: page.data.map(describe), next_cursor: page.next_cursor });
      }),
  );

  server.registerTool(
    "remix_video",
    {
      title: "Remix a video",
      description:
        "Makes a new video from one of your completed videos with a prompt saying what " +
        "to change (same model, size and length). Answers at once with the new video; wait for it " +
        "as for create_video. Not every model can remix (list_models says which). Spends money.",
      inputSchema: remixArgs,
    },
    ({ id, prompt }: z.output<typeof remixArgs>) =>
      guarded(log, "remix_video", async () => json(describe(await remixVideo(s, uid, id, prompt)))),
  );

  server.registerTool(
    "extend_video",
    {
      title: "Extend a video",
      description:
        "Makes a longer video from one of your completed videos: the same video with a new " +
        "segment appended, with a prompt saying what happens in it. The result's seconds are the " +
        "whole length; the new segment is what is paid for. Answers at once with the new video; " +
        "wait for it as for create_video. Only models with extend (list_models) can, and some " +
        "only at some sizes: a refusal says why. Spends money.",
      inputSchema: extendArgs,
    },
    ({ id, ...request }: z.output<typeof extendArgs>) =>
      guarded(
        log,
        "extend_video",
        async () => json(describe(await extendVideo(s, uid, id, request))),
      ),
  );

  server.registerTool(
    "edit_video",
    {
      title: "Edit a video",
      description:
        "Makes a changed copy of one of your completed videos (same model, size and length) with " +
        "a prompt saying what to change. Answers at once with the new video. Only models with " +
        "edit (list_models) can. Spends money.",
      inputSchema: remixArgs,
    },
    ({ id, prompt }: z.output<typeof remixArgs>) =>
      guarded(log, "edit_video", async () => json(describe(await editVideo(s, uid, id, prompt)))),
  );

  server.registerTool(
    "continue_video",
    {
      title: "Continue a video from its last frame",
      description:
        "Makes a new video that starts from the last frame of one of your completed videos " +
        "(same model, size and length), with a prompt saying what happens next. Answers at once " +
        "with the new video. Only models whose media include 'spritesheet' can. Spends money.",
      inputSchema: remixArgs,
    },
    ({ id, prompt }: z.output<typeof remixArgs>) =>
      guarded(
        log,
        "continue_video",
        async () => json(describe(await continueVideo(s, uid, id, prompt))),
      ),
  );

  server.registerTool(
    "cancel_video",
    {
      title: "Cancel a video",
      description: "Stops one of your videos that is still queued or in progress: it becomes " +
        "failed with error code cancelled, and its message says what is still charged (nothing " +
        "if it had not been sent, or its provider stopped it). Refused once it is downloading, " +
        "completed or failed.",
      inputSchema: idSchema,
      annotations: { destructiveHint: true, idempotentHint: false },
    },
    ({ id }: IdArgs) =>
      guarded(log, "cancel_video", async () => json(describe(await cancelVideo(s, user, id)))),
  );

  server.registerTool(
    "delete_video",
    {
      title: "Delete a video",
      description: "Deletes one of your videos and its files, here and at the provider. This " +
        "cannot be undone.",
      inputSchema: idSchema,
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    ({ id }: IdArgs) =>
      guarded(log, "delete_video", async () => {
        await deleteVideo(s, uid, id);
        return json({ deleted: id });
      }),
  );

  server.registerTool(
    "get_frame",
    {
      title: "Look at a frame",
      description: `A still JPEG image of one of your completed videos, so you can see what it ` +
        `shows. The video's storyboard has ${FRAME_COUNT} frames spread evenly through it: frame 0 ` +
        `is the start, ${
          FRAME_COUNT - 1
        } the end; each is at least 480 px wide when the server runs ` +
        "ffmpeg, else a tile of the video's storyboard.",
      inputSchema: frameSchema,
      annotations: { readOnlyHint: true },
    },
    ({ id, frame }: z.output<typeof frameSchema>) =>
      guarded(log, "get_frame", async () => {
        const still = await videoFrame(s, uid, id, frame);
        return {
          content: [
            {
              type: "text",
              text: `Frame ${frame} of ${FRAME_COUNT} (about ${still.at} s) of ${id}.`,
            },
            {
              type: "image",
              data: Buffer.from(still.jpeg).toString("base64"),
              mimeType: "image/jpeg",
            },
          ],
        };
      }),
  );

  server.registerTool("my_spend", {
    title: "My spend this month",
    description: "Your estimated spend this calendar month (UTC) in USD: the total, the number " +
      "of videos and a breakdown by model. Failed videos cost nothing.",
    annotations: { readOnlyHint: true },
  }, () => guarded(log, "my_spend", async () => json(await monthSpend(s, uid))));

  return server;
}
