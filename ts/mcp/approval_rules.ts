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
 * Whether `rule` marks the server's tool `toolName` as needing approval.
 *
 * @example
 * ```ts
 * toolNeedsApproval(["delete_*", "merge_?r"], "delete_repo"); // true
 * toolNeedsApproval(["delete_*"], "list_repos"); // false
 * ```
 */
export function toolNeedsApproval(rule: ApprovalRule | undefined, toolName: string): boolean {
  if (rule === undefined || typeof rule === "boolean") return rule === true;
  return rule.some((pattern) => globPattern(pattern).test(toolName));
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
