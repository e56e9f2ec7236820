import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeInvisible } from "./printable.ts";

test("controls, bidi, zero-width, tag and separator characters become JSON escapes; the rest stays", () => {
  const text = "ok é 😀 \n\r\t\u001b[2J\u007f\u009b\u202e\u200b\u2028\u2029\u{E0041}";
  const escaped = escapeInvisible(text);
  assert.equal(
    escaped,
    "ok é 😀 \\u000a\\u000d\\u0009\\u001b[2J\\u007f\\u009b\\u202e\\u200b\\u2028\\u2029\\udb40\\udc41",
  );
  assert.equal(JSON.parse(`"${escaped}"`), text);
});

test("characters drawn as nothing are escaped too: variation selectors, fillers, the grapheme joiner", () => {
  const hidden = "path\u034F \u3164 \uFFA0 \u115F x\uFE0F \u{E0100}\u{E01EF} \u180B";
  assert.equal(
    escapeInvisible(hidden),
    "path\\u034f \\u3164 \\uffa0 \\u115f x\\ufe0f \\udb40\\udd00\\udb40\\uddef \\u180b",
  );
});
