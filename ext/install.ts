/**
 * Installs the cell globals and deletes everything else: the only file that writes `globalThis`.
 *
 * A cell sees the ECMAScript built-ins (without `Atomics`, `SharedArrayBuffer` and `WebAssembly`) plus exactly the
 * helpers (docs/contract.md §4, listed in `ts/contract/helpers.ts`). Everything Deno adds (`Deno`, `fetch`, `Worker`, web APIs, ...) is removed from the global
 * object and from its prototype chain, after the runtime captured what it needs.
 *
 * @module
 */
import { clearTimeout, setTimeout } from "./timers.ts";
import { exit, notify, yield_control } from "./control.ts";
import { generatedImage, image, text } from "./output.ts";
import { load, store } from "./store.ts";
import { ALL_TOOLS, tools } from "./tools.ts";
import { makeConsole } from "./console.ts";
import { ECMASCRIPT_GLOBALS, HELPERS } from "../ts/contract/helpers.ts";

/** The helpers, by global name (the contract's table lists them; `codecell/helpers` re-exports the same functions). */
export function helperGlobals(consoleEnabled: boolean): Map<string, unknown> {
  const implementations: Record<string, unknown> = {
    text, image, generatedImage, store, load, notify, yield_control, exit, setTimeout, clearTimeout, ALL_TOOLS, tools,
    console: makeConsole(consoleEnabled),
  }; // deno-fmt-ignore
  const globals = new Map<string, unknown>();
  for (const { name } of HELPERS) {
    if (!Object.hasOwn(implementations, name)) throw new Error(`codecell: no implementation of the helper ${name}`);
    globals.set(name, implementations[name]);
  }
  return globals;
}

/** Properties Deno itself calls on the global object's prototype chain; deleting them crashes the runtime. */
const RUNTIME_NEEDS = new Set(["dispatchEvent", "constructor"]);

/**
 * Removes every non-allowed global (own properties and the prototype chain up to `Object.prototype`), then installs
 * the helpers. Call once, after the runtime captured what it uses and before any cell code runs.
 */
export function lockDown(consoleEnabled: boolean): void {
  const helpers = helperGlobals(consoleEnabled);
  const keep = new Set([...ECMASCRIPT_GLOBALS, ...helpers.keys()]);
  // Twice: some names (`queueMicrotask`) are shadowed by a second definition that appears once the first is gone.
  for (let pass = 0; pass < 2; pass++) {
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (!keep.has(name)) Reflect.deleteProperty(globalThis, name);
    }
  }
  for (let proto = Object.getPrototypeOf(globalThis); proto !== null && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!RUNTIME_NEEDS.has(name)) Reflect.deleteProperty(proto, name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  for (const [name, value] of helpers) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  const left = Object.getOwnPropertyNames(globalThis).filter((name) => !keep.has(name));
  if (left.length > 0) throw new Error(`codecell: could not remove globals: ${left.join(", ")}`);
}
