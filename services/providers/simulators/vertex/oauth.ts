// A stand-in for Google's OAuth token endpoint, as a service account meets it: it hands out a
// key file whose token_uri points back at it, checks the RS256 assertion signed with that key
// (JWT-bearer grant, RFC 7523) and issues short-lived opaque bearer tokens it then checks.
import { Buffer } from "node:buffer";
import { generateKeyPairSync } from "node:crypto";
import { googleError, json } from "../google_responses.ts";
import { UNAUTHENTICATED_MESSAGE } from "./google_errors.ts";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** Google accepts assertions valid for at most an hour, with a little clock skew. */
const MAX_ASSERTION_SECONDS = 3600;
const SKEW_SECONDS = 300;

/** A service-account key file, as the Cloud console downloads it. */
export interface ServiceAccountJson {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
}

export interface IssuedToken {
  /** Simulator clock (ms) when it was issued. */
  at: number;
  token: string;
  /** The assertion's issuer (the service account's email). */
  subject: string;
  expiresAt: number;
}

interface KeyPair {
  id: string;
  privatePem: string;
  publicDer: Uint8Array<ArrayBuffer>;
}

// An RSA key takes a fraction of a second to make: one per process serves every simulator.
let processKey: KeyPair | undefined;
function keyPair(): KeyPair {
  if (!processKey) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "der" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    processKey = {
      id: crypto.randomUUID().replaceAll("-", ""),
      privatePem: privateKey,
      publicDer: new Uint8Array(publicKey),
    };
  }
  return processKey;
}

export interface OAuthOptions {
  now: () => number;
  projectId: string;
  /** What `expires_in` says (seconds); short in tests that watch a token being renewed. */
  tokenLifetimeSeconds: number;
}

export class OAuthStandIn {
  readonly #options: OAuthOptions;
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #issued: IssuedToken[] = [];
  #verifyKey?: Promise<CryptoKey>;

  constructor(options: OAuthOptions) {
    this.#options = options;
  }

  get clientEmail(): string {
    return `veo-studio@${this.#options.projectId}.iam.gserviceaccount.com`;
  }

  get issued(): readonly IssuedToken[] {
    return this.#issued;
  }

  /** A key file for this stand-in, whose token_uri is `{origin}/token`. */
  credentials(origin: string): ServiceAccountJson {
    const key = keyPair();
    return {
      type: "service_account",
      project_id: this.#options.projectId,
      private_key_id: key.id,
      private_key: key.privatePem,
      client_email: this.clientEmail,
      client_id: "100000000000000000001",
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: `${origin.replace(/\/+$/, "")}/token`,
    };
  }

  /** POST /token: trades a signed assertion for an access token, or says why not. */
  async token(req: Request, url: URL): Promise<Response> {
    const form = new URLSearchParams(await req.text());
    if (form.get("grant_type") !== JWT_BEARER) {
      return oauthError(
        400,
        "unsupported_grant_type",
        `Invalid grant_type: ${form.get("grant_type") ?? ""}`,
      );
    }
    const assertion = form.get("assertion") ?? "";
    const problem = await this.#assertionProblem(assertion, `${url.origin}${url.pathname}`);
    if (problem) return oauthError(400, problem.error, problem.description);
    const claims = decodePart(assertion.split(".")[1]) as { iss: string };
    const at = this.#options.now();
    const issued: IssuedToken = {
      at,
      token: `ya29.sim-${crypto.randomUUID()}`,
      subject: claims.iss,
      expiresAt: at + this.#options.tokenLifetimeSeconds * 1000,
    };
    this.#tokens.set(issued.token, issued);
    this.#issued.push(issued);
    return json({
      access_token: issued.token,
      expires_in: this.#options.tokenLifetimeSeconds,
      token_type: "Bearer",
    });
  }

  /** Undefined when the request carries a live token this stand-in issued; else the 401. */
  authorize(req: Request): Response | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    const issued = match ? this.#tokens.get(match[1]) : undefined;
    if (issued && this.#options.now() < issued.expiresAt) return undefined;
    return googleError(401, UNAUTHENTICATED_MESSAGE, {
      headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' },
    });
  }

  async #assertionProblem(
    assertion: string,
    audience: string,
  ): Promise<{ error: string; description: string } | undefined> {
    const invalid = (description: string) => ({ error: "invalid_grant", description });
    const parts = assertion.split(".");
    if (parts.length !== 3) return invalid("Invalid JWT: not three base64url parts.");
    let header: { alg?: unknown };
    let claims: Record<string, unknown>;
    try {
      header = decodePart(parts[0]) as { alg?: unknown };
      claims = decodePart(parts[1]) as Record<string, unknown>;
    } catch {
      return invalid("Invalid JWT: its header or claims are not base64url JSON.");
    }
    if (header.alg !== "RS256") return invalid("Invalid JWT: the algorithm must be RS256.");
    const signed = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      await this.#publicKey(),
      Buffer.from(parts[2], "base64url"),
      new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    );
    if (!signed) return invalid("Invalid JWT Signature.");
    if (claims.iss !== this.clientEmail) {
      return invalid("Invalid grant: account not found");
    }
    if (claims.aud !== audience) {
      return invalid(`Invalid JWT: the audience must be ${audience}.`);
    }
    const scopes = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
    if (!scopes.includes(CLOUD_PLATFORM_SCOPE)) {
      return {
        error: "invalid_scope",
        description: `The scope must include ${CLOUD_PLATFORM_SCOPE}.`,
      };
    }
    const now = this.#options.now() / 1000;
    const { iat, exp } = claims;
    if (
      typeof iat !== "number" || typeof exp !== "number" || exp <= iat ||
      exp - iat > MAX_ASSERTION_SECONDS || iat > now + SKEW_SECONDS || exp < now - SKEW_SECONDS
    ) {
      return invalid(
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable " +
          "timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    return undefined;
  }

  #publicKey(): Promise<CryptoKey> {
    return this.#verifyKey ??= crypto.subtle.importKey(
      "spki",
      keyPair().publicDer,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
  }
}

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

/** OAuth's error answer: `{"error", "error_description"}`. */
function oauthError(status: number, error: string, description: string): Response {
  return json({ error, error_description: description }, status);
}
