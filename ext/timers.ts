/**
 * `setTimeout` / `clearTimeout` (docs/contract.md §4): ids from 1 per cell, no extra arguments, no `setInterval`.
 * The outer realm keeps the clock and calls `fireTimer` when a timer is due; pending timers do not keep the cell
 * alive (the cell ends when its top-level code settles). An exception thrown by a callback fails the cell.
 *
 * @module
 */
import { CLEAR_TIMEOUT_EXPECTS_NUMBER, SET_TIMEOUT_EXPECTS_FUNCTION } from "../ts/contract/messages.ts";
import {
  MapPrototypeClear,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  NumberCtor,
  NumberIsFinite,
  PromisePrototypeThen,
  PromiseResolve,
  ReflectApply,
  SafeMap,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { Op } from "./bridge.ts";
import { finish, hasEnded, host } from "./state.ts";
import { errorText } from "./errors.ts";

const pending = new SafeMap<number, () => void>();
let nextId = 1;

function delayOf(delay: unknown): number {
  const ms = typeof delay === "number" ? delay : typeof delay === "string" ? NumberCtor(delay) : 0;
  return NumberIsFinite(ms) && ms > 0 ? ms : 0;
}

/** Calls `callback` once after `delayMs`; returns the timer id. */
export function setTimeout(callback: unknown, delayMs?: unknown): number {
  if (typeof callback !== "function") throw new TypeErrorCtor(SET_TIMEOUT_EXPECTS_FUNCTION);
  const id = nextId++;
  if (hasEnded()) return id;
  MapPrototypeSet(pending, id, callback as () => void);
  host(Op.timer, id, delayOf(delayMs));
  return id;
}

/** Cancels a pending timer; missing or non-positive ids are ignored. */
export function clearTimeout(id?: unknown): void {
  if (id === undefined || id === null) return;
  if (typeof id !== "number") throw new TypeErrorCtor(CLEAR_TIMEOUT_EXPECTS_NUMBER);
  if (id > 0) MapPrototypeDelete(pending, id);
}

/**
 * A timer is due: runs its callback unless it was cleared or the cell is over. The callback runs in a microtask
 * of this context, after the outer realm's call has returned, so no frame of the outer realm is below it.
 */
export function fireTimer(id: number): void {
  const callback = MapPrototypeGet(pending, id);
  if (callback === undefined || hasEnded()) return;
  MapPrototypeDelete(pending, id);
  PromisePrototypeThen(PromiseResolve(undefined), () => {
    if (hasEnded()) return;
    try {
      ReflectApply(callback, undefined, []);
    } catch (error) {
      finish(false, errorText(error));
    }
  });
}

/** Drops every pending timer. */
export function clearTimers(): void {
  MapPrototypeClear(pending);
}
