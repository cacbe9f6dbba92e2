/** Assertions for Deno tests on node:assert (jsr's @std/assert is unreachable from our machines). */
import nodeAssert from "node:assert/strict";

/** Fails unless `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Fails unless `actual` deeply and strictly equals `expected`. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Fails unless `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(actual, pattern, message);
}

/** Fails unless `fn` throws (an instance of `ErrorClass` when given). */
export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: new (...args: any[]) => Error,
): void {
  if (ErrorClass) nodeAssert.throws(fn, (e: unknown) => e instanceof ErrorClass);
  else nodeAssert.throws(fn);
}
