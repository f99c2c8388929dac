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
    DATABASE_URL: "mysql://user:hunter2@db/studio",
    S3_BUCKET: "Not A Bucket",
  };
  // A secret (or a URL with a password in it) is named, never repeated into the log.
  const secret = new Set(["SESSION_SECRET", "DATABASE_URL"]);
  for (const [name, value] of Object.entries(cases)) {
    try {
      loadConfig({ [name]: value });
      assert(false, `${name}=${value} was accepted`);
    } catch (error) {
      assert(error instanceof ConfigError, name);
      const shown = secret.has(name) ? name : `${name}=.*`;
      assertMatch(error.message, new RegExp(`^${shown} is not valid: use .+\\.$`));
      assert(!secret.has(name) || !error.message.includes(value), `${name}'s value is not shown`);
      assert(!error.message.includes("\n"), "one line");
    }
  }
});

Deno.test("[config] a bucket without credentials stops the start with one line", () => {
  try {
    loadConfig({ S3_BUCKET: "studio-media" });
    assert(false, "accepted");
  } catch (error) {
    assert(error instanceof ConfigError);
    assertMatch(
      error.message,
      /^S3_BUCKET is set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  }
  const config = loadConfig({
    S3_BUCKET: "studio-media",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "secret",
    DATABASE_URL: "postgres://studio:pw@db:5432/studio",
  });
  assertEquals([config.S3_BUCKET, config.AWS_REGION, config.JOB_LEASE_MS], [
    "studio-media",
    "us-east-1",
    60_000,
  ]);
});
