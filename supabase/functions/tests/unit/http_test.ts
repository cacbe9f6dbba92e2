// Pure pieces of the HTTP layer: nesting depth, Postgres error mapping, the action registry.
import { assertEquals, assertThrows } from "../_assert.ts";
import { ApiError, assertNesting, fromPostgresError } from "../../_shared/platform/http.ts";
import { registry, tenantAction } from "../../_shared/platform/actions.ts";
import { z } from "zod";

Deno.test("JSON nested deeper than the cap is refused before parsing, strings do not count", () => {
  assertNesting('{"a":[{"b":"[[[[[[[[[[[[["}]}', 3);
  assertThrows(() => assertNesting("[".repeat(10_000), 64), ApiError);
  assertNesting('{"s":"\\"[[[[["}', 1);
});

Deno.test("NUL and untranslatable characters are the caller's 400, not a 500", () => {
  assertEquals(
    fromPostgresError({ code: "22021", message: "invalid byte sequence" })?.code,
    "VALIDATION_ERROR",
  );
  assertEquals(
    fromPostgresError({ code: "22P05", message: "unsupported Unicode escape" })?.code,
    "VALIDATION_ERROR",
  );
});

Deno.test("Ora's own SQLSTATEs carry their reason into details", () => {
  const e = fromPostgresError({
    code: "OR409",
    message: "Children limit reached",
    detail: "children_limit",
  });
  assertEquals([e?.code, e?.status, e?.details], ["CONFLICT", 409, { reason: "children_limit" }]);
  assertEquals(fromPostgresError({ code: "OR403", message: "no" })?.status, 403);
  assertEquals(fromPostgresError({ code: "XX000" }), undefined);
});

Deno.test("the registry is a Map: constructor, toString and friends are unknown actions", () => {
  const r = registry({
    "leads.list": tenantAction({
      description: "x",
      scope: null,
      params: z.object({}),
      returns: "x",
      handler: () => Promise.resolve(1),
    }),
  });
  for (const name of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
    assertEquals(r.get(name), undefined, name);
  }
  assertThrows(() => registry({ a: r.get("leads.list")! }, { a: r.get("leads.list")! }));
});
