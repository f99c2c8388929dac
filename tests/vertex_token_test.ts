// The Vertex client's service-account tokens against the simulator's token endpoint: the
// assertion it signs is accepted, the token is reused and renewed, the key file's token_uri is
// where it goes, and a refused or unreachable token endpoint is an outage in plain words.
import { Buffer } from "node:buffer";
import { parseServiceAccount } from "../services/providers/vertex/credentials.ts";
import { createVertexUpstream } from "../services/providers/vertex/vertex_upstream.ts";
import {
  createVertexSimulator,
  type VertexSimulator,
} from "../services/providers/simulators/vertex/simulator.ts";
import { assert, assertEquals, assertMatch, rejection } from "./assert.ts";

const START = Date.UTC(2026, 10, 27);

function clock() {
  let t = START;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The upstream as the app builds it, against the simulator on its usual test origin. */
function upstreamOn(sim: VertexSimulator, extra: { now?: () => number } = {}) {
  return createVertexUpstream({
    account: parseServiceAccount(sim.credentials("http://vertex.test")),
    project: "p",
    location: "us-central1",
    baseUrl: "http://vertex.test",
    fetch: (input, init) => sim.fetch(new Request(input, init)),
    ...extra,
  });
}

Deno.test("[vertex] the client's signed assertion is accepted and its token reused across calls", async () => {
  const sim = createVertexSimulator({ timeScale: 0.01 });
  const upstream = upstreamOn(sim);
  await upstream.ping();
  await upstream.ping();
  const job = await upstream.create(
    { prompt: "a kite", model: "veo-3.1-fast-generate-001", size: "1280x720", seconds: "4" },
    "k1",
  );
  await upstream.retrieve(job.id);
  assertEquals(sim.tokens.length, 1);
  assertEquals(sim.tokens[0].subject, sim.credentials().client_email);
  assertEquals(sim.requests.filter((r) => r.path === "/token").length, 1);
});

Deno.test("[vertex] a token is renewed shortly before it expires", async () => {
  const c = clock();
  const sim = createVertexSimulator({ now: c.now, tokenLifetimeSeconds: 100 });
  const upstream = upstreamOn(sim, { now: c.now });
  await upstream.ping();
  c.advance(85_000);
  await upstream.ping();
  assertEquals(sim.tokens.length, 1, "still fresh at 85 of 100 s");
  c.advance(10_000);
  await upstream.ping();
  assertEquals(sim.tokens.length, 2, "renewed at 95 of 100 s, before it ran out");
  assert(sim.requests.every((r) => r.path === "/token" || !r.fault), "no request was refused");
});

Deno.test("[vertex] the token request goes to the key file's own token_uri", async () => {
  const sim = createVertexSimulator();
  const hosts: string[] = [];
  const upstream = createVertexUpstream({
    account: parseServiceAccount(sim.credentials("http://oauth.test")),
    project: "p",
    location: "europe-west4",
    baseUrl: "http://vertex.test/",
    fetch: (input, init) => {
      const request = new Request(input, init);
      hosts.push(`${request.method} ${request.url}`);
      return sim.fetch(request);
    },
  });
  await upstream.ping();
  assertEquals(hosts, [
    "POST http://oauth.test/token",
    "GET http://vertex.test/v1/publishers/google/models/veo-3.1-fast-generate-001",
  ]);
});

Deno.test("[vertex] a key Google refuses is a 'refused' outage that names the key file", async () => {
  const sim = createVertexSimulator();
  const other = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const der = await crypto.subtle.exportKey("pkcs8", other.privateKey);
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${
    Buffer.from(der).toString("base64")
  }\n-----END PRIVATE KEY-----\n`;
  // The right account, signed with a key Google does not know (deleted, or another one).
  const account = parseServiceAccount({
    ...sim.credentials("http://vertex.test"),
    private_key: privateKey,
  });
  const upstream = createVertexUpstream({
    account,
    project: "p",
    location: "us-central1",
    baseUrl: "http://vertex.test",
    fetch: (input, init) => sim.fetch(new Request(input, init)),
  });
  const error = await rejection(upstream.ping());
  assertEquals(error.outage, "refused");
  assertMatch(error.message, /Invalid JWT Signature/);
  assertMatch(error.message, /GOOGLE_APPLICATION_CREDENTIALS/);
  assertEquals(sim.requests.filter((r) => r.path !== "/token").length, 0);
});

Deno.test("[vertex] a token endpoint that cannot be reached is an 'unreachable' outage", async () => {
  const sim = createVertexSimulator();
  const upstream = createVertexUpstream({
    account: parseServiceAccount(sim.credentials("http://oauth.test")),
    project: "p",
    location: "us-central1",
    baseUrl: "http://vertex.test",
    fetch: (input, init) => {
      const request = new Request(input, init);
      if (request.url.startsWith("http://oauth.test")) {
        return Promise.reject(new TypeError("error sending request: connection refused"));
      }
      return sim.fetch(request);
    },
  });
  const error = await rejection(upstream.ping());
  assertEquals([error.outage, error.transient], ["unreachable", true]);
  assertMatch(error.message, /token endpoint .*oauth\.test.* could not be reached/);
});

Deno.test("[vertex] a token endpoint that answers 5xx is retried later, not an outage", async () => {
  const sim = createVertexSimulator();
  sim.faults.add({ kind: "status", status: 503, path: /^\/token/, times: 1 });
  const upstream = upstreamOn(sim);
  const error = await rejection(upstream.ping());
  assertEquals([error.transient, error.outage, error.status], [true, undefined, 503]);
  await upstream.ping();
});

Deno.test("[vertex] a 401 from Vertex AI is tried once more with a fresh token", async () => {
  const sim = createVertexSimulator();
  const upstream = upstreamOn(sim);
  await upstream.ping();
  sim.faults.add({ kind: "status", status: 401, path: /^\/v1\//, times: 1 });
  await upstream.ping();
  assertEquals(sim.tokens.length, 2);
  // Refused every time: the credentials are refused, an outage.
  sim.faults.add({ kind: "status", status: 401, path: /^\/v1\// });
  const error = await rejection(upstream.ping());
  assertEquals(error.outage, "refused");
  assertMatch(error.message, /refused the service account's credentials/);
});
