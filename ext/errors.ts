/**
 * The error text of a failed cell (docs/contract.md §2): the thrown value's `stack` if it is a string, else
 * `String(value)`. Computed inside the context, so the thrown value (and its getters) never reach the outer realm;
 * the outer realm maps the stack lines to the cell's own positions.
 *
 * @module
 */
import { UNPRINTABLE_ERROR } from "../ts/contract/messages.ts";
import { StringCtor } from "./intrinsics.ts";

/** The contract's error text for a thrown value; never throws, whatever the value's getters do. */
export function errorText(error: unknown): string {
  try {
    const stack = (typeof error === "object" && error !== null) || typeof error === "function"
      ? (error as { stack?: unknown }).stack
      : undefined;
    if (typeof stack === "string") return stack;
    return StringCtor(error);
  } catch {
    return UNPRINTABLE_ERROR;
  }
}
