import { test } from "node:test";
import assert from "node:assert/strict";
import type { ContentItem, ImageItem } from "../contract/items.ts";
import { applyOutputBudget } from "./truncate.ts";
import { estimateTokens, utf8ByteLength } from "../contract/defaults.ts";

const text = (value: string): ContentItem => ({ type: "input_text", text: value });
const image = (n: number): ImageItem => ({
  type: "input_image",
  image_url: `data:image/png;base64,${n}`,
  detail: "high",
});

test("token estimate is ceil(utf8 bytes / 4)", () => {
  assert.deepEqual(
    ["", "abcd", "abcde", "é", "€€", "😀", "😀a", "\ud800"].map(estimateTokens),
    [0, 1, 2, 1, 2, 1, 2, 1],
  );
});

test("utf8 byte length agrees with TextEncoder, lone surrogates included", () => {
  const sample = "aé€😀\ud800z\udc00😀";
  assert.equal(utf8ByteLength(sample), new TextEncoder().encode(sample).length);
});

test("all-text output that fits is returned unchanged", () => {
  const items = [text("a"), text("b")];
  assert.deepEqual(applyOutputBudget(items, 1), [text("a"), text("b")]);
});

test("no items stay no items, even with budget 0", () => {
  assert.deepEqual(applyOutputBudget([], 0), []);
});

test("contract example: budget 5 on 0123456789 x4", () => {
  assert.deepEqual(applyOutputBudget([text("0123456789".repeat(4))], 5), [
    text(
      "Warning: truncated output (original token count: 10)\nTotal output lines: 1\n\n0123456789…5 tokens truncated…0123456789",
    ),
  ]);
});

test("several text items are joined with newlines before truncating", () => {
  const items = [text("0123456789"), text("0123456789"), text("0123456789")];
  assert.deepEqual(applyOutputBudget(items, 4), [
    text(
      "Warning: truncated output (original token count: 8)\nTotal output lines: 3\n\n01234567…4 tokens truncated…23456789",
    ),
  ]);
});

test("a trailing newline does not count as another line", () => {
  assert.deepEqual(applyOutputBudget([text("x\n".repeat(20))], 2), [
    text(
      "Warning: truncated output (original token count: 10)\nTotal output lines: 20\n\nx\nx\n…8 tokens truncated…x\nx\n",
    ),
  ]);
});

test("multibyte characters are never split at the cut", () => {
  assert.deepEqual(applyOutputBudget([text("😀😀😀😀😀😀😀😀😀😀\nsecond line with text\n")], 8), [
    text(
      "Warning: truncated output (original token count: 16)\nTotal output lines: 2\n\n😀😀😀😀…8 tokens truncated… line with text\n",
    ),
  ]);
  assert.deepEqual(applyOutputBudget([text("é".repeat(10))], 1), [
    text("Warning: truncated output (original token count: 5)\nTotal output lines: 1\n\né…4 tokens truncated…é"),
  ]);
});

test("characters wider than half the budget leave head and tail empty; removed bytes count them all", () => {
  assert.deepEqual(applyOutputBudget([text("€€€€")], 1), [
    text("Warning: truncated output (original token count: 3)\nTotal output lines: 1\n\n…3 tokens truncated…"),
  ]);
});

test("budget 0 keeps only the warning and the marker", () => {
  assert.deepEqual(applyOutputBudget([text("abcdef")], 0), [
    text("Warning: truncated output (original token count: 2)\nTotal output lines: 1\n\n…2 tokens truncated…"),
  ]);
  assert.deepEqual(applyOutputBudget([text("")], 0), [text("")]);
});

test("with images: text that fits is kept, the first that does not is cut in the middle, later text is dropped", () => {
  const items = [text("aaaa"), image(1), text("b".repeat(40)), text("c"), image(2)];
  assert.deepEqual(applyOutputBudget(items, 3), [
    text("aaaa"),
    image(1),
    // Only all-text output gets the warning header; here the item is cut to the bare snippet, as in Codex.
    text("bbbb…8 tokens truncated…bbbb"),
    image(2),
    text("[omitted 1 text items ...]"),
  ]);
});

test("with images: everything that fits is returned unchanged", () => {
  const items = [image(1), text("abcd"), image(2), text("efgh")];
  assert.deepEqual(applyOutputBudget(items, 2), [image(1), text("abcd"), image(2), text("efgh")]);
});

test("with images: each text item is charged its own rounded-up estimate", () => {
  // Two 1-byte items cost 1 token each, so the second one no longer fits a 1-token budget.
  assert.deepEqual(applyOutputBudget([text("a"), image(1), text("b")], 1), [
    text("a"),
    image(1),
    text("[omitted 1 text items ...]"),
  ]);
});

test("with images: budget 0 keeps every image and counts every text item", () => {
  const items = [text("hello"), image(1), text("world"), image(2)];
  assert.deepEqual(applyOutputBudget(items, 0), [image(1), image(2), text("[omitted 2 text items ...]")]);
});

test("a 16 MiB output is cut to the budget with exact counts", () => {
  const line = "0123456789abcdé€😀\n".repeat(200); // 4 800 bytes, 1 200 tokens
  const items: ContentItem[] = [];
  for (let i = 0; i < 3495; i++) items.push(text(line)); // 16 MiB
  const result = applyOutputBudget(items, 10_000);
  const mixed = applyOutputBudget([image(1), ...items], 10_000);

  assert.equal(result.length, 1);
  const [only] = result;
  assert.equal(only.type, "input_text");
  if (only.type === "input_text") {
    assert.match(
      only.text,
      /^Warning: truncated output \(original token count: 4194874\)\nTotal output lines: 702494\n\n/,
    );
    assert.ok(estimateTokens(only.text) <= 10_000 + 30);
  }
  assert.equal(mixed.length, 1 + 8 + 1 + 1);
  assert.deepEqual(mixed.at(-1), text("[omitted 3486 text items ...]"));
});
