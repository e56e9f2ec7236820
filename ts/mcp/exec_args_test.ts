import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExecArgs } from "./exec_args.ts";

test("exec arguments carry the raw cell text in `code`; other keys are ignored", () => {
  assert.deepEqual(parseExecArgs({ code: 'text("hi")', extra: 1 }), { ok: true, code: 'text("hi")' });
  assert.deepEqual(parseExecArgs('{"code": "text(1)"}'), { ok: true, code: "text(1)" });
});

test("unusable exec arguments read like serde's, after `failed to parse function arguments: `", () => {
  const cases: [unknown, string][] = [
    [{}, "missing field `code`"],
    [{ code: null }, "invalid type for `code`: expected a string, got null"],
    [{ code: ["a"] }, "invalid type for `code`: expected a string, got an array"],
    [[], "invalid type: expected a JSON object, got an array"],
    ["{", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"],
  ];
  for (const [input, detail] of cases) {
    assert.deepEqual(parseExecArgs(input), { ok: false, message: `failed to parse function arguments: ${detail}` });
  }
});
