import { openApiPath } from "../routes/api/openapi.ts";
import {
  ErrorShape,
  ModelListShape,
  NewTokenShape,
  SessionShape,
  ShareShape,
  TokenListShape,
  UserShape,
  VideoListShape,
  VideoShape,
} from "../routes/api/openapi_shapes.ts";
import type { z } from "zod";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp } from "./helpers.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function documentOf(t: { api: (m: string, p: string) => Promise<Response> }) {
  const res = await t.api("GET", "/api/openapi.json");
  assertEquals(res.status, 200);
  return await res.json() as Json;
}

/** Every `$ref` in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === "$ref" && typeof v === "string" ? [v] : refsIn(v)
  );
}

const operationsOf = (doc: Json) =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Json }))
  );

Deno.test("[openapi] the document is OpenAPI 3.1 in shape, served without a token", async () => {
  await using t = await startTestApp({ startJobs: false });
  const res = await t.api("GET", "/api/openapi.json");
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")?.startsWith("application/json"));
  assertEquals(res.headers.get("cache-control"), "no-cache");
  const etag = res.headers.get("etag");
  assert(etag, "an ETag, so asking again is cheap");
  const doc = await res.json() as Json;
  assertEquals(doc.openapi, "3.1.0");
  assert(typeof doc.info.title === "string" && typeof doc.info.version === "string");
  assertEquals(doc.components.securitySchemes.bearer, {
    type: "http",
    scheme: "bearer",
    description: doc.components.securitySchemes.bearer.description,
  });
  assertEquals(doc.security, [{ bearer: [] }]);
  const operations = operationsOf(doc);
  assert(operations.length > 10);
  const ids = new Set<string>();
  for (const { path, method, op } of operations) {
    const where = `${method} ${path}`;
    assert(["get", "post", "delete", "put", "patch"].includes(method), where);
    assert(typeof op.operationId === "string" && !ids.has(op.operationId), where);
    ids.add(op.operationId);
    assert(Object.keys(op.responses).some((status) => /^2\d\d$/.test(status)), where);
    for (const answer of Object.values(op.responses as Record<string, Json>)) {
      assert(typeof answer.description === "string", where);
    }
    // Each `{name}` of the path is a required path parameter, and nothing else is.
    const named = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
    const declared = (op.parameters ?? []).filter((p: Json) => p.in === "path");
    assertEquals(declared.map((p: Json) => p.name), named, where);
    assert(declared.every((p: Json) => p.required === true), where);
  }
  for (const ref of refsIn(doc)) {
    const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
    assert(name && doc.components.schemas[name], `${ref} names a schema of the document`);
  }
  const again = await t.app.request("/api/openapi.json", { headers: { "if-none-match": etag } });
  assertEquals(again.status, 304);
});

Deno.test("[openapi] every route mounted under /api is in the document, and only those", async () => {
  await using t = await startTestApp({ startJobs: false });
  const doc = await documentOf(t);
  const mounted = new Set(
    t.app.routes
      // `ALL` entries are middleware (the bearer check, the id check), not routes.
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/"))
      .map((r) => `${r.method} ${openApiPath(r.path)}`),
  );
  const documented = new Set(
    operationsOf(doc).map(({ path, method }) => `${method.toUpperCase()} ${path}`),
  );
  assertEquals(
    [...mounted].filter((route) => !documented.has(route)),
    [],
    "routes without a description: add them to routes/api/openapi_routes.ts",
  );
  assertEquals([...documented].filter((route) => !mounted.has(route)), [], "no such routes");
});

Deno.test("[openapi] the create body in the document refuses what the route refuses", async () => {
  await using t = await startTestApp({ startJobs: false });
  const doc = await documentOf(t);
  const token = await t.userToken("ada");
  const create = doc.paths["/api/videos"].post.requestBody.content;
  const body = create["application/json"].schema;
  assertEquals(body.required, ["prompt"]);
  assertEquals(create["multipart/form-data"].schema.properties.input_reference.format, "binary");
  const refusedField = async (payload: unknown) => {
    const res = await t.api("POST", "/api/videos", token, payload);
    if (res.status === 201) return null;
    assertEquals(res.status, 400);
    return Object.keys((await res.json()).error.fields);
  };
  // The limits the document states are the route's limits, to the character.
  const max = body.properties.prompt.maxLength;
  assert(Number.isInteger(max) && max > 0);
  assertEquals(await refusedField({ prompt: "a".repeat(max) }), null);
  assertEquals(await refusedField({ prompt: "a".repeat(max + 1) }), ["prompt"]);
  assertEquals(await refusedField({}), ["prompt"]);
  const negativeMax = body.properties.negative_prompt.maxLength;
  assertEquals(
    await refusedField({ prompt: "a fox", negative_prompt: "b".repeat(negativeMax + 1) }),
    ["negative_prompt"],
  );
  const audio = body.properties.audio.anyOf.find((s: Json) => s.enum).enum as string[];
  assert(!audio.includes("maybe"));
  assertEquals(await refusedField({ prompt: "a fox", audio: "maybe" }), ["audio"]);

  // The list's query: `limit` up to the documented maximum, `status` one of the documented values.
  const query = doc.paths["/api/videos"].get.parameters as Json[];
  const limit = query.find((p) => p.name === "limit")!.schema;
  const list = (search: string) => t.api("GET", `/api/videos?${search}`, token);
  assertEquals((await list(`limit=${limit.maximum}`)).status, 200);
  assertEquals((await list(`limit=${limit.maximum + 1}`)).status, 400);
  assertEquals((await list(`limit=${limit.minimum - 1}`)).status, 400);
  const statuses = query.find((p) => p.name === "status")!.schema.enum as string[];
  for (const status of statuses) assertEquals((await list(`status=${status}`)).status, 200);
  assertEquals((await list("status=lost")).status, 400);
});

Deno.test("[openapi] the documented answer shapes parse the real answers", async () => {
  await using t = await startTestApp();
  const token = await t.userToken("ada");
  const parses = async (shape: z.ZodType, res: Response, status: number) => {
    assertEquals(res.status, status);
    const result = shape.safeParse(await res.json());
    assert(result.success, result.error?.message);
  };
  await parses(
    SessionShape,
    await t.api("POST", "/api/auth/login", undefined, {
      username: "ada",
      password: "correct horse battery",
    }),
    200,
  );
  await parses(UserShape, await t.api("GET", "/api/me", token), 200);
  await parses(ModelListShape, await t.api("GET", "/api/models", token), 200);
  const created = await t.api("POST", "/api/videos", token, { prompt: "a fox" });
  const { id } = await created.clone().json();
  await parses(VideoShape, created, 201);
  // Finished, it carries its media, variants and actions too.
  await t.waitForVideo(token, id, (v) => v.status === "completed");
  await parses(VideoShape, await t.api("GET", `/api/videos/${id}`, token), 200);
  await parses(ShareShape, await t.api("POST", `/api/videos/${id}/share`, token), 201);
  await parses(VideoListShape, await t.api("GET", "/api/videos", token), 200);
  await parses(NewTokenShape, await t.api("POST", "/api/me/tokens", token, { name: "ci" }), 201);
  await parses(TokenListShape, await t.api("GET", "/api/me/tokens", token), 200);
  await parses(ErrorShape, await t.api("POST", "/api/videos", token, { prompt: "" }), 400);
  await parses(ErrorShape, await t.api("GET", "/api/me"), 401);
});

Deno.test("[openapi] /api/docs is a page that names every route, with no inline script", async () => {
  await using t = await startTestApp({ startJobs: false });
  const doc = await documentOf(t);
  const res = await t.app.request("/api/docs");
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")?.startsWith("text/html"));
  const html = await res.text();
  for (const { path, method } of operationsOf(doc)) {
    assert(html.includes(`${method.toUpperCase()} ${path}`), `${method} ${path} on the page`);
  }
  assert(html.includes('href="/api/openapi.json"'));
  assert(html.includes("curl -s -X POST &quot;$BASE/api/videos&quot;"), "a curl example");
  assert(!/<script(?![^>]*\bsrc=)/.test(html), "no inline script");
  assert(!/\sstyle=/.test(html), "no inline style");
  // The description asks no token, but the routes it describes still do.
  assertEquals((await t.api("GET", "/api/me")).status, 401);
});
