/** The output budget of an `exec`/`wait` response (docs/contract.md §2 "Output budget"). */

import { type ContentItem, textItem } from "../contract/items.ts";
import { omittedTextItems, truncationMarker, truncationWarning } from "../contract/messages.ts";
import { BYTES_PER_TOKEN, isHighSurrogate, isLowSurrogate, utf8ByteLength } from "../contract/defaults.ts";

/**
 * Fits the items of one response (header excluded) into `maxTokens`.
 * All text: if the `\n`-joined text fits, the items are returned unchanged; otherwise one middle-truncated text
 * item with a warning replaces them. With images: text items are kept in order while they fit, the first one
 * that does not is middle-truncated to the remaining budget, later text items are dropped and counted in a final
 * `[omitted <n> text items ...]` item; every image is kept. The cut item has no warning header (as in Codex).
 */
export function applyOutputBudget(items: ContentItem[], maxTokens: number): ContentItem[] {
  const budgetTokens = normalizeBudget(maxTokens);
  return items.every((item) => item.type === "input_text")
    ? budgetAllText(items, budgetTokens)
    : budgetMixed(items, budgetTokens);
}

function budgetAllText(items: ContentItem[], budgetTokens: number): ContentItem[] {
  const texts = items.map((item) => item.type === "input_text" ? item.text : "");
  if (texts.length === 0) return [];
  // Measure item by item so the common "it fits" case never builds the joined string.
  let joinedBytes = texts.length - 1;
  for (const text of texts) joinedBytes += utf8ByteLength(text);
  if (joinedBytes <= budgetTokens * BYTES_PER_TOKEN) return [...items];
  const joined = texts.join("\n");
  return [textItem(truncateWithWarning(joined, joinedBytes, budgetTokens * BYTES_PER_TOKEN))];
}

function budgetMixed(items: ContentItem[], budgetTokens: number): ContentItem[] {
  const out: ContentItem[] = [];
  let remainingTokens = budgetTokens;
  let exhausted = false;
  let omitted = 0;
  for (const item of items) {
    if (item.type !== "input_text") {
      out.push(item);
      continue;
    }
    if (exhausted) {
      omitted++;
      continue;
    }
    // Each item is charged its own rounded-up token estimate, as in Codex.
    const bytes = utf8ByteLength(item.text);
    const cost = Math.ceil(bytes / BYTES_PER_TOKEN);
    if (cost <= remainingTokens) {
      out.push(item);
      remainingTokens -= cost;
      continue;
    }
    exhausted = true;
    // With nothing left there is no room for even a snippet; the omitted count reports the item instead.
    if (remainingTokens === 0) omitted++;
    // Codex cuts this item to the bare `head…R tokens truncated…tail`: the warning header is for all-text output.
    else out.push(textItem(middleTruncate(item.text, bytes, remainingTokens * BYTES_PER_TOKEN)));
  }
  if (omitted > 0) out.push(textItem(omittedTextItems(omitted)));
  return out;
}

/**
 * `Warning: truncated output (original token count: <N>)\nTotal output lines: <L>\n\n<head>…<R> tokens truncated…<tail>`.
 * Head and tail each get half of `budgetBytes` and never split a character; `R` covers the bytes actually removed.
 */
function truncateWithWarning(text: string, textBytes: number, budgetBytes: number): string {
  const originalTokens = Math.ceil(textBytes / BYTES_PER_TOKEN);
  return truncationWarning(originalTokens, countLines(text)) + middleTruncate(text, textBytes, budgetBytes);
}

/** `<head>…<R> tokens truncated…<tail>`: head and tail each get half of `budgetBytes`, never splitting a character. */
function middleTruncate(text: string, textBytes: number, budgetBytes: number): string {
  const headBudget = Math.floor(budgetBytes / 2);
  const head = prefixWithin(text, headBudget);
  const tail = suffixWithin(text, budgetBytes - headBudget, head.end);
  const removedTokens = Math.ceil((textBytes - head.bytes - tail.bytes) / BYTES_PER_TOKEN);
  return `${text.slice(0, head.end)}${truncationMarker(removedTokens)}${text.slice(tail.start)}`;
}

/** The longest prefix of whole characters within `maxBytes`: its end index and its byte size. */
function prefixWithin(text: string, maxBytes: number): { end: number; bytes: number } {
  let end = 0;
  let bytes = 0;
  while (end < text.length) {
    const unit = text.charCodeAt(end);
    const pair = isHighSurrogate(unit) && end + 1 < text.length && isLowSurrogate(text.charCodeAt(end + 1));
    const size = pair ? 4 : unitBytes(unit);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += pair ? 2 : 1;
  }
  return { end, bytes };
}

/** The longest suffix of whole characters within `maxBytes` that starts at or after `notBefore`. */
function suffixWithin(text: string, maxBytes: number, notBefore: number): { start: number; bytes: number } {
  let start = text.length;
  let bytes = 0;
  while (start > notBefore) {
    const unit = text.charCodeAt(start - 1);
    const pair = isLowSurrogate(unit) && start - 2 >= notBefore && isHighSurrogate(text.charCodeAt(start - 2));
    const size = pair ? 4 : unitBytes(unit);
    if (bytes + size > maxBytes) break;
    bytes += size;
    start -= pair ? 2 : 1;
  }
  return { start, bytes };
}

/** Lines as Rust's `str::lines` counts them: a trailing newline does not start another line. */
function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  return text.length > 0 && !text.endsWith("\n") ? lines + 1 : lines;
}

/** Bytes of one UTF-16 code unit that is not half of a surrogate pair. */
function unitBytes(unit: number): number {
  return unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
}



/** Whole tokens, never negative; NaN counts as no budget and Infinity as unlimited. */
function normalizeBudget(maxTokens: number): number {
  if (Number.isNaN(maxTokens) || maxTokens <= 0) return 0;
  return Math.floor(maxTokens);
}
