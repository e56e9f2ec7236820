import { test } from "node:test";
import assert from "node:assert/strict";
import { PREVIEW_TOTAL_CHARS, PREVIEW_VALUE_CHARS, previewArguments } from "./args_preview.ts";

test("short arguments are shown whole, as JSON", () => {
  assert.deepEqual(previewArguments({ path: "/tmp/a", force: true, n: [1, 2] }), {
    text: '{"path":"/tmp/a","force":true,"n":[1,2]}',
    complete: true,
  });
  assert.deepEqual(previewArguments("a freeform input"), { text: '"a freeform input"', complete: true });
});

test("a long value cannot hide the keys after it: each value is cut, every key is shown, and the cut is said", () => {
  const pad = "x".repeat(2100);
  assert.deepEqual(previewArguments({ pad, text: "rm -rf /" }), {
    text: `{"pad":"${"x".repeat(PREVIEW_VALUE_CHARS - 1)}...(+${2102 - PREVIEW_VALUE_CHARS} characters),` +
      `"text":"rm -rf /"}`,
    complete: false,
  });
});

test("when the keys themselves exceed the preview, the rest are counted and the preview is incomplete", () => {
  const args = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`key${index}`, index]));
  const preview = previewArguments(args);
  assert.equal(preview.complete, false);
  assert.ok(preview.text.length <= PREVIEW_TOTAL_CHARS + 40, String(preview.text.length));
  assert.match(preview.text, /,\.\.\.\(\+\d+ more keys\)\}$/);
  const shown = preview.text.match(/"key\d+"/g)?.length ?? 0;
  assert.equal(preview.text.endsWith(`...(+${1000 - shown} more keys)}`), true);
});

test("controls, bidi and other invisible characters are escaped, and a cut never splits a character", () => {
  assert.deepEqual(previewArguments({ a: "x\u202Egnp.exe", b: "\u001b[2J\r\u2028", c: "\u{E0041}" }), {
    text: '{"a":"x\\u202egnp.exe","b":"\\u001b[2J\\r\\u2028","c":"\\udb40\\udc41"}',
    complete: true,
  });
  // 400 emoji are 802 UTF-16 units of JSON; a cut at 300 would split the 150th.
  const emoji = "😀".repeat(400);
  assert.deepEqual(previewArguments({ e: emoji }), {
    text: `{"e":"${"😀".repeat(149)}...(+503 characters)}`,
    complete: false,
  });
  // A cut right after a backslash would leave half an escape.
  const escapes = `${"a".repeat(PREVIEW_VALUE_CHARS - 2)}\n`;
  assert.deepEqual(previewArguments({ s: escapes }), {
    text: `{"s":"${"a".repeat(PREVIEW_VALUE_CHARS - 2)}...(+3 characters)}`,
    complete: false,
  });
});

test("a huge value is cut before its characters are escaped, and the count says how much is not shown", () => {
  const huge = "\u202e".repeat(8 * 1024 * 1024);
  assert.deepEqual(previewArguments({ huge }), {
    text: `{"huge":"${"\\u202e".repeat(PREVIEW_VALUE_CHARS - 1)}...(+${
      8 * 1024 * 1024 + 2 - PREVIEW_VALUE_CHARS
    } characters)}`,
    complete: false,
  });
});
