// Signs webhook deliveries the way fal does: ED25519 over
// `request_id \n user_id \n timestamp \n sha256hex(body)`, hex in X-Fal-Webhook-Signature, with a
// key whose public half is served as a JWKS (OKP / Ed25519, base64url `x`).

export interface FalSigner {
  /** The JWKS body fal serves at /.well-known/jwks.json. */
  jwks(): Promise<{ keys: Record<string, string>[] }>;
  /** The headers of a delivery of `body` about `requestId`, signed at `timestampSeconds`. */
  sign(requestId: string, body: string, timestampSeconds: number): Promise<Record<string, string>>;
}

/** The simulated account the deliveries are for. */
export const SIMULATED_USER_ID = "sim-user-0001";

export function createFalSigner(): FalSigner {
  let pair: Promise<CryptoKeyPair> | undefined;
  const keys = () =>
    pair ??= crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as Promise<
      CryptoKeyPair
    >;
  return {
    async jwks() {
      const jwk = await crypto.subtle.exportKey("jwk", (await keys()).publicKey);
      return {
        keys: [{
          kty: "OKP",
          crv: "Ed25519",
          x: String(jwk.x),
          kid: "fal-simulator-1",
          use: "sig",
          alg: "EdDSA",
        }],
      };
    },
    async sign(requestId, body, timestampSeconds) {
      const digest = hex(
        new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body))),
      );
      const message = `${requestId}\n${SIMULATED_USER_ID}\n${timestampSeconds}\n${digest}`;
      const signature = await crypto.subtle.sign(
        "Ed25519",
        (await keys()).privateKey,
        new TextEncoder().encode(message),
      );
      return {
        "content-type": "application/json",
        "x-fal-webhook-request-id": requestId,
        "x-fal-webhook-user-id": SIMULATED_USER_ID,
        "x-fal-webhook-timestamp": String(timestampSeconds),
        "x-fal-webhook-signature": hex(new Uint8Array(signature)),
      };
    },
  };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
