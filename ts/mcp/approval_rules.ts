/**
 * Which tools of an MCP server need the host's approval (README, "Approvals"): a config server's `"needsApproval"`
 * is `true` (every tool), `false`, or a list of the server's own tool names, where `*` stands for any run of
 * characters and `?` for one (`["delete_*", "merge_pull_request"]`).
 *
 * @module
 */

/** A server's `needsApproval` setting. */
export type ApprovalRule = boolean | readonly string[];

/**
 * Whether `rule` marks a tool as needing approval; a pattern may match any of the tool's `names` (the server's own
 * name, `get-sum`, and the names cells see, `get_sum` and `mcp__everything__get_sum`).
 *
 * @example
 * ```ts
 * toolNeedsApproval(["delete_*", "merge_?r"], ["delete-repo", "delete_repo"]); // true
 * toolNeedsApproval(["delete_*"], ["list_repos"]); // false
 * ```
 */
export function toolNeedsApproval(rule: ApprovalRule | undefined, names: readonly string[]): boolean {
  if (rule === undefined || typeof rule === "boolean") return rule === true;
  return rule.some((pattern) => matchesAny(pattern, names));
}

/**
 * The patterns of `rule` that match none of the tools, each given by its names (a pattern that matches nothing is
 * most likely a typo, and a tool it meant to guard would run unasked).
 *
 * @example
 * ```ts
 * unmatchedPatterns(["delete_*", "merge"], [["delete-repo", "delete_repo"]]); // ["merge"]
 * ```
 */
export function unmatchedPatterns(rule: ApprovalRule | undefined, tools: readonly (readonly string[])[]): string[] {
  if (rule === undefined || typeof rule === "boolean") return [];
  return rule.filter((pattern) => !tools.some((names) => matchesAny(pattern, names)));
}

function matchesAny(pattern: string, names: readonly string[]): boolean {
  const regex = globPattern(pattern);
  return names.some((name) => regex.test(name));
}

/**
 * `*` matches any run of characters and `?` one; every other character matches itself: the regular-expression
 * syntax characters are escaped, and nothing else is (in `u` mode, escaping another character is an error).
 */
function globPattern(glob: string): RegExp {
  const source = [...glob].map((char) => {
    if (char === "*") return "[\\s\\S]*";
    if (char === "?") return "[\\s\\S]";
    return /[\\^$.|+()[\]{}/]/.test(char) ? `\\${char}` : char;
  });
  return new RegExp(`^${source.join("")}$`, "u");
}
