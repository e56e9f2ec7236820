/**
 * Text from cells and MCP servers shown to people (approval questions, log lines): characters that can hide, reorder
 * or overwrite text on a screen are written as JSON escapes instead.
 *
 * @module
 */

/**
 * `text` with every control, format (bidi, zero-width, tag), default-ignorable (variation selectors, fillers,
 * combining grapheme joiner: drawn as nothing) and line/paragraph separator character written as a `\uXXXX` escape
 * (a surrogate pair above U+FFFF), so JSON stays valid JSON, a line stays one visible line, and nothing is invisible.
 *
 * @example
 * ```ts
 * escapeInvisible("a\u202Eb\nc"); // "a\\u202eb\\u000ac"
 * ```
 */
export function escapeInvisible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu, (char) => {
    let escaped = "";
    for (let index = 0; index < char.length; index++) {
      escaped += `\\u${char.charCodeAt(index).toString(16).padStart(4, "0")}`;
    }
    return escaped;
  });
}
