// The Vertex AI simulator's wire format, spoken to directly (no app code): Google's OAuth
// JWT-bearer grant, predictLongRunning, fetchPredictOperation with the MP4 inline, the publisher
// model GET, extension, filtering and Google's error shapes.
import { Buffer } from "node:buffer";
import { fixtureFor, MEDIA } from "../services/providers/simulators/media.ts";
import {
  createVertexSimulator,
  type VertexSimulator,
} from "../services/providers/simulators/vertex/simulator.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

const ORIGIN = "http://vertex.test";
const MODEL = "veo-3.1-fast-generate-001";
const RESOURCE = `projects/p/locations/us-central1/publishers/google/models/${MODEL}`;
const START = Date.UTC(2026, 10, 27);

function clock() {
  let t = START;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** An RS256 assertion for the key file, signed here (independently of the app's client). */
async function assertion(
  key: { private_key: string; client_email: string; token_uri: string },
  iat: number,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const claims = {
    iss: key.client_email,
    scope: "https://www.googleapis.com/auth/cloud-platform",
    aud: key.token_uri,
    iat,
    exp: iat + 3600,
    ...overrides,
  };
  const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}`;
  const der = Buffer.from(key.private_key.replace(/-----[^-]+-----|\s/g, ""), "base64");
  const signer = await crypto.subtle.importKey(
    "pkcs8",
    new Uint8Array(der),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    signer,
    new TextEncoder().encode(unsigned),
  );
  return `${unsigned}.${Buffer.from(signature).toString("base64url")}`;
}

function tokenRequest(
  sim: VertexSimulator,
  jwt: string,
  grant = "urn:ietf:params:oauth:grant-type:jwt-bearer",
) {
  return sim.fetch(
    new Request(`${ORIGIN}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: grant, assertion: jwt }),
    }),
  );
}

async function bearer(sim: VertexSimulator, now: number): Promise<string> {
  const res = await tokenRequest(sim, await assertion(sim.credentials(ORIGIN), now / 1000));
  assertEquals(res.status, 200);
  return (await res.json()).access_token;
}

function call(sim: VertexSimulator, token: string, path: string, body?: unknown) {
  return sim.fetch(
    new Request(`${ORIGIN}/v1/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

const create = (sim: VertexSimulator, token: string, body: unknown, model = MODEL) =>
  call(sim, token, `${RESOURCE.replace(MODEL, model)}:predictLongRunning`, body);

const poll = (sim: VertexSimulator, token: string, name: string) =>
  call(sim, token, `${RESOURCE}:fetchPredictOperation`, { operationName: name });

Deno.test("[vertex] the token endpoint checks the RS256 assertion and issues a bearer token", async () => {
  const c = clock();
  const sim = createVertexSimulator({ now: c.now });
  const key = sim.credentials(ORIGIN);
  assertEquals(key.type, "service_account");
  assertEquals(key.token_uri, `${ORIGIN}/token`);
  assertMatch(key.private_key, /^-----BEGIN PRIVATE KEY-----\n/);

  const ok = await tokenRequest(sim, await assertion(key, START / 1000));
  assertEquals(ok.status, 200);
  const body = await ok.json();
  assertEquals([body.token_type, body.expires_in], ["Bearer", 3599]);
  assert(typeof body.access_token === "string" && body.access_token.length > 10);

  const good = await assertion(key, START / 1000);
  const tampered = good.slice(0, -4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
  const cases: [Promise<Response>, string, RegExp][] = [
    [tokenRequest(sim, tampered), "invalid_grant", /Invalid JWT Signature/],
    [
      tokenRequest(sim, await assertion(key, START / 1000, { aud: "https://elsewhere/token" })),
      "invalid_grant",
      /audience/,
    ],
    [
      tokenRequest(sim, await assertion(key, START / 1000, { iss: "x@y.iam.gserviceaccount.com" })),
      "invalid_grant",
      /account not found/,
    ],
    [
      tokenRequest(sim, await assertion(key, START / 1000 - 7200)),
      "invalid_grant",
      /short-lived/,
    ],
    [tokenRequest(sim, good, "client_credentials"), "unsupported_grant_type", /grant_type/],
  ];
  for (const [pending, error, description] of cases) {
    const res = await pending;
    assertEquals(res.status, 400);
    const refusal = await res.json();
    assertEquals(refusal.error, error);
    assertMatch(refusal.error_description, description);
  }
  assertEquals(sim.tokens.length, 1);
});

Deno.test("[vertex] the API wants a live bearer token it issued: 401 UNAUTHENTICATED otherwise", async () => {
  const c = clock();
  const sim = createVertexSimulator({ now: c.now, tokenLifetimeSeconds: 60 });
  const token = await bearer(sim, c.now());
  assertEquals((await call(sim, token, `publishers/google/models/${MODEL}`)).status, 200);
  for (const wrong of ["", "ya29.made-up"]) {
    const res = await call(sim, wrong, `publishers/google/models/${MODEL}`);
    assertEquals(res.status, 401);
    assertEquals((await res.json()).error.status, "UNAUTHENTICATED");
  }
  c.advance(61_000);
  assertEquals((await call(sim, token, `publishers/google/models/${MODEL}`)).status, 401);
});

Deno.test("[vertex] predictLongRunning → fetchPredictOperation: not done, then done with the MP4 inline", async () => {
  const c = clock();
  const sim = createVertexSimulator({ now: c.now });
  const token = await bearer(sim, c.now());
  const res = await create(sim, token, {
    instances: [{ prompt: "a paper boat on a puddle" }],
    parameters: {
      aspectRatio: "9:16",
      resolution: "1080p",
      durationSeconds: 6,
      generateAudio: false,
      negativePrompt: "people",
      sampleCount: 1,
    },
  });
  assertEquals(res.status, 200);
  const { name } = await res.json();
  assertMatch(name, new RegExp(`^${RESOURCE}/operations/[0-9a-f-]{36}$`));
  assertEquals(sim.creates[0].parameters.resolution, "1080p");
  assertEquals(sim.creates[0].prompt, "a paper boat on a puddle");

  const running = await (await poll(sim, token, name)).json();
  assertEquals(running, { name });

  c.advance((3 + 6) * 1000);
  const done = await (await poll(sim, token, name)).json();
  assertEquals(done.done, true);
  assertEquals(
    done.response["@type"],
    "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
  );
  assertEquals(done.response.raiMediaFilteredCount, 0);
  assertEquals(done.response.videos.length, 1);
  assertEquals(done.response.videos[0].mimeType, "video/mp4");
  const bytes = new Uint8Array(Buffer.from(done.response.videos[0].bytesBase64Encoded, "base64"));
  assertEquals(bytes, sim.videoBytes(name));
  // The fixture of its shape and length (9:16, 6 s: the portrait 8 s one), with a trailing
  // `free` box that makes each video its own.
  const { video } = fixtureFor("1080x1920", 6);
  assertEquals(bytes.subarray(0, video.bytes.byteLength), video.bytes);
  assertEquals(sim.getOperation(name), {
    name,
    model: MODEL,
    done: true,
    filtered: false,
    aspectRatio: "9:16",
    resolution: "1080p",
    seconds: 6,
    audio: false,
  });
});

Deno.test("[vertex] an image goes in as bytesBase64Encoded with its mimeType", async () => {
  const sim = createVertexSimulator();
  const token = await bearer(sim, Date.now());
  const image = MEDIA.thumbnail.bytes;
  const res = await create(sim, token, {
    instances: [{
      prompt: "it moves",
      image: { bytesBase64Encoded: Buffer.from(image).toString("base64"), mimeType: "image/webp" },
    }],
    parameters: { generateAudio: true },
  });
  assertEquals(res.status, 200);
  assertEquals(sim.creates[0].image, { mimeType: "image/webp", bytes: image.byteLength });
});

Deno.test("[vertex] invalid parameters are 400 INVALID_ARGUMENT in Google's error shape", async () => {
  const sim = createVertexSimulator();
  const token = await bearer(sim, Date.now());
  const bad: [unknown, RegExp][] = [
    [{ instances: [{ prompt: "x" }], parameters: { resolution: "8k" } }, /resolution/],
    [{ instances: [{ prompt: "x" }], parameters: { durationSeconds: 5 } }, /duration/],
    [{ instances: [{ prompt: "x" }], parameters: { aspectRatio: "1:1" } }, /aspect ratio/],
    [{ instances: [{ prompt: "x" }], parameters: { generateAudio: "yes" } }, /generateAudio/],
    [{ instances: [{ prompt: "x" }], parameters: { storageUri: "gs://b/p" } }, /storageUri/],
    [{ instances: [{}] }, /prompt is required/],
    [{ instances: [] }, /one instance/],
    [
      { instances: [{ prompt: "x", image: { gcsUri: "gs://b/i.png", mimeType: "image/png" } }] },
      /Cloud Storage/,
    ],
  ];
  for (const [body, why] of bad) {
    const res = await create(sim, token, body);
    assertEquals(res.status, 400, JSON.stringify(body));
    const { error } = await res.json();
    assertEquals([error.code, error.status], [400, "INVALID_ARGUMENT"]);
    assertMatch(error.message, why);
  }
  assertEquals(sim.creates.length, 0);
});

Deno.test("[vertex] a model Vertex AI does not offer (or no longer) is a 404 naming it", async () => {
  const sim = createVertexSimulator();
  const token = await bearer(sim, Date.now());
  const body = { instances: [{ prompt: "x" }], parameters: {} };
  const preview = await create(sim, token, body, "veo-3.1-generate-preview");
  assertEquals(preview.status, 404);
  assertMatch(
    (await preview.json()).error.message,
    /Publisher Model .*veo-3\.1-generate-preview.* was not found/,
  );
  assertEquals((await create(sim, token, body)).status, 200);
  sim.retireModel(MODEL);
  const gone = await create(sim, token, body);
  assertEquals(gone.status, 404);
  assertMatch((await gone.json()).error.message, new RegExp(MODEL.replaceAll(".", "\\.")));
  assertEquals((await call(sim, token, `publishers/google/models/${MODEL}`)).status, 404);
  const other = await call(sim, token, "publishers/google/models/veo-3.1-generate-001");
  assertEquals((await other.json()).launchStage, "GA");
});

Deno.test("[vertex] a filtered prompt finishes done with raiMediaFilteredCount and no video", async () => {
  const c = clock();
  const sim = createVertexSimulator({ now: c.now });
  const token = await bearer(sim, c.now());
  const { name } = await (await create(sim, token, {
    instances: [{ prompt: "[fail] a scene" }],
    parameters: { durationSeconds: 4 },
  })).json();
  c.advance(60_000);
  const done = await (await poll(sim, token, name)).json();
  assertEquals(done.done, true);
  assertEquals(done.response.raiMediaFilteredCount, 1);
  assertMatch(done.response.raiMediaFilteredReasons[0], /Responsible AI/);
  assertEquals(done.response.videos, undefined);
  assertEquals(sim.videoBytes(name), undefined);
  const unknown = await poll(sim, token, `${RESOURCE}/operations/nope`);
  assertEquals(unknown.status, 404);
});

Deno.test("[vertex] extension takes back a 720p video it made and adds 7 seconds; others are 400", async () => {
  const c = clock();
  const sim = createVertexSimulator({ now: c.now });
  const token = await bearer(sim, c.now());
  const make = async (resolution: string) =>
    (await (await create(sim, token, {
      instances: [{ prompt: "a fox" }],
      parameters: { resolution, durationSeconds: 8, aspectRatio: "9:16" },
    })).json()).name as string;
  const hd = await make("720p");
  const fullHd = await make("1080p");
  c.advance(20_000);
  const extend = (bytes: Uint8Array, parameters: Record<string, unknown> = {}) =>
    create(sim, token, {
      instances: [{
        prompt: "it runs off",
        video: { bytesBase64Encoded: Buffer.from(bytes).toString("base64"), mimeType: "video/mp4" },
      }],
      parameters: { sampleCount: 1, ...parameters },
    });

  const res = await extend(sim.videoBytes(hd)!);
  assertEquals(res.status, 200);
  const longer = (await res.json()).name;
  assertEquals(sim.creates.at(-1)?.video, { operation: hd });
  assertEquals(sim.getOperation(longer)?.seconds, 15);
  assertEquals(sim.getOperation(longer)?.aspectRatio, "9:16");
  c.advance(20_000);
  // The whole 15-second result in the source's shape: the portrait 12 s fixture.
  const { video } = fixtureFor("720x1280", 15);
  assertEquals(sim.videoBytes(longer)?.subarray(0, video.bytes.byteLength), video.bytes);

  const refusals: [Promise<Response>, RegExp][] = [
    [extend(MEDIA.video.bytes), /not/],
    [extend(sim.videoBytes(fullHd)!), /Only 720p/],
    [extend(sim.videoBytes(hd)!, { resolution: "1080p" }), /resolution/],
    [extend(sim.videoBytes(hd)!, { aspectRatio: "16:9" }), /aspect ratio/],
  ];
  for (const [pending, why] of refusals) {
    const refused = await pending;
    assertEquals(refused.status, 400);
    assertMatch((await refused.json()).error.message, why);
  }
  // 15 → 22 → 29 → 36 s: a video over 30 seconds is not extended.
  let source = longer;
  for (let i = 0; i < 3; i++) {
    c.advance(20_000);
    source = (await (await extend(sim.videoBytes(source)!)).json()).name;
  }
  c.advance(20_000);
  assertEquals(sim.getOperation(source)?.seconds, 36);
  const tooLong = await extend(sim.videoBytes(source)!);
  assertEquals(tooLong.status, 400);
  assertMatch((await tooLong.json()).error.message, /longer than 30 seconds/);
});

Deno.test("[vertex] faults answer in Google's shape, with RetryInfo for a 429", async () => {
  const sim = createVertexSimulator();
  const token = await bearer(sim, Date.now());
  sim.faults.add({ kind: "status", status: 429, retryAfter: 1.5, times: 1 });
  const res = await call(sim, token, `publishers/google/models/${MODEL}`);
  assertEquals(res.status, 429);
  const { error } = await res.json();
  assertEquals(error.status, "RESOURCE_EXHAUSTED");
  assertEquals(error.details[0].retryDelay, "1.5s");
  assertEquals(sim.requests.at(-1)?.fault, "status");
  assertEquals((await call(sim, token, `publishers/google/models/${MODEL}`)).status, 200);
});
