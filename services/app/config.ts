import process from "node:process";
import { resolve } from "node:path";
import { z } from "zod";
import { LOG_LEVELS } from "./log.ts";

/** Thrown when the environment holds a value the app cannot run with; the message is one line. */
export class ConfigError extends Error {}

const flag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");
const optionalText = z.string().trim().min(1).optional();
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  GEMINI_API_KEY: optionalText,
  GEMINI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OPENAI_MODELS: optionalText,
  FAL_KEY: optionalText,
  FAL_QUEUE_URL: z.url({ protocol: /^https?$/ }).default("https://queue.fal.run"),
  FAL_API_URL: z.url({ protocol: /^https?$/ }).default("https://api.fal.ai/v1"),
  FAL_MODELS: optionalText,
  FAL_JWKS_URL: z.url({ protocol: /^https?$/ }).default(
    "https://rest.fal.ai/.well-known/jwks.json",
  ),
  GOOGLE_CLOUD_PROJECT: optionalText,
  GOOGLE_CLOUD_LOCATION: z.string().trim().regex(/^[a-z0-9-]+$/).default("us-central1"),
  GOOGLE_APPLICATION_CREDENTIALS: optionalText,
  GOOGLE_VERTEX_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  POLL_GIVE_UP_MS: positiveInt(7 * 24 * 3_600_000).default(1_800_000),
  SORA_SIMULATE: flag.default(false),
  POLL_INTERVAL_MS: positiveInt(3_600_000).default(5000),
  UPSTREAM_MAX_RPM: positiveInt(100_000).default(60),
  // Per-user limits on starting paid jobs, so one person cannot starve the rest; 0 turns one off.
  USER_MAX_IN_FLIGHT: z.coerce.number().int().min(0).max(100_000).default(10),
  USER_MAX_CREATES_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(30),
  OPENAI_WEBHOOK_SECRET: optionalText,
  ADMIN_USERNAME: optionalText,
  ADMIN_PASSWORD: optionalText,
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SIMULATOR_TIME_SCALE: z.coerce.number().positive().max(100).optional(),
  UPSTREAM_TIMEOUT_MS: positiveInt(3_600_000).default(60_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  LOG_FORMAT: z.enum(["text", "json"]).default("text"),
  FFMPEG_PATH: z.string().trim().min(1).default("ffmpeg"),
  MAX_STREAMS_PER_USER: positiveInt(10_000).default(20),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  S3_BUCKET: z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).optional(),
  AWS_ENDPOINT_URL_S3: z.url({ protocol: /^https?$/ }).optional(),
  AWS_REGION: z.string().trim().regex(/^[a-z0-9-]+$/).default("us-east-1"),
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
  JOB_LEASE_MS: positiveInt(3_600_000).default(60_000),
});

/** What each variable accepts, said the way a person fixing their .env needs to read it. */
const allowed: Record<string, string> = {
  PORT: "a port number from 0 to 65535",
  HOST: "a listen address such as 127.0.0.1 or 0.0.0.0",
  DATA_DIR: "a folder path",
  OPENAI_BASE_URL: "an http(s) URL such as https://api.openai.com/v1",
  GEMINI_BASE_URL: "an http(s) URL such as https://generativelanguage.googleapis.com",
  OPENAI_MODELS: "a JSON file path, or inline JSON starting with [",
  FAL_QUEUE_URL: "an http(s) URL such as https://queue.fal.run",
  FAL_API_URL: "an http(s) URL such as https://api.fal.ai/v1",
  FAL_JWKS_URL: "an http(s) URL such as https://rest.fal.ai/.well-known/jwks.json",
  GOOGLE_CLOUD_LOCATION: "a Google Cloud region such as us-central1",
  GOOGLE_VERTEX_BASE_URL: "an http(s) URL such as https://us-central1-aiplatform.googleapis.com",
  PUBLIC_URL: "the app's public address, such as https://studio.example.com",
  POLL_GIVE_UP_MS: "a whole number of milliseconds from 1 to 604800000",
  SORA_SIMULATE: "0 or 1",
  POLL_INTERVAL_MS: "a whole number of milliseconds from 1 to 3600000",
  UPSTREAM_MAX_RPM: "a whole number of requests per minute from 1 to 100000",
  USER_MAX_IN_FLIGHT: "a whole number of unfinished videos per user from 0 (no limit) to 100000",
  USER_MAX_CREATES_PER_MINUTE:
    "a whole number of new videos per user per minute from 0 (no limit) to 100000",
  SESSION_SECRET: "a random string of at least 32 characters (or unset, to generate one)",
  SIMULATOR_TIME_SCALE: "a positive number (1 = a 4 s video takes 7 s)",
  UPSTREAM_TIMEOUT_MS: "a whole number of milliseconds from 1 to 3600000",
  LOG_LEVEL: "debug, info, warn or error",
  LOG_FORMAT: "text or json",
  FFMPEG_PATH: "the ffmpeg program, by name or path",
  MAX_STREAMS_PER_USER: "a whole number of live streams from 1 to 10000",
  DATABASE_URL: "a PostgreSQL URL such as postgres://user:pass@host:5432/db (or unset, for SQLite)",
  S3_BUCKET: "an S3 bucket name (3-63 lowercase letters, digits, '.' or '-')",
  AWS_ENDPOINT_URL_S3: "an http(s) URL such as https://s3.example.com (or unset, for AWS)",
  AWS_REGION: "a region such as us-east-1",
  JOB_LEASE_MS: "a whole number of milliseconds from 1 to 3600000",
};

export type Config = Omit<z.infer<typeof envSchema>, "SIMULATOR_TIME_SCALE"> & {
  /** How much slower than (3 + length) seconds a simulated video is made. */
  SIMULATOR_TIME_SCALE: number;
  /**
   * True in demo mode: no provider is configured (or SORA_SIMULATE=1), so the built-in simulators
   * stand in for every provider (OpenAI-compatible, fal.ai, Gemini Omni, Veo on Vertex AI).
   */
  simulate: boolean;
};

const SECRETS = new Set(["DATABASE_URL", "AWS_SECRET_ACCESS_KEY", "SESSION_SECRET"]);

/** Reads the environment (and `.env`, which never overrides real variables) once. */
export function loadConfig(env: Record<string, string | undefined> = readEnv()): Config {
  const parsed = envSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    const hint = allowed[name] ?? issue.message;
    // A URL with a password in it is not repeated into a log.
    const shown = SECRETS.has(name) ? name : `${name}=${JSON.stringify(env[name] ?? "")}`;
    throw new ConfigError(`${shown} is not valid: use ${hint}.`);
  }
  const config = parsed.data;
  if (config.S3_BUCKET && !(config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY)) {
    throw new ConfigError(
      "S3_BUCKET is set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for it too.",
    );
  }
  return {
    ...config,
    SIMULATOR_TIME_SCALE: config.SIMULATOR_TIME_SCALE ?? demoTimeScale(config.POLL_INTERVAL_MS),
    DATA_DIR: resolve(config.DATA_DIR),
    simulate: config.SORA_SIMULATE || !anyProviderConfigured(config),
  };
}

/**
 * Unset, simulated videos take long enough that even the shortest (4 s, which takes 7 s at scale
 * 1) is checked about five times, so a person sees its progress bar move in demo mode.
 */
function demoTimeScale(pollIntervalMs: number): number {
  return Math.max(1, Math.round((5 * pollIntervalMs) / 7000 * 10) / 10);
}

/** Whether any real provider has what it needs to be turned on. */
function anyProviderConfigured(config: z.infer<typeof envSchema>): boolean {
  return !!(config.OPENAI_API_KEY || config.GEMINI_API_KEY || config.FAL_KEY ||
    (config.GOOGLE_CLOUD_PROJECT && config.GOOGLE_APPLICATION_CREDENTIALS));
}

/**
 * A `.env` the app may not read is the same as none: absent, refused by the file's mode (EACCES),
 * or outside what `--allow-read` grants (NotCapable), as when an operator limits reads to
 * DATA_DIR. Anything else (a folder named .env, a malformed line) is still an error.
 */
function readEnv(): Record<string, string | undefined> {
  try {
    process.loadEnvFile(".env");
  } catch (error) {
    const unreadable = error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied ||
      ["ENOENT", "EACCES", "EPERM"].includes((error as { code?: string }).code ?? "");
    if (!unreadable) throw new ConfigError(`.env could not be read: ${(error as Error).message}`);
  }
  return Deno.env.toObject();
}

/** An empty `FOO=` in a .env means "not set", as most tools treat it. */
function blankToUndefined(env: Record<string, string | undefined>) {
  const out: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") out[key] = value;
  }
  return out;
}
