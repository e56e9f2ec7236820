import { test } from "node:test";
import assert from "node:assert/strict";
import { approvalMatcher } from "./approval_rules.ts";

test("true marks every tool, false and no rule mark none", () => {
  assert.deepEqual(
    [
      approvalMatcher(true).needs(["read"]),
      approvalMatcher(false).needs(["delete"]),
      approvalMatcher(undefined).needs(["delete"]),
    ],
    [true, false, false],
  );
});

test("a list marks the tools named exactly or matched by * and ? globs", () => {
  const rule = ["delete_*", "merge_?r", "exact.name"];
  const names = ["delete_repo", "delete_", "merge_pr", "merge_prr", "exact.name", "exactxname", "list_repos"];
  assert.deepEqual(names.map((name) => [name, approvalMatcher(rule).needs([name])]), [
    ["delete_repo", true],
    ["delete_", true],
    ["merge_pr", true],
    ["merge_prr", false],
    ["exact.name", true],
    ["exactxname", false],
    ["list_repos", false],
  ]);
});

test("regular-expression characters in a pattern match only themselves", () => {
  const rule = ["a+b", "(x)|y", "[a]", "delete-*", "a/b", "^$.{2}\\"];
  const names = ["a+b", "aab", "(x)|y", "y", "[a]", "a", "delete-repo", "delete_repo", "a/b", "^$.{2}\\", "^$x{2}\\"];
  assert.deepEqual(names.map((name) => [name, approvalMatcher(rule).needs([name])]), [
    ["a+b", true],
    ["aab", false],
    ["(x)|y", true],
    ["y", false],
    ["[a]", true],
    ["a", false],
    ["delete-repo", true],
    ["delete_repo", false],
    ["a/b", true],
    ["^$.{2}\\", true],
    ["^$x{2}\\", false],
  ]);
});

test("a pattern of every printable ASCII character compiles and matches itself", () => {
  const every = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index)).join("");
  assert.equal(approvalMatcher([every]).needs([every.replace("*", "x").replace("?", "y")]), true);
});

test("a pattern matches a tool by any of its names, and patterns that match no tool are reported", () => {
  const getSum = ["get-sum", "get_sum", "mcp__everything__get_sum"];
  const echo = ["echo", "echo", "mcp__everything__echo"];
  assert.deepEqual(
    [["get-sum"], ["get_sum"], ["mcp__everything__get_*"], ["echo"]].map((rule) => approvalMatcher(rule).needs(getSum)),
    [true, true, true, false],
  );
  assert.deepEqual(approvalMatcher(["get_sum", "delete_*", "ech?", "nope"]).unmatched([getSum, echo]), [
    "delete_*",
    "nope",
  ]);
  assert.deepEqual([approvalMatcher(true).unmatched([getSum]), approvalMatcher(undefined).unmatched([])], [[], []]);
});
