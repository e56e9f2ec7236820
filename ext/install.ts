/**
 * Installs the cell globals and deletes everything else: the only file that writes `globalThis`.
 *
 * A cell sees the ECMAScript built-ins (without `Atomics`, `SharedArrayBuffer` and `WebAssembly`) plus exactly the
 * helpers (contract §4). Everything Deno adds (`Deno`, `fetch`, `Worker`, web APIs, ...) is removed from the global
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

/** ECMAScript (ECMA-262 and ECMA-402) global names a cell keeps. */
export const ECMASCRIPT_GLOBALS: readonly string[] = [
  "globalThis", "Infinity", "NaN", "undefined", "eval", "isFinite", "isNaN", "parseFloat", "parseInt",
  "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape",
  "Object", "Function", "Boolean", "Symbol", "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError",
  "SyntaxError", "TypeError", "URIError", "SuppressedError", "Number", "BigInt", "Math", "Date", "String", "RegExp",
  "Array", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Map", "Set", "WeakMap",
  "WeakSet", "ArrayBuffer", "DataView", "JSON", "WeakRef", "FinalizationRegistry", "Iterator", "Promise", "Reflect",
  "Proxy", "Intl", "DisposableStack", "AsyncDisposableStack",
]; // deno-fmt-ignore

/** Helper globals a cell gets, beside the built-ins. */
export const HELPER_GLOBALS: readonly string[] = [
  "text", "image", "generatedImage", "store", "load", "notify", "yield_control", "exit", "setTimeout",
  "clearTimeout", "ALL_TOOLS", "tools", "console",
]; // deno-fmt-ignore

/** The helpers, by global name; `codecell/helpers` re-exports the same functions. */
export function helperGlobals(consoleEnabled: boolean): Record<string, unknown> {
  return {
    text, image, generatedImage, store, load, notify, yield_control, exit, setTimeout, clearTimeout, ALL_TOOLS, tools,
    console: makeConsole(consoleEnabled),
  }; // deno-fmt-ignore
}

/** Properties Deno itself calls on the global object's prototype chain; deleting them crashes the runtime. */
const RUNTIME_NEEDS = new Set(["dispatchEvent", "constructor"]);

/**
 * Removes every non-allowed global (own properties and the prototype chain up to `Object.prototype`), then installs
 * the helpers. Call once, after the runtime captured what it uses and before any cell code runs.
 */
export function lockDown(consoleEnabled: boolean): void {
  const keep = new Set([...ECMASCRIPT_GLOBALS, ...HELPER_GLOBALS]);
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
  for (const [name, value] of Object.entries(helperGlobals(consoleEnabled))) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  const left = Object.getOwnPropertyNames(globalThis).filter((name) => !keep.has(name));
  if (left.length > 0) throw new Error(`codecell: could not remove globals: ${left.join(", ")}`);
}
