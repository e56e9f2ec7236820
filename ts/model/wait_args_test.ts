import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWaitArgs } from "./wait_args.ts";

const PREFIX = "failed to parse function arguments: ";

test("only cell_id given: defaults apply", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: "1" }), {
    ok: true,
    args: { cellId: "1", yieldTimeMs: 10000, maxTokens: 10000, terminate: false },
  });
});

test("all fields given", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: "3", yield_time_ms: 0, max_tokens: 50, terminate: true }), {
    ok: true,
    args: { cellId: "3", yieldTimeMs: 0, maxTokens: 50, terminate: true },
  });
});

test("null optional fields take their defaults", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: "2", yield_time_ms: null, max_tokens: null, terminate: null }), {
    ok: true,
    args: { cellId: "2", yieldTimeMs: 10000, maxTokens: 10000, terminate: false },
  });
});

test("raw JSON arguments text is parsed first", () => {
  assert.deepEqual(parseWaitArgs('{"cell_id": "4", "max_tokens": 7}'), {
    ok: true,
    args: { cellId: "4", yieldTimeMs: 10000, maxTokens: 7, terminate: false },
  });
});

test("unknown keys are ignored", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: "1", session: "x" }), {
    ok: true,
    args: { cellId: "1", yieldTimeMs: 10000, maxTokens: 10000, terminate: false },
  });
});

test("largest safe integer is accepted", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: "1", yield_time_ms: Number.MAX_SAFE_INTEGER }), {
    ok: true,
    args: { cellId: "1", yieldTimeMs: Number.MAX_SAFE_INTEGER, maxTokens: 10000, terminate: false },
  });
});

test("invalid JSON text quotes the parser message", () => {
  let parserMessage = "";
  try {
    JSON.parse("{cell_id: 1}");
  } catch (error) {
    if (error instanceof SyntaxError) parserMessage = error.message;
  }
  assert.notEqual(parserMessage, "");
  assert.deepEqual(parseWaitArgs("{cell_id: 1}"), { ok: false, error: PREFIX + parserMessage });
});

test("arguments that are not an object are rejected", () => {
  assert.deepEqual(parseWaitArgs("[1]"), {
    ok: false,
    error: PREFIX + "invalid type: expected a JSON object, got an array",
  });
  assert.deepEqual(parseWaitArgs(undefined), {
    ok: false,
    error: PREFIX + "invalid type: expected a JSON object, got undefined",
  });
  assert.deepEqual(parseWaitArgs("null"), {
    ok: false,
    error: PREFIX + "invalid type: expected a JSON object, got null",
  });
});

test("missing cell_id is a missing field; null cell_id has the wrong type", () => {
  assert.deepEqual(parseWaitArgs({}), { ok: false, error: PREFIX + "missing field `cell_id`" });
  assert.deepEqual(parseWaitArgs({ cell_id: null }), {
    ok: false,
    error: PREFIX + "invalid type for `cell_id`: expected a string, got null",
  });
});

test("a whole-number cell_id is read as its decimal string; other numbers are rejected", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: 12 }), {
    ok: true,
    args: { cellId: "12", yieldTimeMs: 10_000, maxTokens: 10_000, terminate: false },
  });
  assert.deepEqual(parseWaitArgs('{"cell_id": 3, "terminate": true}'), {
    ok: true,
    args: { cellId: "3", yieldTimeMs: 10_000, maxTokens: 10_000, terminate: true },
  });
  for (const [value, got] of [[1.5, "the number 1.5"], [-1, "the number -1"]] as const) {
    assert.deepEqual(parseWaitArgs({ cell_id: value }), {
      ok: false,
      error: PREFIX + `invalid type for \`cell_id\`: expected a string, got ${got}`,
    });
  }
});

test("bad yield_time_ms and max_tokens name the field", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [
      { cell_id: "1", yield_time_ms: "10" },
      'invalid type for `yield_time_ms`: expected a non-negative integer, got a string "10"',
    ],
    [
      { cell_id: "1", yield_time_ms: -5 },
      "invalid value for `yield_time_ms`: expected a non-negative safe integer, got the number -5",
    ],
    [
      { cell_id: "1", max_tokens: 2.5 },
      "invalid value for `max_tokens`: expected a non-negative safe integer, got the number 2.5",
    ],
    [
      { cell_id: "1", max_tokens: 2 ** 53 },
      "invalid value for `max_tokens`: expected a non-negative safe integer, got the number 9007199254740992",
    ],
    [
      { cell_id: "1", max_tokens: true },
      "invalid type for `max_tokens`: expected a non-negative integer, got the boolean true",
    ],
  ];
  for (const [input, detail] of cases) {
    assert.deepEqual(parseWaitArgs(input), { ok: false, error: PREFIX + detail });
  }
});

test("non-boolean terminate is rejected", () => {
  assert.deepEqual(parseWaitArgs({ cell_id: "1", terminate: "true" }), {
    ok: false,
    error: PREFIX + 'invalid type for `terminate`: expected a boolean, got a string "true"',
  });
  assert.deepEqual(parseWaitArgs({ cell_id: "1", terminate: 1 }), {
    ok: false,
    error: PREFIX + "invalid type for `terminate`: expected a boolean, got the number 1",
  });
});
