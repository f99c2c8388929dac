import { z } from "zod";
import { VERSION } from "../../services/app/version.ts";
import { API_ROUTES, type ApiRoute } from "./openapi_routes.ts";
import { SHAPES } from "./openapi_shapes.ts";

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) or an OpenAPI object, as plain JSON. */
export type Json = Record<string, unknown>;

/** What each error status means on any route; the message of the answer says the particulars. */
export const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400: "invalid input; `fields` names each bad field",
  401: "no valid token",
  403: "refused (wrong current password, a disabled account)",
  404: "missing, or another user's",
  409: "wrong state; the message says why",
  413: "the body is too large",
  415: "send application/json (or multipart/form-data where said)",
  429: "too many at once or too fast; `Retry-After` says when to try again",
  502: "the provider failed",
  503: "the provider is unavailable",
};

export const TAGS: readonly { name: ApiRoute["tag"]; description: string }[] = [
  { name: "auth", description: "Tokens from a username and password" },
  { name: "account", description: "The user the token belongs to" },
  { name: "tokens", description: "Named API tokens (also on the page /account/tokens)" },
  { name: "models", description: "What can be made on this server, and what it costs" },
  { name: "videos", description: "Make, follow, fetch and remove videos" },
  { name: "reference", description: "This description of the API" },
];

/**
 * A request schema as JSON Schema: what a client sends, before the route trims, fills defaults or
 * converts (`io: "input"`). Rules no JSON Schema can say (no control characters) are left out;
 * the route still applies them.
 */
export function requestSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}

function answerSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "output" });
  return rest;
}

/** `/api/videos/:id` → `/api/videos/{id}`, OpenAPI's way of naming a path parameter. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** `POST /api/videos/:id/remix` → `postVideosIdRemix`: stable names for generated clients. */
function operationId(route: ApiRoute): string {
  const words = route.path.replace(/^\/api\//, "").split(/[/:._-]+/).filter(Boolean);
  return route.method.toLowerCase() +
    words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

function parameters(route: ApiRoute): Json[] {
  const inPath = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: route.params?.[name],
    schema: { type: "string" },
  }));
  if (!route.query) return inPath;
  const query = requestSchema(route.query);
  const properties = (query.properties ?? {}) as Record<string, Json>;
  const required = (query.required ?? []) as string[];
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.includes(name),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function requestBody(route: ApiRoute): Json | undefined {
  if (!route.body) return undefined;
  const schema = requestSchema(route.body);
  const content: Json = { "application/json": { schema, example: route.example } };
  if (route.multipart) {
    const properties = {
      ...(schema.properties as Json),
      input_reference: {
        type: "string",
        format: "binary",
        description: "a JPEG, PNG or WebP start image, at most 20 MB",
      },
    };
    content["multipart/form-data"] = { schema: { ...schema, properties } };
  }
  return { required: true, content };
}

function responses(route: ApiRoute): Json {
  const { ok } = route;
  const content = ok.shape
    ? { "application/json": { schema: ref(ok.shape) } }
    : ok.media
    ? Object.fromEntries(ok.media.map((type) => [type, {}]))
    : undefined;
  const answers: Json = { [ok.status]: { description: ok.description, content } };
  if (ok.also) answers[ok.also.status] = { description: ok.also.description, content };
  for (const status of route.errors) {
    answers[status] = {
      description: ERROR_MEANINGS[status] ?? "an error",
      content: { "application/json": { schema: ref("Error") } },
    };
  }
  return answers;
}

function operation(route: ApiRoute): Json {
  return {
    operationId: operationId(route),
    tags: [route.tag],
    summary: route.summary,
    description: route.description,
    // An empty list lifts the document-wide bearer requirement.
    security: route.auth === false ? [] : undefined,
    parameters: parameters(route),
    requestBody: requestBody(route),
    responses: responses(route),
  };
}

function build(): Json {
  const paths: Record<string, Json> = {};
  for (const route of API_ROUTES) {
    const path = (paths[openApiPath(route.path)] ??= {});
    path[route.method.toLowerCase()] = operation(route);
  }
  return JSON.parse(JSON.stringify({
    openapi: "3.1.0",
    info: {
      title: "Sora Studio API",
      version: VERSION,
      description: "The JSON API of this Sora Studio server, for scripts. Send " +
        "`Authorization: Bearer <token>` (a token from /account/tokens or POST /api/auth/login). " +
        'Every error is `{"error":{"code","message","fields"?}}`.',
    },
    tags: TAGS,
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(SHAPES).map(([name, shape]) => [name, answerSchema(shape)]),
      ),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API token: made on /account/tokens or by POST /api/auth/login",
        },
      },
    },
    // Through JSON once: the `undefined` of optional parts leave no keys behind.
  }));
}

let built: Json | undefined;

/** The OpenAPI 3.1 document of the JSON API, built once from the route registry. */
export function openApiDocument(): Json {
  return built ??= build();
}
