import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExecInput } from "./pragma.ts";

const NOT_OBJECT = "exec pragma must be a JSON object with supported fields `yield_time_ms` and `max_output_tokens`";
const NEEDS_SOURCE = "exec pragma must be followed by JavaScript source on subsequent lines";
const FIELDS_PREFIX = "exec pragma fields `yield_time_ms` and `max_output_tokens` must be non-negative safe integers: ";

/** The engine's own JSON.parse message, which the pragma error quotes (it differs between engines). */
function jsonParserMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return error.message;
  }
  throw new Error(`expected ${text} to be invalid JSON`);
}

test("input without a pragma is the whole source", () => {
  assert.deepEqual(parseExecInput("text(1)\ntext(2)"), {
    ok: true,
    source: "text(1)\ntext(2)",
    yieldTimeMs: undefined,
    maxOutputTokens: undefined,
  });
});

test("a comment that is not the pragma stays part of the source", () => {
  assert.deepEqual(parseExecInput("// @execute: 1\ntext(1)"), {
    ok: true,
    source: "// @execute: 1\ntext(1)",
    yieldTimeMs: undefined,
    maxOutputTokens: undefined,
  });
});

test("a pragma on the second line is not a pragma", () => {
  const raw = 'text(1)\n// @exec: {"yield_time_ms": 5}';
  assert.deepEqual(parseExecInput(raw), { ok: true, source: raw, yieldTimeMs: undefined, maxOutputTokens: undefined });
});

test("pragma sets both fields and is removed from the source", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 250, "max_output_tokens": 1000}\ntext(1)\n'), {
    ok: true,
    source: "text(1)\n",
    yieldTimeMs: 250,
    maxOutputTokens: 1000,
  });
});

test("pragma may be indented with spaces and tabs", () => {
  assert.deepEqual(parseExecInput(' \t // @exec: {"max_output_tokens": 0}\ntext(1)'), {
    ok: true,
    source: "text(1)",
    yieldTimeMs: undefined,
    maxOutputTokens: 0,
  });
});

test("null pragma fields mean not set", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": null, "max_output_tokens": null}\ntext(1)'), {
    ok: true,
    source: "text(1)",
    yieldTimeMs: undefined,
    maxOutputTokens: undefined,
  });
});

test("empty pragma object sets nothing", () => {
  assert.deepEqual(parseExecInput("// @exec: {}\ntext(1)"), {
    ok: true,
    source: "text(1)",
    yieldTimeMs: undefined,
    maxOutputTokens: undefined,
  });
});

test("CRLF pragma line: the carriage return is not part of the directive or the source start", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 0}\r\ntext(1)\r\ntext(2)'), {
    ok: true,
    source: "text(1)\r\ntext(2)",
    yieldTimeMs: 0,
    maxOutputTokens: undefined,
  });
});

test("largest safe integer is accepted and -0 reads as 0", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 9007199254740991, "max_output_tokens": -0}\nx'), {
    ok: true,
    source: "x",
    yieldTimeMs: 9007199254740991,
    maxOutputTokens: 0,
  });
});

test("empty or blank input is rejected", () => {
  const message =
    'exec expects raw JavaScript source text (non-empty). Provide JS only, optionally with first-line `// @exec: {"yield_time_ms": 10000, "max_output_tokens": 1000}`.';
  assert.deepEqual(parseExecInput(""), { ok: false, error: message });
  assert.deepEqual(parseExecInput(" \n\t\r\n "), { ok: false, error: message });
});

test("pragma without following source is rejected", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 1}'), { ok: false, error: NEEDS_SOURCE });
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 1}\n'), { ok: false, error: NEEDS_SOURCE });
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 1}\r\n  \n\t'), { ok: false, error: NEEDS_SOURCE });
});

test("missing source is reported before a bad directive", () => {
  assert.deepEqual(parseExecInput("// @exec: nonsense"), { ok: false, error: NEEDS_SOURCE });
});

test("empty directive is rejected as not an object", () => {
  assert.deepEqual(parseExecInput("// @exec:\ntext(1)"), { ok: false, error: NOT_OBJECT });
  assert.deepEqual(parseExecInput("// @exec:  \t\r\ntext(1)"), { ok: false, error: NOT_OBJECT });
});

test("directive that is JSON but not an object is rejected", () => {
  for (const directive of ["[1]", "1", '"x"', "null", "true"]) {
    assert.deepEqual(parseExecInput(`// @exec: ${directive}\ntext(1)`), { ok: false, error: NOT_OBJECT });
  }
});

test("invalid JSON quotes the parser message", () => {
  for (const directive of ["{yield_time_ms: 1}", "{", '{"yield_time_ms": 1,}']) {
    assert.deepEqual(parseExecInput(`// @exec: ${directive}\ntext(1)`), {
      ok: false,
      error: "exec pragma must be valid JSON with supported fields `yield_time_ms` and `max_output_tokens`: " +
        jsonParserMessage(directive),
    });
  }
});

test("unknown key is named", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 1, "timeout_ms": 5}\ntext(1)'), {
    ok: false,
    error: "exec pragma only supports `yield_time_ms` and `max_output_tokens`; got `timeout_ms`",
  });
});

test("unknown key is reported before bad values", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": -1, "poll": true}\ntext(1)'), {
    ok: false,
    error: "exec pragma only supports `yield_time_ms` and `max_output_tokens`; got `poll`",
  });
});

test("negative, fractional and non-number fields are rejected with a detail", () => {
  const cases: Array<[string, string]> = [
    [
      '{"yield_time_ms": -1}',
      "invalid value for `yield_time_ms`: expected a non-negative integer, got the number -1",
    ],
    [
      '{"max_output_tokens": 1.5}',
      "invalid value for `max_output_tokens`: expected a non-negative integer, got the number 1.5",
    ],
    [
      '{"yield_time_ms": "5"}',
      'invalid type for `yield_time_ms`: expected a non-negative integer, got a string "5"',
    ],
    [
      '{"max_output_tokens": true}',
      "invalid type for `max_output_tokens`: expected a non-negative integer, got the boolean true",
    ],
    [
      '{"yield_time_ms": [1]}',
      "invalid type for `yield_time_ms`: expected a non-negative integer, got an array",
    ],
    [
      '{"yield_time_ms": {}}',
      "invalid type for `yield_time_ms`: expected a non-negative integer, got an object",
    ],
    [
      '{"yield_time_ms": 1e400}',
      "invalid value for `yield_time_ms`: expected a non-negative integer, got the number Infinity",
    ],
  ];
  for (const [directive, detail] of cases) {
    assert.deepEqual(parseExecInput(`// @exec: ${directive}\ntext(1)`), { ok: false, error: FIELDS_PREFIX + detail });
  }
});

test("integers above 2^53-1 name the field", () => {
  assert.deepEqual(parseExecInput('// @exec: {"yield_time_ms": 9007199254740993}\ntext(1)'), {
    ok: false,
    error: "exec pragma field `yield_time_ms` must be a non-negative safe integer",
  });
  assert.deepEqual(parseExecInput('// @exec: {"max_output_tokens": 9007199254740992}\ntext(1)'), {
    ok: false,
    error: "exec pragma field `max_output_tokens` must be a non-negative safe integer",
  });
});

test("yield_time_ms is checked before max_output_tokens", () => {
  assert.deepEqual(parseExecInput('// @exec: {"max_output_tokens": -1, "yield_time_ms": 9007199254740993}\nx'), {
    ok: false,
    error: "exec pragma field `yield_time_ms` must be a non-negative safe integer",
  });
});
