/**
 * Which tools of an MCP server need the host's approval (README, "Approvals"): a config server's `"needsApproval"`
 * is `true` (every tool), `false`, or a list of the server's own tool names, where `*` stands for any run of
 * characters and `?` for one (`["delete_*", "merge_pull_request"]`).
 *
 * @module
 */

/** A server's `needsApproval` setting. */
export type ApprovalRule = boolean | readonly string[];

/** A server's `needsApproval` rule, its patterns compiled once. */
export interface ApprovalMatcher {
  /**
   * Whether the rule marks a tool as needing approval; a pattern may match any of the tool's `names` (the server's
   * own name, `get-sum`, and the names cells see, `get_sum` and `mcp__everything__get_sum`).
   */
  needs(names: readonly string[]): boolean;
  /**
   * The patterns that match none of the tools, each given by its names (a pattern that matches nothing is most
   * likely a typo, and a tool it meant to guard would run unasked).
   */
  unmatched(tools: readonly (readonly string[])[]): string[];
}

/**
 * Compiles a server's `needsApproval` rule (absent: no tool needs approval).
 *
 * @example
 * ```ts
 * const rule = approvalMatcher(["delete_*", "merge"]);
 * rule.needs(["delete-repo", "delete_repo"]); // true
 * rule.unmatched([["delete-repo", "delete_repo"]]); // ["merge"]
 * ```
 */
export function approvalMatcher(rule: ApprovalRule | undefined): ApprovalMatcher {
  if (rule === undefined || typeof rule === "boolean") return { needs: () => rule === true, unmatched: () => [] };
  const patterns = rule.map((pattern) => ({ pattern, regex: globPattern(pattern) }));
  const matches = (regex: RegExp, names: readonly string[]) => names.some((name) => regex.test(name));
  return {
    needs: (names) => patterns.some(({ regex }) => matches(regex, names)),
    unmatched: (tools) =>
      patterns.filter(({ regex }) => !tools.some((names) => matches(regex, names))).map(({ pattern }) => pattern),
  };
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
