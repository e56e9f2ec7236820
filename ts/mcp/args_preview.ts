/**
 * A tool call's arguments as a person is shown them before approving the call (README, "Approvals, logs and
 * traces"). The arguments come from a model-written cell, so the preview must not let them hide anything: every
 * top-level key is listed in order (a long value is cut, not skipped), characters that reorder or hide text
 * (controls, bidi and other format characters, line separators, default-ignorables) are written as JSON escapes,
 * cuts never split a character, and whenever anything was cut the preview says it is incomplete.
 *
 * @module
 */
import { escapeInvisible } from "../contract/printable.ts";

/** Most characters (UTF-16 units) of one top-level value's (or key's) JSON shown; the rest is replaced by a count. */
export const PREVIEW_VALUE_CHARS = 300;

/** Most characters of the whole preview; keys past it are counted, not shown. */
export const PREVIEW_TOTAL_CHARS = 4000;

/** What a person is shown of a call's arguments. */
export interface ArgumentsPreview {
  /** JSON-like text: the arguments, with long values cut (`...(+<n> characters)`). */
  text: string;
  /** `false` when anything was cut: the person did not see every argument in full. */
  complete: boolean;
}

/**
 * The preview of `args` (validated arguments: a JSON object, or a freeform tool's string).
 *
 * @example
 * ```ts
 * previewArguments({ path: "/tmp/a" }); // { text: '{"path":"/tmp/a"}', complete: true }
 * ```
 */
export function previewArguments(args: unknown): ArgumentsPreview {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return shown(args, PREVIEW_TOTAL_CHARS);
  const entries = Object.entries(args);
  const parts: string[] = [];
  let complete = true;
  let length = 2;
  for (const [index, [key, value]] of entries.entries()) {
    const shownKey = shown(key, PREVIEW_VALUE_CHARS);
    const shownValue = shown(value, PREVIEW_VALUE_CHARS);
    const part = `${shownKey.text}:${shownValue.text}`;
    if (length + part.length > PREVIEW_TOTAL_CHARS) {
      parts.push(`...(+${entries.length - index} more keys)`);
      complete = false;
      break;
    }
    parts.push(part);
    length += part.length + 1;
    complete &&= shownKey.complete && shownValue.complete;
  }
  return { text: `{${parts.join(",")}}`, complete };
}

/**
 * A value's JSON text, cut to `max` UTF-16 units (never inside a character or after a lone escaping backslash)
 * before its invisible characters are escaped, so a huge value costs one `JSON.stringify` and no more.
 */
function shown(value: unknown, max: number): ArgumentsPreview {
  const json = JSON.stringify(value) ?? String(value);
  if (json.length <= max) return { text: escapeInvisible(json), complete: true };
  let end = max;
  if (/[\uD800-\uDBFF]/.test(json[end - 1])) end--;
  let backslashes = 0;
  while (backslashes < end && json[end - 1 - backslashes] === "\\") backslashes++;
  if (backslashes % 2 === 1) end--;
  return { text: `${escapeInvisible(json.slice(0, end))}...(+${json.length - end} characters)`, complete: false };
}
