/** The few assertions the tests use (JSR's @std/assert is out of reach here). */
import { deepStrictEqual, match, ok } from "node:assert/strict";
import { UpstreamError } from "../services/providers/upstream.ts";

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  match(actual, pattern, message);
}

export function assert(condition: unknown, message?: string): asserts condition {
  ok(condition, message);
}

/** What a provider call rejected with, asserted to be the classified UpstreamError. */
export async function rejection(work: Promise<unknown>): Promise<UpstreamError> {
  try {
    await work;
  } catch (error) {
    assert(error instanceof UpstreamError, `expected an UpstreamError, got ${error}`);
    return error;
  }
  throw new Error("expected the call to fail");
}

/** What `work` rejected with (of `type`, when given); fails when it resolves. */
export async function assertRejects(
  work: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type?: new (...args: any[]) => Error,
): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    if (type) assert(error instanceof type, `expected a ${type.name}, got ${error}`);
    return error;
  }
  throw new Error("expected the call to fail");
}
