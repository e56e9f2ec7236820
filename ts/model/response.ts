/**
 * Builders for the parts of an `exec`/`wait` response (docs/contract.md §2); the texts come from the contract.
 *
 * @module
 */
import { type TextItem, textItem, type ToolResponse } from "../contract/items.ts";
import { headerText, scriptErrorText } from "../contract/messages.ts";

/** Item 0 of every script response: the status line, this call's wall time and `Output:`. */
export function header(status: string, wallSeconds: number): TextItem {
  return textItem(headerText(status, wallSeconds));
}

/** The last item of a failed script's response: `Script error:\n<text>`. */
export function scriptErrorItem(text: string): TextItem {
  return textItem(scriptErrorText(text));
}

/** A tool error (pragma errors, bad `wait` arguments, shutdown, busy cell, cell cap): no header, just the message. */
export function toolError(message: string): ToolResponse {
  return { success: false, items: [textItem(message)] };
}
