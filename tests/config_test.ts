import { ConfigError, loadConfig } from "../services/app/config.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

Deno.test("[config] defaults are the contract's", () => {
  const config = loadConfig({});
  assertEquals(config.PORT, 8000);
  assertEquals(config.HOST, "127.0.0.1");
  assert(config.DATA_DIR.endsWith("/data"));
  assertEquals(config.POLL_INTERVAL_MS, 5000);
  assertEquals(config.UPSTREAM_MAX_RPM, 60);
  assertEquals(config.simulate, true, "no key means demo mode");
});

Deno.test("[config] a key turns demo mode off unless SORA_SIMULATE=1", () => {
  assertEquals(loadConfig({ OPENAI_API_KEY: "sk-test" }).simulate, false);
  assertEquals(loadConfig({ OPENAI_API_KEY: "sk-test", SORA_SIMULATE: "1" }).simulate, true);
  assertEquals(loadConfig({ OPENAI_API_KEY: "" }).simulate, true, "an empty value is unset");
});

Deno.test("[config] a bad value is one line naming the variable and what is allowed", () => {
  const cases: Record<string, string> = {
    PORT: "eighty",
    POLL_INTERVAL_MS: "-5",
    UPSTREAM_MAX_RPM: "0",
    SORA_SIMULATE: "maybe",
    OPENAI_BASE_URL: "ftp://x",
    SESSION_SECRET: "short",
  };
  for (const [name, value] of Object.entries(cases)) {
    try {
      loadConfig({ [name]: value });
      assert(false, `${name}=${value} was accepted`);
    } catch (error) {
      assert(error instanceof ConfigError, name);
      assertMatch(error.message, new RegExp(`^${name}=.* is not valid: use .+\\.$`));
      assert(!error.message.includes("\n"), "one line");
    }
  }
});
