import { test } from "node:test";
import assert from "node:assert/strict";
import { namespacedToolName, normalizeToolName } from "./normalize.ts";

test("valid identifiers are kept as they are", () => {
  assert.deepEqual(["echo", "_private", "$dollar", "camelCase9", "a_1$"].map(normalizeToolName), [
    "echo",
    "_private",
    "$dollar",
    "camelCase9",
    "a_1$",
  ]);
});

test("each invalid character becomes an underscore", () => {
  assert.deepEqual(["echo-tool", "get.weather now", "a/b:c"].map(normalizeToolName), [
    "echo_tool",
    "get_weather_now",
    "a_b_c",
  ]);
});

test("a leading digit is replaced, not prefixed", () => {
  assert.deepEqual(["1abc", "9", "a1"].map(normalizeToolName), ["_abc", "_", "a1"]);
});

test("the empty name becomes a single underscore", () => {
  assert.equal(normalizeToolName(""), "_");
});

test("non-ASCII characters become one underscore per code point", () => {
  assert.deepEqual(["café", "日本", "🔧fix", "naïve-ly"].map(normalizeToolName), ["caf_", "__", "_fix", "na_ve_ly"]);
});

test("a namespace is joined with a double underscore before normalizing", () => {
  assert.deepEqual(
    [
      namespacedToolName("mcp__github", "search_issues"),
      namespacedToolName("mcp__everything", "get-sum"),
      namespacedToolName("mcp__my-server", "do.it"),
    ],
    ["mcp__github__search_issues", "mcp__everything__get_sum", "mcp__my_server__do_it"],
  );
});

test("without a namespace the name is only normalized", () => {
  assert.deepEqual([namespacedToolName(undefined, "echo-tool"), namespacedToolName("", "echo-tool")], [
    "echo_tool",
    "echo_tool",
  ]);
});
