// A stand-in for Veo 3.1 on Vertex AI and for Google's OAuth token endpoint, so demo mode and
// tests run the app's real Vertex client against it: a service-account key of its own whose
// token_uri points here, bearer tokens it checks, predictLongRunning operations that progress
// with the clock and deliver the MP4 inline (base64) through fetchPredictOperation, extension of
// the 720p videos it made, safety-filtered prompts, and faults through the same rules as the
// other simulators.
import type { SimulatorHandle } from "../../options.ts";
import { type FaultyFetch, faultyFetch } from "../faulty_fetch.ts";
import { googleError, json, notFoundPage } from "../google_responses.ts";
import { type Fixture, fixtureForAspect } from "../media.ts";
import { isBlockedPrompt } from "../moderation.ts";
import { checkedTimeScale, phaseAt, planTimeline, type Timeline } from "../timeline.ts";
import { faultStatus, invalidArgument } from "./google_errors.ts";
import { type IssuedToken, OAuthStandIn, type ServiceAccountJson } from "./oauth.ts";
import { planRequest, type SourceVideo, type VideoPlan } from "./plan.ts";
import { readTag, tagVideo } from "./video_tag.ts";

export interface VertexSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  /** Clock in ms since the epoch. */
  now?: () => number;
  /** Source of randomness for fault `probability`. */
  random?: () => number;
  /** The models it offers; any other answers 404 as Vertex AI does. Default: Veo 3.1 GA. */
  models?: string[];
  /** When set, requests for any other project are refused (403). */
  project?: string;
  /** What the token endpoint's `expires_in` says, in seconds. Default 3599. */
  tokenLifetimeSeconds?: number;
}

/** What a create asked for, as the API received it (for tests to check what the app sent). */
export interface VertexCreateRecord {
  operation: string;
  model: string;
  project: string;
  location: string;
  prompt: string;
  parameters: Record<string, unknown>;
  image?: { mimeType: string; bytes: number };
  /** The operation whose video an extension continues. */
  video?: { operation: string };
}

export interface VertexOperationState {
  name: string;
  model: string;
  done: boolean;
  filtered: boolean;
  aspectRatio: string;
  resolution: string;
  /** Length of the video it makes (an extension's: the source's plus 7). */
  seconds: number;
  audio: boolean;
}

export interface VertexSimulator extends SimulatorHandle, FaultyFetch {
  readonly creates: readonly VertexCreateRecord[];
  /** Every access token its token endpoint issued. */
  readonly tokens: readonly IssuedToken[];
  /** A service-account key file whose token_uri is `{origin}/token`. */
  credentials(origin?: string): ServiceAccountJson;
  /** The Google Cloud project its key files name. */
  readonly project: string;
  /** An operation's state by its name, or undefined if unknown. */
  getOperation(name: string): VertexOperationState | undefined;
  /** The exact bytes of the MP4 an operation delivers (once it is done). */
  videoBytes(name: string): Uint8Array | undefined;
  /** From now on the model answers 404, as a model Vertex AI has withdrawn does. */
  retireModel(model: string): void;
}

export const DEFAULT_ORIGIN = "https://vertex-simulator.local";
export const VERTEX_SIMULATOR_MODELS = ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"];
const DEMO_PROJECT = "sora-studio-demo";
const RESPONSE_TYPE = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse";
const FILTERED_REASON = "The video could not be made because the prompt goes against Google's " +
  "Responsible AI practices (simulated safety filter).";

interface OperationRecord extends Omit<VertexOperationState, "done" | "filtered"> {
  prompt: string;
  createdMs: number;
  timeline: Timeline;
  sampleCount: number;
}

const MODEL_PATH =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([\w.-]+):(predictLongRunning|fetchPredictOperation)$/;

export function createVertexSimulator(options: VertexSimulatorOptions = {}): VertexSimulator {
  const timeScale = checkedTimeScale(options.timeScale);
  const now = options.now ?? Date.now;
  const models = new Set(options.models ?? VERTEX_SIMULATOR_MODELS);
  const oauth = new OAuthStandIn({
    now,
    projectId: options.project ?? DEMO_PROJECT,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  });
  const creates: VertexCreateRecord[] = [];
  const operations = new Map<string, OperationRecord>();

  const status = (op: OperationRecord) => phaseAt(op.timeline, now() - op.createdMs).status;

  function videoOf(op: OperationRecord): Uint8Array {
    return tagVideo(videoFixture(op).video.bytes, op.name);
  }

  function findSource(bytes: Uint8Array): SourceVideo | undefined {
    const name = readTag(bytes);
    const op = name ? operations.get(name) : undefined;
    return op && { ...op, completed: status(op) === "completed" };
  }

  function modelNotFound(project: string, location: string, model: string): Response {
    return googleError(
      404,
      `Publisher Model \`projects/${project}/locations/${location}/publishers/google/models/` +
        `${model}\` was not found or your project does not have access to it. Please ensure you ` +
        "are using a valid model version. For more information, see: " +
        "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
    );
  }

  async function predict(req: Request, project: string, location: string, model: string) {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return invalidArgument("Invalid JSON payload received.");
    }
    const plan = planRequest(model, body, findSource);
    if (plan instanceof Response) return plan;
    const name = `projects/${project}/locations/${location}/publishers/google/models/${model}` +
      `/operations/${crypto.randomUUID()}`;
    const blocked = isBlockedPrompt(plan.prompt) ||
      (plan.negativePrompt !== undefined && isBlockedPrompt(plan.negativePrompt));
    operations.set(name, {
      name,
      model,
      prompt: plan.prompt,
      createdMs: now(),
      timeline: planTimeline(plan.workSeconds, timeScale, blocked),
      aspectRatio: plan.aspectRatio,
      resolution: plan.resolution,
      seconds: plan.seconds,
      audio: plan.audio,
      sampleCount: plan.sampleCount,
    });
    creates.push(createRecord(name, model, project, location, body, plan));
    return json({ name });
  }

  async function fetchOperation(req: Request, model: string): Promise<Response> {
    let body: { operationName?: unknown };
    try {
      body = await req.json();
    } catch {
      return invalidArgument("Invalid JSON payload received.");
    }
    const name = body?.operationName;
    if (typeof name !== "string" || !name) return invalidArgument("operationName is required.");
    const op = operations.get(name);
    if (!op) return googleError(404, `Operation ${name} not found.`);
    if (op.model !== model) {
      return invalidArgument(`Operation ${name} does not belong to model ${model}.`);
    }
    const state = status(op);
    if (state === "queued" || state === "in_progress") return json({ name });
    if (state === "failed") {
      return json({
        name,
        done: true,
        response: {
          "@type": RESPONSE_TYPE,
          raiMediaFilteredCount: op.sampleCount,
          raiMediaFilteredReasons: [FILTERED_REASON],
        },
      });
    }
    const video = { bytesBase64Encoded: base64(videoOf(op)), mimeType: "video/mp4" };
    return json({
      name,
      done: true,
      response: {
        "@type": RESPONSE_TYPE,
        raiMediaFilteredCount: 0,
        videos: Array.from({ length: op.sampleCount }, () => video),
      },
    });
  }

  function publisherModel(model: string): Response {
    if (!models.has(model)) return modelNotFound("-", "-", model);
    return json({
      name: `publishers/google/models/${model}`,
      versionId: "001",
      openSourceCategory: "PROPRIETARY",
      launchStage: "GA",
      publisherModelTemplate:
        `projects/{project}/locations/{location}/publishers/google/models/${model}`,
    });
  }

  async function handle(req: Request, url: URL): Promise<Response> {
    if (url.pathname === "/token") {
      if (req.method !== "POST") return googleError(405, "Use POST.", { status: "UNIMPLEMENTED" });
      return await oauth.token(req, url);
    }
    const unauthorized = oauth.authorize(req);
    if (unauthorized) return unauthorized;
    let m: RegExpExecArray | null;
    if (req.method === "POST" && (m = MODEL_PATH.exec(url.pathname))) {
      const [, project, location, model, method] = m;
      if (options.project && project !== options.project) {
        return googleError(
          403,
          `Permission 'aiplatform.endpoints.predict' denied on resource ` +
            `'//aiplatform.googleapis.com/projects/${project}/locations/${location}/publishers/` +
            `google/models/${model}' (or it may not exist).`,
        );
      }
      if (!models.has(model)) return modelNotFound(project, location, model);
      return method === "predictLongRunning"
        ? await predict(req, project, location, model)
        : await fetchOperation(req, model);
    }
    if (
      req.method === "GET" &&
      (m = /^\/v1\/publishers\/google\/models\/([\w.-]+)$/.exec(url.pathname))
    ) {
      return publisherModel(m[1]);
    }
    return notFoundPage(url.pathname);
  }

  const front = faultyFetch({
    now,
    random: options.random ?? Math.random,
    handle,
    statusError: faultStatus,
  });

  return {
    timeScale,
    ...front,
    get creates() {
      return creates;
    },
    get tokens() {
      return oauth.issued;
    },
    credentials: (origin = DEFAULT_ORIGIN) => oauth.credentials(origin),
    project: options.project ?? DEMO_PROJECT,
    getOperation(name) {
      const op = operations.get(name);
      if (!op) return undefined;
      const state = status(op);
      const { prompt: _p, createdMs: _c, timeline: _t, sampleCount: _s, ...shown } = op;
      return {
        ...shown,
        done: state === "completed" || state === "failed",
        filtered: state === "failed",
      };
    },
    videoBytes(name) {
      const op = operations.get(name);
      return op && status(op) === "completed" ? videoOf(op) : undefined;
    },
    retireModel(model) {
      models.delete(model);
    },
    close() {},
  };
}

/**
 * The one place that picks the MP4 an operation delivers (before it is tagged as its own): the
 * demo fixture of its aspect ratio's orientation and about its length (an extension's: the whole
 * result's).
 */
function videoFixture(op: { aspectRatio: string; seconds: number }): Fixture {
  return fixtureForAspect(op.aspectRatio, op.seconds);
}

function createRecord(
  operation: string,
  model: string,
  project: string,
  location: string,
  body: unknown,
  plan: VideoPlan,
): VertexCreateRecord {
  const parameters = (body as { parameters?: Record<string, unknown> }).parameters ?? {};
  return {
    operation,
    model,
    project,
    location,
    prompt: plan.prompt,
    parameters,
    image: plan.image,
    video: plan.source ? { operation: plan.source } : undefined,
  };
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}
