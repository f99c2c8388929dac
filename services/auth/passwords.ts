import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { BoundedWork } from "./bounded_work.ts";

/** scrypt with a per-password salt; the parameters travel in the hash so they can be raised later. */
const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

/**
 * Each scrypt call holds 128·N·r bytes (32 MB here): a burst of logins hashed all at once took the
 * process past a gigabyte. So at most this many run at once, a few more wait, and the rest are
 * refused with 503 and Retry-After (the login throttle has counted them already).
 */
export const HASHING_AT_ONCE = 2;
export const HASHING_QUEUE = 16;
export const hashing = new BoundedWork(HASHING_AT_ONCE, HASHING_QUEUE, "checking passwords");

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return hashing.run(() =>
    new Promise((resolve, reject) =>
      scrypt(
        password,
        salt,
        KEY_LENGTH,
        { N: n, r, p, maxmem: MAX_MEMORY },
        (error, key) => error ? reject(error) : resolve(key),
      )
    )
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), +n, +r, +p);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/** A hash of a random password, so that checking an unknown user costs the same as a known one. */
export function dummyHash(): Promise<string> {
  // Made on first use; a refusal (the server too busy) is not kept, so the next call tries again.
  dummy ??= hashPassword(crypto.randomUUID()).catch((error) => {
    dummy = undefined;
    throw error;
  });
  return dummy;
}
