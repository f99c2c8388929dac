import {
  createSoraSimulator,
  type SoraSimulator,
} from "../services/providers/simulators/simulator.ts";

/**
 * A stand-in for an OpenAI-compatible gateway in front of Sora, behaving as LiteLLM's proxy was
 * seen to (PROVIDERS.md, "OpenAI-compatible gateways"): it wraps a Sora simulator's `fetch` and
 *
 * - rewrites ids: a create answers a long opaque id, and every retrieve answers yet another one for
 *   the same video (only the ids a create or remix answered are accepted back);
 * - answers `GET /videos/{id}/content?variant=thumbnail|spritesheet` with the MP4's bytes and 200;
 * - answers `POST /videos/extensions`, `POST /videos/edits` and `DELETE /videos/{id}` with 405;
 * - answers the listing (`GET /videos`, the app's key check) with 400, and every request with a
 *   wrong key with 400 "No connected db.";
 * - cannot poll what a remix made: every retrieve of a remix's id answers 500;
 * - drops the `Idempotency-Key` header;
 * - maps its own model names to the simulator's (gw-video-1 → sora-2) and back.
 */
export interface GatewayDouble {
  /** The SDK's `fetch` (the app's `upstreamFetch`). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  simulator: SoraSimulator;
  /** Every request that reached the gateway, as the app sent it. */
  readonly received: readonly GatewayRequest[];
  /** What the gateway sent on to the simulator. */
  readonly forwarded: readonly GatewayRequest[];
  /** Ids a create answered, in order, with the simulator's id of each. */
  readonly created: readonly { id: string; simulatorId: string }[];
  /** Ids a remix answered, in order. */
  readonly remixed: readonly string[];
  /** Every id a retrieve answered, with the id it was asked for. */
  readonly retrieved: readonly { asked: string; answered: string; status: number }[];
}

export interface GatewayRequest {
  method: string;
  /** Path without the query. */
  path: string;
  search: string;
  idempotencyKey: string | null;
  status?: number;
}

export interface GatewayOptions {
  /** The key the gateway accepts; any other answers 400 "No connected db.". */
  apiKey?: string;
  /** The gateway's model names and the simulator's they stand for. */
  models?: Record<string, string>;
  simulator?: SoraSimulator;
}

export const GATEWAY_BASE_URL = "http://gateway.test/v1";
const SIMULATOR_ORIGIN = "http://sora-simulator.local";

export function createGatewayDouble(options: GatewayOptions = {}): GatewayDouble {
  const simulator = options.simulator ?? createSoraSimulator({ timeScale: 0.01 });
  const models = options.models ?? { "gw-video-1": "sora-2" };
  const apiKey = options.apiKey ?? "sk-test";
  const received: GatewayRequest[] = [];
  const forwarded: GatewayRequest[] = [];
  const created: { id: string; simulatorId: string }[] = [];
  const remixed: string[] = [];
  const retrieved: { asked: string; answered: string; status: number }[] = [];
  /** Gateway id (from a create or a remix) → the simulator's id and the model asked for. */
  const known = new Map<string, { simulatorId: string; model: string; remix: boolean }>();

  /** LiteLLM-like: the provider, model and upstream id encoded, with a nonce so each differs. */
  const opaqueId = (simulatorId: string, model: string) => {
    const nonce = crypto.randomUUID();
    const text = `litellm:custom_llm_provider:openai;model_id:${model};video_id:${simulatorId};` +
      `nonce:${nonce}`;
    return "video_" + btoa(text).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  };

  const toSimulator = async (
    req: Request,
    path: string,
    search = "",
    body?: BodyInit,
  ): Promise<Response> => {
    const headers = new Headers(req.headers);
    headers.delete("idempotency-key");
    if (body !== undefined) {
      headers.delete("content-type");
      headers.delete("content-length");
    }
    const forward = new Request(`${SIMULATOR_ORIGIN}/v1${path}${search}`, {
      method: req.method,
      headers,
      body: body ?? (req.method === "GET" || req.method === "HEAD" ? undefined : await req.blob()),
    });
    const response = await simulator.fetch(forward);
    forwarded.push({
      method: req.method,
      path: `/v1${path}`,
      search,
      idempotencyKey: forward.headers.get("idempotency-key"),
      status: response.status,
    });
    return response;
  };

  /** The simulator's video, with the gateway's id and model name in place of its own. */
  const rewritten = async (response: Response, id: string, model: string) => {
    if (!response.ok) return response;
    const video = await response.json();
    return Response.json({ ...video, id, model }, { status: response.status });
  };

  async function create(req: Request): Promise<Response> {
    const type = req.headers.get("content-type") ?? "";
    let model: string;
    let body: BodyInit;
    if (type.startsWith("multipart/form-data")) {
      const form = await req.formData();
      model = String(form.get("model") ?? "");
      form.set("model", models[model] ?? model);
      body = form;
    } else {
      const json = await req.json();
      model = String(json.model ?? "");
      body = JSON.stringify({ ...json, model: models[model] ?? model });
    }
    if (!models[model]) {
      return litellmError(400, `Invalid model name passed in model=${model}.`);
    }
    const answer = await toSimulator(req, "/videos", "", body);
    if (!answer.ok) return answer;
    const video = await answer.json();
    const id = opaqueId(video.id, model);
    known.set(id, { simulatorId: video.id, model, remix: false });
    created.push({ id, simulatorId: video.id });
    return Response.json({ ...video, id, model });
  }

  async function handle(req: Request, url: URL): Promise<Response> {
    const auth = req.headers.get("authorization") ?? "";
    if (auth !== `Bearer ${apiKey}`) {
      return litellmError(400, "No connected db.", "no_db_connection");
    }
    const path = url.pathname.replace(/^\/v1/, "");
    const method = req.method;
    if (method === "POST" && (path === "/videos/extensions" || path === "/videos/edits")) {
      return methodNotAllowed();
    }
    if (path === "/videos") {
      if (method === "POST") return await create(req);
      if (method === "GET") {
        return litellmError(400, "litellm.BadRequestError: list videos is not supported here.");
      }
      return methodNotAllowed();
    }
    const match = /^\/videos\/([^/]+)(\/content|\/remix)?$/.exec(path);
    if (!match) return litellmError(404, `Not Found: ${path}`);
    const id = decodeURIComponent(match[1]);
    const what = match[2] ?? "";
    if (method === "DELETE" && !what) return methodNotAllowed();
    const video = known.get(id);
    if (!video) return litellmError(404, `Video ${id} not found.`);
    if (method === "GET" && !what) {
      if (video.remix) {
        retrieved.push({ asked: id, answered: "", status: 500 });
        return litellmError(
          500,
          "litellm.APIConnectionError: Could not decode the video id for polling.",
        );
      }
      const answer = await rewritten(
        await toSimulator(req, `/videos/${video.simulatorId}`),
        opaqueId(video.simulatorId, video.model),
        video.model,
      );
      const body = answer.ok ? await answer.clone().json() : undefined;
      retrieved.push({ asked: id, answered: body?.id ?? "", status: answer.status });
      return answer;
    }
    if (method === "GET" && what === "/content") {
      // Whatever variant is asked for, the MP4 comes back, with 200.
      const mp4 = await toSimulator(req, `/videos/${video.simulatorId}/content`, "?variant=video");
      return new Response(mp4.body, { status: mp4.status, headers: mp4.headers });
    }
    if (method === "POST" && what === "/remix") {
      const answer = await toSimulator(req, `/videos/${video.simulatorId}/remix`);
      if (!answer.ok) return answer;
      const made = await answer.json();
      const remixId = opaqueId(made.id, video.model);
      known.set(remixId, { simulatorId: made.id, model: video.model, remix: true });
      remixed.push(remixId);
      return Response.json({ ...made, id: remixId, model: video.model });
    }
    return methodNotAllowed();
  }

  return {
    simulator,
    received,
    forwarded,
    created,
    remixed,
    retrieved,
    async fetch(input, init) {
      const req = new Request(input, init);
      const url = new URL(req.url);
      // The SDK probes a custom fetch's FormData support with fetch("data:,").
      if (url.protocol === "data:") return await globalThis.fetch(req);
      const entry: GatewayRequest = {
        method: req.method,
        path: url.pathname,
        search: url.search,
        idempotencyKey: req.headers.get("idempotency-key"),
      };
      received.push(entry);
      const response = await handle(req, url);
      entry.status = response.status;
      return response;
    },
  };
}

/** LiteLLM's error body. */
function litellmError(status: number, message: string, type = "None"): Response {
  return Response.json(
    { error: { message, type, param: "None", code: String(status) } },
    { status },
  );
}

/** What the proxy's web framework answers for a route it does not have for that method. */
function methodNotAllowed(): Response {
  return Response.json({ detail: "Method Not Allowed" }, { status: 405 });
}
