/**
 * A cheap guard before a cell's source reaches the type stripper: brackets nested thousands deep overflow a
 * recursive parser's stack, and a WebAssembly parser may be left broken for every later cell of the host. Real
 * code never nests this deep, so such a cell fails at once, with the position of the bracket too many.
 *
 * @module
 */

/** Deepest nesting of `(`, `[` and `{` a cell may have. */
export const MAX_SOURCE_NESTING = 256;

/**
 * Where `source` first nests brackets deeper than {@linkcode MAX_SOURCE_NESTING}, as a 1-based line and column; or
 * `undefined`. Brackets in comments and quoted strings do not count; template literals count as code (their
 * `${}` can nest), which only errs on the side of refusing.
 */
export function tooDeeplyNested(source: string): { line: number; column: number } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\n") {
      line++;
      lineStart = i + 1;
    } else if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      i = (end === -1 ? source.length : end) - 1;
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (let j = i; j < stop; j++) {
        if (source[j] === "\n") {
          line++;
          lineStart = j + 1;
        }
      }
      i = stop - 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      i = j;
    } else if (c === "(" || c === "[" || c === "{") {
      if (++depth > MAX_SOURCE_NESTING) return { line, column: i - lineStart + 1 };
    } else if (c === ")" || c === "]" || c === "}") {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}
