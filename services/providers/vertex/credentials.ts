import { ConfigError } from "../../app/config.ts";

/** Google's OAuth token endpoint, for key files that do not name one (they all do today). */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

/** What the app needs of a service-account key file (the JSON the Cloud console downloads). */
export interface ServiceAccount {
  type: "service_account";
  project_id?: string;
  private_key_id?: string;
  /** PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`). */
  private_key: string;
  client_email: string;
  /** Where to trade a signed assertion for an access token. */
  token_uri: string;
}

const VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS";

/**
 * Reads the key file named by GOOGLE_APPLICATION_CREDENTIALS at start, so a wrong path or the
 * wrong kind of file stops the server with one line instead of failing every video later.
 */
export function loadServiceAccount(path: string): ServiceAccount {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "there is no such file"
      : error instanceof Deno.errors.PermissionDenied
      ? "the server may not read it"
      : (error as Error).message;
    throw new ConfigError(
      `${VARIABLE}=${JSON.stringify(path)} could not be read (${why}): ` +
        "set it to the path of a service-account key file.",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw notServiceAccount(path, "it is not JSON");
  }
  const problem = serviceAccountProblem(json);
  if (problem) throw notServiceAccount(path, problem);
  return normalize(json as ServiceAccount);
}

/** The same checks for a key given as an object (the simulator's, in demo mode). */
export function parseServiceAccount(json: unknown): ServiceAccount {
  const problem = serviceAccountProblem(json);
  if (problem) throw new ConfigError(`The service-account key is not usable: ${problem}.`);
  return normalize(json as ServiceAccount);
}

function notServiceAccount(path: string, why: string): ConfigError {
  return new ConfigError(
    `${VARIABLE}=${JSON.stringify(path)} is not a service-account key file (${why}): ` +
      "download a JSON key for a service account from the Google Cloud console.",
  );
}

/** Why this is not a service-account key, in a few words, or undefined when it is one. */
function serviceAccountProblem(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return "it is not a JSON object";
  }
  const key = json as Record<string, unknown>;
  if (key.type !== "service_account") {
    return `its type is ${JSON.stringify(key.type ?? null)}, not "service_account"`;
  }
  if (typeof key.client_email !== "string" || !key.client_email.includes("@")) {
    return "it has no client_email";
  }
  if (typeof key.private_key !== "string" || !pemBody(key.private_key)) {
    return "its private_key is not a PEM PKCS#8 key";
  }
  if (key.token_uri !== undefined && !isHttpUrl(key.token_uri)) return "its token_uri is not a URL";
  return undefined;
}

function normalize(key: ServiceAccount): ServiceAccount {
  return {
    type: "service_account",
    project_id: typeof key.project_id === "string" ? key.project_id : undefined,
    private_key_id: typeof key.private_key_id === "string" ? key.private_key_id : undefined,
    private_key: key.private_key,
    client_email: key.client_email,
    token_uri: key.token_uri ?? GOOGLE_TOKEN_URI,
  };
}

/** The DER bytes of a PKCS#8 PEM key, or undefined when it is not one. */
export function pemBody(pem: string): Uint8Array<ArrayBuffer> | undefined {
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
  if (!match) return undefined;
  const base64 = match[1].replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  try {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
