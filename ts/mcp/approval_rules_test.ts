import { test } from "node:test";
import assert from "node:assert/strict";
import { toolNeedsApproval } from "./approval_rules.ts";

test("true marks every tool, false and no rule mark none", () => {
  assert.deepEqual(
    [toolNeedsApproval(true, "read"), toolNeedsApproval(false, "delete"), toolNeedsApproval(undefined, "delete")],
    [true, false, false],
  );
});

test("a list marks the tools named exactly or matched by * and ? globs", () => {
  const rule = ["delete_*", "merge_?r", "exact.name"];
  const names = ["delete_repo", "delete_", "merge_pr", "merge_prr", "exact.name", "exactxname", "list_repos"];
  assert.deepEqual(names.map((name) => [name, toolNeedsApproval(rule, name)]), [
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
  assert.deepEqual(
    ["a+b", "aab", "(x)|y", "y", "[a]", "a"].map((name) => toolNeedsApproval(["a+b", "(x)|y", "[a]"], name)),
    [true, false, true, false, true, false],
  );
});
