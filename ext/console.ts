/**
 * `console.*` writing text items (docs/contract.md §4): each call appends one text item, its values formatted by
 * `./inspect.ts`; nothing when the host turned console capture off.
 *
 * @module
 */
import { ObjectCreate, ObjectFreeze } from "./intrinsics.ts";
import { formatValues } from "./inspect.ts";
import { Op } from "./bridge.ts";
import { host } from "./state.ts";

type ConsoleMethod = (...values: unknown[]) => void;

/** A console whose methods append text items, or do nothing when the host turned console capture off. */
export function makeConsole(enabled: boolean): Readonly<Record<string, ConsoleMethod>> {
  const print: ConsoleMethod = enabled ? (...values) => void host(Op.text, formatValues(values)) : () => {};
  const console: Record<string, ConsoleMethod> = ObjectCreate(null);
  for (const name of ["log", "info", "warn", "error", "debug", "dir", "trace"]) console[name] = print;
  return ObjectFreeze(console);
}
