/**
 * Signs webhook deliveries the way OpenAI does (standard-webhooks: HMAC-SHA256 over
 * `id.timestamp.body`, keyed by the base64 part of a `whsec_` secret), so the app's verification
 * can be exercised end to end.
 */
export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

export async function signWebhook(
  secret: string,
  event: { id: string; type: string; data: Record<string, unknown> },
  timestampSeconds = Math.floor(Date.now() / 1000),
): Promise<SignedDelivery> {
  const body = JSON.stringify({ object: "event", created_at: timestampSeconds, ...event });
  const keyBytes = secret.startsWith("whsec_")
    ? Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0))
    : new TextEncoder().encode(secret);
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = new TextEncoder().encode(`${event.id}.${timestampSeconds}.${body}`);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": event.id,
      "webhook-timestamp": String(timestampSeconds),
      "webhook-signature": `v1,${btoa(String.fromCharCode(...signature))}`,
    },
  };
}
