/**
 * `console.*` writing text items (docs/contract.md §4). Strings print as they are, other values in Deno's
 * inspect style, separated by spaces: `console.log("a", 1, { b: 2 })` gives `a 1 { b: 2 }`.
 *
 * @module
 */
import { ArrayPrototypeJoin, ObjectCreate, ObjectFreeze } from "./intrinsics.ts";
import { send } from "./state.ts";

const inspect = Deno.inspect;

function format(values: unknown[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    parts[i] = typeof value === "string" ? value : inspect(value, { colors: false, depth: 4 });
  }
  return ArrayPrototypeJoin(parts, " ");
}

type ConsoleMethod = (...values: unknown[]) => void;

/** A console whose methods append text items, or do nothing when the host turned console capture off. */
export function makeConsole(enabled: boolean): Readonly<Record<string, ConsoleMethod>> {
  const print: ConsoleMethod = enabled ? (...values) => send({ type: "output/text", text: format(values) }) : () => {};
  const console: Record<string, ConsoleMethod> = ObjectCreate(null);
  for (const name of ["log", "info", "warn", "error", "debug", "dir", "trace"]) console[name] = print;
  return ObjectFreeze(console);
}
