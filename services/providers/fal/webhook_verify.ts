import type { Fetch } from "../options.ts";

/** Deliveries signed longer ago (or further ahead) than this are refused: no replays later. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** fal's signing keys are fetched again after this long. */
const JWKS_TTL_MS = 24 * 3600_000;
/** An unknown signature refetches the keys (fal may have rotated them), at most this often. */
const REFETCH_AFTER_MS = 60_000;

/** A delivery that does not verify, with the reason (for the log; callers answer 400). */
export class FalWebhookRejected extends Error {}

export interface FalWebhookDelivery {
  requestId: string;
  userId: string;
  /** Unix seconds the delivery was signed at. */
  timestamp: number;
}

export interface FalWebhookVerifierOptions {
  /** fal's JWKS (`https://rest.fal.ai/.well-known/jwks.json`): OKP/Ed25519 keys. */
  jwksUrl: string;
  fetch: Fetch;
  now: () => number;
  timeoutMs: number;
}

/**
 * Checks fal's webhook signatures: ED25519 over `request_id \n user_id \n timestamp \n
 * sha256hex(body)`, hex in `X-Fal-Webhook-Signature`, against any key of fal's JWKS (cached a
 * day). The body must be the exact bytes received.
 */
export class FalWebhookVerifier {
  readonly #o: FalWebhookVerifierOptions;
  #keys: { keys: CryptoKey[]; at: number } | undefined;

  constructor(options: FalWebhookVerifierOptions) {
    this.#o = options;
  }

  async verify(body: Uint8Array<ArrayBuffer>, headers: Headers): Promise<FalWebhookDelivery> {
    const requestId = headers.get("x-fal-webhook-request-id");
    const userId = headers.get("x-fal-webhook-user-id");
    const timestampText = headers.get("x-fal-webhook-timestamp");
    const signatureHex = headers.get("x-fal-webhook-signature");
    if (!requestId || !userId || !timestampText || !signatureHex) {
      throw new FalWebhookRejected("a fal webhook header is missing");
    }
    const timestamp = Number(timestampText);
    if (!/^\d+$/.test(timestampText.trim()) || !Number.isSafeInteger(timestamp)) {
      throw new FalWebhookRejected("the timestamp is not a number of seconds");
    }
    if (Math.abs(this.#o.now() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) {
      throw new FalWebhookRejected("the timestamp is too far from now");
    }
    const signature = fromHex(signatureHex.trim());
    if (!signature || signature.byteLength !== 64) {
      throw new FalWebhookRejected("the signature is not 64 bytes of hex");
    }
    const digest = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", body)));
    const message = new TextEncoder().encode(
      `${requestId}\n${userId}\n${timestampText.trim()}\n${digest}`,
    );
    if (await this.#verifiesWithAny(await this.#currentKeys(), signature, message)) {
      return { requestId, userId, timestamp };
    }
    if (this.#keys && this.#o.now() - this.#keys.at > REFETCH_AFTER_MS) {
      this.#keys = undefined;
      if (await this.#verifiesWithAny(await this.#currentKeys(), signature, message)) {
        return { requestId, userId, timestamp };
      }
    }
    throw new FalWebhookRejected("the signature does not verify with fal's keys");
  }

  async #verifiesWithAny(
    keys: CryptoKey[],
    signature: Uint8Array<ArrayBuffer>,
    message: Uint8Array<ArrayBuffer>,
  ) {
    for (const key of keys) {
      if (await crypto.subtle.verify("Ed25519", key, signature, message)) return true;
    }
    return false;
  }

  async #currentKeys(): Promise<CryptoKey[]> {
    if (this.#keys && this.#o.now() - this.#keys.at < JWKS_TTL_MS) return this.#keys.keys;
    const keys = await this.#fetchKeys();
    this.#keys = { keys, at: this.#o.now() };
    return keys;
  }

  async #fetchKeys(): Promise<CryptoKey[]> {
    let body: { keys?: unknown };
    try {
      const response = await this.#o.fetch(this.#o.jwksUrl, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`status ${response.status}`);
      }
      body = await response.json();
    } catch (error) {
      throw new FalWebhookRejected(
        `fal's signing keys could not be read (${(error as Error).message})`,
      );
    }
    const keys: CryptoKey[] = [];
    for (const jwk of Array.isArray(body?.keys) ? body.keys : []) {
      const { kty, crv, x } = (jwk ?? {}) as { kty?: unknown; crv?: unknown; x?: unknown };
      if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string") continue;
      const raw = fromBase64Url(x);
      if (!raw || raw.byteLength !== 32) continue;
      keys.push(await crypto.subtle.importKey("raw", raw, "Ed25519", false, ["verify"]));
    }
    if (keys.length === 0) throw new FalWebhookRejected("fal's JWKS has no Ed25519 key");
    return keys;
  }
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
