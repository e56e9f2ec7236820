import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExecArgs, unfenced } from "./exec_args.ts";

test("exec arguments carry the raw cell text in `code`; other keys are ignored", () => {
  assert.deepEqual(parseExecArgs({ code: 'text("hi")', extra: 1 }), { ok: true, code: 'text("hi")' });
  assert.deepEqual(parseExecArgs('{"code": "text(1)"}'), { ok: true, code: "text(1)" });
});

/** The engine's own JSON.parse message (it differs between engines). */
function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return error.message;
  }
  throw new Error(`${text} parsed`);
}

test("unusable exec arguments read like serde's, after `failed to parse function arguments: `", () => {
  const cases: [unknown, string][] = [
    [{}, "missing field `code`"],
    [{ code: null }, "invalid type for `code`: expected a string, got null"],
    [{ code: ["a"] }, "invalid type for `code`: expected a string, got an array"],
    [[], "invalid type: expected a JSON object, got an array"],
    ["{", jsonParseMessage("{")],
  ];
  for (const [input, detail] of cases) {
    assert.deepEqual(parseExecArgs(input), { ok: false, error: `failed to parse function arguments: ${detail}` });
  }
});

test("a code string that is exactly one markdown fence is unwrapped", () => {
  assert.deepEqual(parseExecArgs({ code: "```ts\nconst a = 1;\ntext(a);\n```" }), { ok: true, code: "const a = 1;\ntext(a);" });
  assert.equal(unfenced("```\ntext(1)\n```\n"), "text(1)");
  assert.equal(unfenced("  ```javascript\r\ntext(1)\r\n```  "), "text(1)");
});

test("code that is not exactly one fence is taken as it is", () => {
  for (
    const code of [
      'text("```")',
      "```ts\ntext(1)\n```\nmore();",
      "intro\n```ts\ntext(1)\n```",
      "```ts\na()\n```\n```ts\nb()\n```",
      "```ts text(1)```",
    ]
  ) {
    assert.equal(unfenced(code), code);
  }
});
