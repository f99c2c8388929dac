// A stand-in for Google's Interactions API as far as Gemini Omni's video goes, on both /v1 and
// /v1beta: background interactions that progress with the clock and complete with the MP4
// fixture (inline base64, or by URI when asked), edits and extensions of a finished one through
// previous_interaction_id, start images, refused prompts, retired models, the models list (for
// pings), an optional API key, and the same fault rules as the other simulators.
import type { SimulatorHandle } from "../../options.ts";
import { type FaultyFetch, faultyFetch } from "../faulty_fetch.ts";
import { json, notFoundPage } from "../google_responses.ts";
import { checkedTimeScale } from "../timeline.ts";
import { videoFixture } from "./fixture.ts";
import { OMNI_MODELS } from "./models.ts";
import { type CreatePlan, planCreate, type Task } from "./requests.ts";
import { checkKey, failedPrecondition, invalid, notFound, statusFault } from "./responses.ts";
import { type InteractionRecord, type InteractionStatus, InteractionStore } from "./store.ts";

export interface GeminiSimulatorOptions {
  /** Multiplies every job's duration: 1 for demos, ~0.01 for tests. Default 1. */
  timeScale?: number;
  now?: () => number;
  random?: () => number;
  /** When set, `x-goog-api-key` must equal it; otherwise any key is accepted. */
  apiKey?: string;
  /** Model ids answered as retired (404 "… is no longer available"), besides every veo-*. */
  retiredModels?: readonly string[];
}

/** What a create asked for, as the API received it (for tests to check what the app sent). */
export interface GeminiCreateRecord {
  id: string;
  /** `v1` or `v1beta`. */
  version: string;
  model: string;
  prompt: string;
  task: Task;
  images: { mime_type: string; bytes: number }[];
  previous_interaction_id?: string;
  background: boolean;
  /** The request's response_format and generation_config, as sent. */
  response_format: unknown;
  generation_config: unknown;
}

/** An interaction as it is now, for tests. */
export interface GeminiInteractionState {
  id: string;
  model: string;
  status: InteractionStatus;
  task: Task;
  aspect_ratio: string;
  resolution: string;
  seconds: number;
  delivery: "inline" | "uri";
  previous_interaction_id?: string;
  deleted: boolean;
}

export interface GeminiSimulator extends SimulatorHandle, FaultyFetch {
  /** Every accepted create, in order. */
  readonly creates: readonly GeminiCreateRecord[];
  getInteraction(id: string): GeminiInteractionState | undefined;
}

type Route = (req: Request, url: URL, version: string, id: string) => Promise<Response> | Response;

export function createGeminiSimulator(options: GeminiSimulatorOptions = {}): GeminiSimulator {
  const timeScale = checkedTimeScale(options.timeScale);
  const now = options.now ?? Date.now;
  const store = new InteractionStore({ now, timeScale });
  const creates: GeminiCreateRecord[] = [];
  const retired = options.retiredModels ?? [];
  const waiting = new Set<() => void>();

  const render = (record: InteractionRecord, url: URL, version: string) =>
    store.render(record, {
      origin: url.origin,
      version,
      includeInput: url.searchParams.get("include_input") === "true",
    });

  /** Waits out a foreground create (background: false answers only once the video is done). */
  const settle = (record: InteractionRecord) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, store.settlesInMs(record));
      waiting.add(done);
    });

  async function create(req: Request, url: URL, version: string): Promise<Response> {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return invalid("Invalid JSON payload received.");
    }
    const plan = planCreate(body, { version, retired, lookup: (id) => store.lookup(id) });
    if (plan instanceof Response) return plan;
    const record = store.add(plan);
    creates.push(createRecord(record.id, version, plan));
    if (!plan.background) await settle(record);
    return json(render(record, url, version));
  }

  function find(id: string): InteractionRecord | Response {
    return store.get(id) ?? notFound(`Interaction ${id} was not found.`);
  }

  const routes: Array<[string, RegExp, Route]> = [
    ["POST", /^\/interactions$/, (req, url, v) => create(req, url, v)],
    ["GET", /^\/interactions\/([\w-]+)$/, (_req, url, v, id) => {
      const record = find(id);
      return record instanceof Response ? record : json(render(record, url, v));
    }],
    ["DELETE", /^\/interactions\/([\w-]+)$/, (_req, _url, _v, id) => {
      const record = find(id);
      if (record instanceof Response) return record;
      store.remove(record);
      return json({});
    }],
    ["POST", /^\/interactions\/([\w-]+)\/cancel$/, (_req, url, v, id) => {
      const record = find(id);
      if (record instanceof Response) return record;
      if (!store.cancel(record)) {
        return failedPrecondition(
          `Interaction ${id} has already finished and cannot be cancelled.`,
        );
      }
      return json(render(record, url, v));
    }],
    ["GET", /^\/models$/, (_req, url) => listModels(url)],
    ["GET", /^\/models\/([\w.-]+)$/, (_req, _url, v, id) => {
      const limits = OMNI_MODELS[id];
      if (!limits) return notFound(`models/${id} is not found for API version ${v}.`);
      return json(modelResource(id));
    }],
    ["GET", /^\/files\/(\w+):download$/, (_req, _url, _v, id) => {
      const record = store.byFile(id);
      if (!record) return notFound(`File files/${id} not found.`);
      const { bytes, contentType } = videoFixture(record.plan).video;
      return new Response(bytes.slice(), {
        headers: { "content-type": contentType, "content-length": String(bytes.byteLength) },
      });
    }],
  ];

  async function handle(req: Request, url: URL): Promise<Response> {
    const versioned = /^\/(v1|v1beta)(\/.*)$/.exec(url.pathname);
    if (!versioned) return notFoundPage(url.pathname);
    const unauthorized = checkKey(req, url, options.apiKey);
    if (unauthorized) return unauthorized;
    const [, version, path] = versioned;
    for (const [method, pattern, route] of routes) {
      const match = pattern.exec(path);
      if (match && req.method === method) return await route(req, url, version, match[1]);
    }
    return notFoundPage(url.pathname);
  }

  const front = faultyFetch({
    now,
    random: options.random ?? Math.random,
    handle,
    statusError: statusFault,
  });

  return {
    timeScale,
    ...front,
    get creates() {
      return creates;
    },
    getInteraction(id) {
      const record = store.peek(id);
      if (!record) return undefined;
      const { plan } = record;
      return {
        id,
        model: plan.model,
        status: store.status(record),
        task: plan.task,
        aspect_ratio: plan.aspect_ratio,
        resolution: plan.resolution,
        seconds: plan.seconds,
        delivery: plan.delivery,
        previous_interaction_id: plan.previousId,
        deleted: record.deleted,
      };
    },
    close() {
      // Foreground creates still waiting answer now rather than hold the process open.
      for (const done of [...waiting]) done();
    },
  };
}

function createRecord(id: string, version: string, plan: CreatePlan): GeminiCreateRecord {
  return {
    id,
    version,
    model: plan.model,
    prompt: plan.prompt,
    task: plan.task,
    images: plan.images,
    previous_interaction_id: plan.previousId,
    background: plan.background,
    response_format: plan.responseFormat,
    generation_config: plan.generationConfig,
  };
}

function modelResource(id: string) {
  return {
    name: `models/${id}`,
    displayName: OMNI_MODELS[id].displayName,
    description: "Video generation and editing through the Interactions API.",
    inputTokenLimit: 131072,
    supportedGenerationMethods: ["createInteraction"],
  };
}

/** `GET /models?pageSize=n&pageToken=t`: the Omni models, a page at a time. */
function listModels(url: URL): Response {
  const ids = Object.keys(OMNI_MODELS);
  const size = Math.max(1, Math.min(1000, Number(url.searchParams.get("pageSize")) || 50));
  const start = Number(url.searchParams.get("pageToken")) || 0;
  const page = ids.slice(start, start + size);
  const next = start + size < ids.length ? String(start + size) : undefined;
  return json({ models: page.map(modelResource), ...(next ? { nextPageToken: next } : {}) });
}
