import { test } from "node:test";
import assert from "node:assert/strict";
import { invalidArguments, renderArgumentFailure, renderPath, toolResultNotJson } from "./arguments.ts";

test("paths render as property accesses, with (root) for the empty path", () => {
  assert.deepEqual(
    [[], ["message"], ["items", 0, "name"], ["content-type"], ["a", "b c", 2], [3], ["$ok", "_x"]].map(renderPath),
    ["(root)", "message", "items[0].name", '["content-type"]', 'a["b c"][2]', "[3]", "$ok._x"],
  );
});

test("the report names the tool and lists each issue once", () => {
  assert.equal(
    invalidArguments("echo", [
      { path: ["message"], code: "type", expected: ["string"], received: "number" },
      { path: [], code: "no_value_allowed" },
      { path: ["message"], code: "type", expected: ["string"], received: "number" },
    ]),
    "invalid arguments for tool `echo`:\n- message: expected string, received number\n- (root): no value is allowed",
  );
});

test("every issue code reads as a short fragment after its path", () => {
  assert.equal(
    invalidArguments("t", [
      { path: ["a"], code: "missing" },
      { path: ["b"], code: "const", expected: "x" },
      { path: ["c"], code: "enum", expected: [1, "two", 3n] },
      { path: ["d"], code: "several_alternatives", matches: 2 },
      { path: ["e"], code: "property_name", key: "bad key" },
      { path: ["f"], code: "string_length", length: 5, limit: 3, bound: "max" },
      { path: ["g"], code: "format", format: "email" },
      { path: ["h"], code: "number_range", value: 5, limit: 5, bound: "min", exclusive: true },
      { path: ["i"], code: "multiple_of", value: 7, divisor: 2 },
      { path: ["j"], code: "item_count", count: 0, limit: 1, bound: "min" },
      { path: [], code: "property_count", limit: 2, bound: "max" },
      { path: [], code: "dependency", key: "card", missing: "billing" },
      { path: ["k"], code: "keyword", keyword: "x-custom" },
      { path: ["l"], code: "message", text: "id must be the order id" },
    ]),
    [
      "invalid arguments for tool `t`:",
      "- a: missing required property",
      '- b: expected "x"',
      '- c: expected one of [1,"two",3n]',
      "- d: matches 2 of the alternatives, expected exactly one",
      '- e: property name "bad key" is not allowed',
      "- f: string is too long (5 > 3)",
      '- g: string does not match format "email"',
      "- h: 5 is less than or equal to 5",
      "- i: 7 is not a multiple of 2",
      "- j: array has too few items (0 < 1)",
      "- (root): instance has more than 2 properties",
      '- (root): instance has "card" but does not have "billing"',
      "- k: does not match the schema's `x-custom`",
      "- l: id must be the order id",
    ].join("\n"),
  );
});

test("a validator that could not run is reported with its own error text", () => {
  assert.equal(
    renderArgumentFailure("r", { code: "cannot_validate", reason: "lookup service down" }),
    "could not validate the arguments of tool `r`: lookup service down",
  );
});

test("a result JSON cannot carry names what and where", () => {
  assert.deepEqual(
    [
      toolResultNotJson("t", { code: "opaque", typeName: "Promise", path: ["a"] }),
      toolResultNotJson("t", { code: "opaque", typeName: "Uint8Array", path: [] }),
      toolResultNotJson("t", { code: "bigint", value: "1", path: [0] }),
      toolResultNotJson("t", { code: "threw", message: "getter exploded" }),
    ],
    [
      "tool `t` returned a value that is not JSON-serializable: a Promise (missing await?) at a",
      "tool `t` returned a value that is not JSON-serializable: a Uint8Array at (root)",
      "tool `t` returned a value that is not JSON-serializable: a BigInt (1n) at [0]",
      "tool `t` returned a value that is not JSON-serializable: getter exploded",
    ],
  );
});
