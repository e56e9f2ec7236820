/**
 * The state of the one cell this context serves: the bridge to the outer realm, the session's limits, the cell's
 * own stored-value writes, its pending tool calls and timers. The kernel is evaluated afresh in each context, so
 * this module's state belongs to exactly one cell.
 *
 * @module
 */
import { Op, type Post } from "./bridge.ts";
import { SafeMap, TypeErrorCtor } from "./intrinsics.ts";

let post: Post | undefined;

/** Set once by the kernel's `install`. */
export function connect(bridge: Post): void {
  post = bridge;
}

/** Whether the cell has ended (completed, failed, or its context closed): every helper is inert from then on. */
let ended = false;

/**
 * Reports the cell's end (completed, or failed with `error`) to the outer realm; the first report wins, and every
 * helper is inert from then on.
 */
export function finish(ok: boolean, error: string): void {
  if (ended || post === undefined) return;
  ended = true;
  try {
    post(Op.done, ok ? 1 : 0, error);
  } catch {
    // Nothing of the outer realm is bound here; the outer realm notices a cell that never reported its end.
  }
}

/** Makes every helper inert without reporting anything (the outer realm closed the cell). */
export function closeCell(): void {
  ended = true;
}

/** Whether the cell has ended. */
export function hasEnded(): boolean {
  return ended;
}

/**
 * Calls the outer realm. A value thrown on the other side is never bound here (`catch` without a binding): it
 * could be an object of the outer realm. The cell gets a fresh error of its own realm instead.
 */
export function host(op: number, a?: string | number, b?: string | number, c?: string): string | undefined {
  if (post === undefined || ended) return undefined;
  try {
    return post(op as typeof Op[keyof typeof Op], a, b, c);
  } catch {
    throw new TypeErrorCtor("codecell: the sandbox could not carry out this helper call");
  }
}

/** This cell's own stored-value writes, by key, as JSON texts. */
export const writes = new SafeMap<string, string>();
