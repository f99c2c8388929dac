/** The few assertions the tests use (JSR's @std/assert is out of reach here). */
import { deepStrictEqual, match, ok } from "node:assert/strict";

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  match(actual, pattern, message);
}

export function assert(condition: unknown, message?: string): asserts condition {
  ok(condition, message);
}
