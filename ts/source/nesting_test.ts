import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SOURCE_NESTING, tooDeeplyNested } from "./nesting.ts";

test("brackets nested past the limit are found at the first one too many", () => {
  const deep = "[".repeat(MAX_SOURCE_NESTING + 1) + "]".repeat(MAX_SOURCE_NESTING + 1);
  assert.deepEqual(tooDeeplyNested(`const a = 1;\nconst b = ${deep};`), { line: 2, column: 11 + MAX_SOURCE_NESTING });
});

test("nesting up to the limit, and brackets in strings and comments, pass", () => {
  const atLimit = "(".repeat(MAX_SOURCE_NESTING) + ")".repeat(MAX_SOURCE_NESTING);
  const quoted = `"${"[".repeat(1000)}" + '${"{".repeat(1000)}' // ${"(".repeat(1000)}\n/* ${"[".repeat(1000)} */ 1`;
  assert.deepEqual([tooDeeplyNested(atLimit), tooDeeplyNested(quoted)], [undefined, undefined]);
});
