import { Buffer } from "node:buffer";
import type { Fetch } from "../options.ts";
import { retryAfterMs, UpstreamError } from "../upstream.ts";
import { pemBody, type ServiceAccount } from "./credentials.ts";
import { networkError } from "./errors.ts";

/** The scope Vertex AI needs. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** How long an assertion is good for: Google accepts at most an hour. */
const ASSERTION_SECONDS = 3600;

export interface TokenSourceOptions {
  fetch: Fetch;
  now: () => number;
  timeoutMs: number;
}

/**
 * OAuth2 access tokens for a service account, by the JWT-bearer grant (RFC 7523) that Google's
 * client libraries use: an RS256-signed assertion POSTed to the key file's own `token_uri`, so a
 * stand-in can serve it. A token is reused until shortly before it expires; concurrent callers
 * share one request.
 */
export class TokenSource {
  readonly #source: ServiceAccount | (() => ServiceAccount);
  #resolved?: ServiceAccount;
  readonly #options: TokenSourceOptions;
  #key?: Promise<CryptoKey>;
  #cached?: { token: string; refreshAt: number };
  #pending?: Promise<string>;

  /** `account` may be a function, called on the first token (the simulator's key is made then). */
  constructor(account: ServiceAccount | (() => ServiceAccount), options: TokenSourceOptions) {
    this.#source = account;
    this.#options = options;
  }

  get #account(): ServiceAccount {
    const source = this.#source;
    return this.#resolved ??= typeof source === "function" ? source() : source;
  }

  /** A valid access token, from the cache or freshly obtained. */
  token(): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#options.now() < cached.refreshAt) return Promise.resolve(cached.token);
    return this.#pending ??= this.#obtain().finally(() => this.#pending = undefined);
  }

  /** Forgets the cached token (the API refused it: revoked, or the endpoint restarted). */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  async #obtain(): Promise<string> {
    const obtainedAt = this.#options.now();
    const assertion = await this.#assertion(Math.floor(obtainedAt / 1000));
    const uri = this.#account.token_uri;
    let response: Response;
    let text: string;
    try {
      response = await this.#options.fetch(uri, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion,
        }).toString(),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw networkError(error, `Google's token endpoint (${uri})`);
    }
    if (!response.ok) throw tokenError(response, text);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError(
        "Google's token endpoint answered with something that is not JSON.",
        true,
      );
    }
    if (typeof body.access_token !== "string" || !body.access_token) {
      throw new UpstreamError("Google's token endpoint answered without an access token.", true);
    }
    const lifetimeMs = (Number(body.expires_in) > 0 ? Number(body.expires_in) : 3600) * 1000;
    // Renew a little early (a tenth of the lifetime, at most five minutes) so no request goes out
    // with a token that expires on the way.
    const margin = Math.min(300_000, lifetimeMs / 10);
    this.#cached = { token: body.access_token, refreshAt: obtainedAt + lifetimeMs - margin };
    return body.access_token;
  }

  async #assertion(iat: number): Promise<string> {
    const header = { alg: "RS256", typ: "JWT", kid: this.#account.private_key_id };
    const claims = {
      iss: this.#account.client_email,
      scope: CLOUD_PLATFORM_SCOPE,
      aud: this.#account.token_uri,
      iat,
      exp: iat + ASSERTION_SECONDS,
    };
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const key = await (this.#key ??= importKey(this.#account.private_key).catch((error) => {
      this.#key = undefined;
      throw error;
    }));
    const signature = await crypto.subtle.sign(
      "RSASSA-PKCS1-v1_5",
      key,
      new TextEncoder().encode(unsigned),
    );
    return `${unsigned}.${base64url(new Uint8Array(signature))}`;
  }
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = pemBody(pem);
  try {
    if (!der) throw new Error("not PEM");
    return await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch {
    // Not an outage to wait out: the key file itself is wrong.
    throw new UpstreamError(
      "The service account's private_key is not an RSA key this server can sign with; " +
        "check GOOGLE_APPLICATION_CREDENTIALS.",
      true,
      undefined,
      undefined,
      undefined,
      "refused",
    );
  }
}

/**
 * The token endpoint said no. A 4xx means the key itself was refused (deleted, disabled, the
 * clock far off): an outage naming the credentials. 429 and 5xx are worth another try.
 */
function tokenError(response: Response, text: string): UpstreamError {
  let said = "";
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    said = [body.error, body.error_description].filter((s) => typeof s === "string").join(": ");
  } catch {
    // Not OAuth's JSON: the status says enough.
  }
  const status = response.status;
  const detail = said ? ` (${said})` : "";
  if (status === 429 || status >= 500) {
    return new UpstreamError(
      `Google's token endpoint answered HTTP ${status}${detail}.`,
      true,
      status,
      undefined,
      retryAfterMs(response.headers),
    );
  }
  return new UpstreamError(
    `Google refused the service account's key${detail}; check GOOGLE_APPLICATION_CREDENTIALS.`,
    true,
    status,
    undefined,
    undefined,
    "refused",
  );
}

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64url");
}
