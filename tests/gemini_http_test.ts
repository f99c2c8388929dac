import { GeminiHttp } from "../services/providers/gemini/http.ts";
import { assertEquals } from "./assert.ts";

Deno.test("[gemini] GEMINI_BASE_URL is an origin, or a base that already names its version", () => {
  const url = (baseUrl: string) =>
    new GeminiHttp({ apiKey: "k", baseUrl, version: "v1", fetch, timeoutMs: 1000 })
      .url("interactions");
  assertEquals(url("https://gemini.test"), "https://gemini.test/v1/interactions");
  assertEquals(url("https://gemini.test/"), "https://gemini.test/v1/interactions");
  assertEquals(url("https://gemini.test/v1beta"), "https://gemini.test/v1beta/interactions");
  assertEquals(url("https://proxy.test/google/v1"), "https://proxy.test/google/v1/interactions");
});
