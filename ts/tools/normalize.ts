/**
 * Tool names as the sandbox sees them: the key on the global `tools` and the `name` in `ALL_TOOLS` (docs/contract.md §5, §7).
 *
 * @module
 */

const VALID_FIRST = /^[A-Za-z_$]$/;
const VALID_REST = /^[A-Za-z0-9_$]$/;

/**
 * Makes `name` an ASCII identifier: each character that is not `_`, `$` or an ASCII letter (or, after the first, an
 * ASCII digit) becomes `_`; the empty name becomes `_`. Characters are code points, so an emoji is one `_`.
 */
export function normalizeToolName(name: string): string {
  let normalized = "";
  for (const char of name) {
    normalized += (normalized === "" ? VALID_FIRST : VALID_REST).test(char) ? char : "_";
  }
  return normalized === "" ? "_" : normalized;
}

/**
 * The global name of a tool: `normalizeToolName(name)`, or with a (non-empty) namespace such as `mcp__github`,
 * `normalizeToolName("<namespace>__<name>")`, giving the `mcp__<server>__<tool>` form.
 */
export function namespacedToolName(namespace: string | undefined, name: string): string {
  return normalizeToolName(namespace ? `${namespace}__${name}` : name);
}
