/**
 * Control helpers: `notify`, `yield_control`, `exit` (docs/contract.md §4).
 *
 * @module
 */
import { MAX_NOTIFY_CHARS } from "../ts/contract/defaults.ts";
import { NOTIFY_EXPECTS_TEXT, notifyTooLong } from "../ts/contract/messages.ts";
import { ErrorCtor, StringPrototypeTrim } from "./intrinsics.ts";
import { toText } from "./output.ts";
import { Op } from "./bridge.ts";
import { finish, host } from "./state.ts";

/** Sends `value` (stringified like `text`) to the host immediately, beside the cell's output. */
export function notify(value?: unknown): void {
  const message = toText(value);
  if (StringPrototypeTrim(message) === "") throw new ErrorCtor(NOTIFY_EXPECTS_TEXT);
  if (message.length > MAX_NOTIFY_CHARS) throw new ErrorCtor(notifyTooLong(message.length));
  host(Op.notify, message);
}

/** Lets a waiting `exec`/`wait` return now with the output so far; the cell keeps running. */
export function yield_control(): void {
  host(Op.yield);
}

/**
 * Ends the cell successfully at once. The end is reported before anything can catch the unwinding error, and
 * every helper is inert from then on, so a `try`/`catch` or `finally` in the cell cannot change the outcome: code
 * it runs afterwards emits nothing (and a sandbox whose cell keeps running after its end is discarded).
 */
export function exit(): never {
  finish(true, "");
  throw new ErrorCtor("exit");
}
