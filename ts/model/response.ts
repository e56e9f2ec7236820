/** Builders for the parts of an `exec`/`wait` response (contract §2, §7). */

import { type TextItem, textItem, type ToolResponse } from "./items.ts";

/** Status line of a cell that finished without error. */
export const STATUS_COMPLETED = "Script completed";
/** Status line of a cell that failed (uncaught error, unknown cell, runtime death, bad import). */
export const STATUS_FAILED = "Script failed";
/** Status line of a cell stopped by `wait {terminate: true}`. */
export const STATUS_TERMINATED = "Script terminated";

/** Status line of a cell that yielded and keeps running in the background. */
export function statusRunning(cellId: string): string {
  return `Script running with cell ID ${cellId}`;
}

/**
 * Item 0 of every script response: `"<status>\nWall time <s> seconds\nOutput:\n"`, where `<s>` is the time spent
 * in this call, rounded to one decimal and always showing it (`0.0`, `1.5`, `12.0`).
 */
export function header(status: string, wallSeconds: number): TextItem {
  // Clamp so a clock hiccup can never print a negative or `-0.0` duration.
  const seconds = Number.isFinite(wallSeconds) && wallSeconds > 0 ? wallSeconds : 0;
  return textItem(`${status}\nWall time ${seconds.toFixed(1)} seconds\nOutput:\n`);
}

/** The last item of a failed script's response: `Script error:\n<text>`. */
export function scriptErrorItem(text: string): TextItem {
  return textItem(`Script error:\n${text}`);
}

/** A tool error (pragma errors, bad `wait` arguments, shutdown, busy cell, cell cap): no header, just the message. */
export function toolError(message: string): ToolResponse {
  return { success: false, items: [textItem(message)] };
}
