/**
 * Control helpers: `notify`, `yield_control`, `exit` (docs/contract.md §4).
 *
 * @module
 */
import { NOTIFY_EXPECTS_TEXT } from "../ts/contract/messages.ts";
import { ErrorCtor, StringPrototypeTrim } from "./intrinsics.ts";
import { toText } from "./output.ts";
import { cell, send } from "./state.ts";

/** Sends `value` (stringified like `text`) to the host immediately, beside the cell's output. */
export function notify(value?: unknown): void {
  const message = toText(value);
  if (StringPrototypeTrim(message) === "") throw new ErrorCtor(NOTIFY_EXPECTS_TEXT);
  send({ type: "cell/notify", text: message });
}

/** Lets a waiting `exec`/`wait` return now with the output so far; the cell keeps running. */
export function yield_control(): void {
  send({ type: "cell/yield" });
}

/**
 * Ends the cell successfully at once. It stops the sandbox rather than throwing, so no `try/catch` or `finally`
 * in the cell can intercept it.
 */
export function exit(): never {
  cell().port.complete();
  // Not reached in a real cell: completing it stopped the sandbox.
  throw new ErrorCtor("exit() returned");
}
