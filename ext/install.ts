/**
 * Writes a fresh context's global scope, and nothing else does: deletes every global that is not an ECMAScript
 * built-in of the contract's list, then defines exactly the helpers of the helper table
 * (docs/contract.md §4, `ts/contract/helpers.ts`).
 *
 * @module
 */
import { ECMASCRIPT_GLOBALS, HELPERS } from "../ts/contract/helpers.ts";
import {
  ErrorCtor,
  ObjectDefineProperty,
  ObjectGetPrototypeOf,
  ReflectApply,
  ReflectConstruct,
  ReflectDefineProperty,
  ReflectDeleteProperty,
  ReflectOwnKeys,
  SafeSet,
  SetPrototypeHas,
  TypeErrorCtor,
} from "./intrinsics.ts";

/**
 * Removes every global that is not allowed (string and symbol keys, on the global object and its prototype chain
 * up to `Object.prototype`), then defines `helpers` (which must match the helper table exactly).
 */
export function installGlobals(helpers: ReadonlyMap<string, unknown>, isLive: () => boolean): void {
  for (const { name } of HELPERS) {
    if (!helpers.has(name)) throw new Error(`codecell: no implementation of the helper ${name}`);
  }
  if (helpers.size !== HELPERS.length) throw new Error("codecell: a helper is not in the helper table");
  const keep = new SafeSet<string | symbol>([...ECMASCRIPT_GLOBALS, ...helpers.keys()]);
  for (const key of ReflectOwnKeys(globalThis)) {
    if (SetPrototypeHas(keep, key)) continue;
    // `gc` (with --expose-gc) cannot be deleted, but it can be made to hold nothing.
    if (!ReflectDeleteProperty(globalThis, key)) {
      ReflectDefineProperty(globalThis, key, { value: undefined, writable: false, configurable: false });
    }
  }
  for (let proto = ObjectGetPrototypeOf(globalThis); proto !== null && proto !== Object.prototype;) {
    for (const key of ReflectOwnKeys(proto)) if (key !== "constructor") ReflectDeleteProperty(proto, key);
    proto = ObjectGetPrototypeOf(proto);
  }
  for (const [name, value] of helpers) {
    ReflectDefineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  guardFinalization(isLive);
  sealStackTraces();
}

/**
 * Keeps stack traces strings. Deno formats them in the sandbox's outer realm, and the call sites it hands to a
 * user's `Error.prepareStackTrace` belong to that realm: their constructor chain leads to the outer `Function`
 * (docs/architecture.md "The sandbox"). So `Error.prepareStackTrace` is fixed to `undefined` (which also shadows
 * any getter a cell puts on `Function.prototype`), and the global `Error`, where Deno looks it up, cannot be
 * replaced.
 */
function sealStackTraces(): void {
  ObjectDefineProperty(ErrorCtor, "prepareStackTrace", { value: undefined, writable: false, configurable: false });
  ObjectDefineProperty(globalThis, "Error", {
    value: ErrorCtor,
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

/**
 * Replaces `FinalizationRegistry` with one whose cleanup callbacks run only while the cell lives: V8 may call them
 * after the cell's end, and the cell's code must not run during a later cell of the sandbox. The original
 * constructor stays out of reach (the prototype's `constructor` is the replacement).
 */
function guardFinalization(isLive: () => boolean): void {
  const Original = FinalizationRegistry;
  const Guarded = function FinalizationRegistry(cleanup: unknown) {
    if (new.target === undefined) throw new TypeErrorCtor("Constructor FinalizationRegistry requires 'new'");
    if (typeof cleanup !== "function") throw new TypeErrorCtor("FinalizationRegistry: cleanup must be callable");
    const guarded = (held: unknown) => {
      if (isLive()) ReflectApply(cleanup, undefined, [held]);
    };
    return ReflectConstruct(Original, [guarded], new.target);
  };
  ObjectDefineProperty(Guarded, "prototype", { value: Original.prototype });
  ObjectDefineProperty(Original.prototype, "constructor", { value: Guarded, writable: true, configurable: true });
  ReflectDefineProperty(globalThis, "FinalizationRegistry", { value: Guarded, writable: true, configurable: true });
}
