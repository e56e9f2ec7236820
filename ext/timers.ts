/**
 * `setTimeout` / `clearTimeout` (docs/contract.md §4): ids from 1 per cell, no extra arguments, no `setInterval`.
 * Pending timers do not keep the cell alive: the cell ends when its top-level code settles. An exception thrown by
 * a callback fails the cell.
 *
 * @module
 */
import { CLEAR_TIMEOUT_EXPECTS_NUMBER, SET_TIMEOUT_EXPECTS_FUNCTION } from "../ts/contract/messages.ts";
import {
  MapPrototypeDelete,
  MapPrototypeSet,
  NumberCtor,
  NumberIsFinite,
  PromisePrototypeThen,
  ReflectApply,
  sleep,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { cell } from "./state.ts";

function delayOf(delay: unknown): number {
  const ms = typeof delay === "number" ? delay : typeof delay === "string" ? NumberCtor(delay) : 0;
  return NumberIsFinite(ms) && ms > 0 ? ms : 0;
}

/** Calls `callback` once after `delayMs`; returns the timer id. */
export function setTimeout(callback: unknown, delayMs?: unknown): number {
  if (typeof callback !== "function") throw new TypeErrorCtor(SET_TIMEOUT_EXPECTS_FUNCTION);
  const state = cell();
  const id = state.nextTimerId++;
  MapPrototypeSet(state.timers, id, true);
  PromisePrototypeThen(sleep(delayOf(delayMs)), () => {
    if (!MapPrototypeDelete(state.timers, id)) return;
    try {
      ReflectApply(callback, undefined, []);
    } catch (error) {
      state.port.fail(error);
    }
  });
  return id;
}

/** Cancels a pending timer; missing or non-positive ids are ignored. */
export function clearTimeout(id?: unknown): void {
  if (id === undefined || id === null) return;
  if (typeof id !== "number") throw new TypeErrorCtor(CLEAR_TIMEOUT_EXPECTS_NUMBER);
  if (id > 0) MapPrototypeDelete(cell().timers, id);
}
