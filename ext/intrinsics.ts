/**
 * Intrinsics captured when the sandbox boots, before any cell code runs (Deno's "primordials" idea).
 *
 * A cell may replace `JSON.stringify`, `Array.prototype.push`, `Function.prototype.call` and the like; helpers
 * only use the references kept here, so such a cell can break its own code but not the helpers.
 *
 * @module
 */

const { apply } = Reflect;

/** `fn.call(self, ...args)` that a cell cannot intercept. */
export function uncurryThis<T, A extends unknown[], R>(fn: (this: T, ...args: A) => R): (self: T, ...args: A) => R {
  return (self: T, ...args: A): R => apply(fn, self, args);
}

export const ReflectApply = apply;
export const JSONStringify = JSON.stringify;
export const JSONParse = JSON.parse;
export const StringCtor = String;
export const NumberCtor = Number;
export const ObjectFreeze = Object.freeze;
export const ObjectCreate = Object.create;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectKeys = Object.keys;
export const ObjectHasOwn = Object.hasOwn;
export const ObjectDefineProperty = Object.defineProperty;
export const ArrayIsArray = Array.isArray;
export const NumberIsFinite = Number.isFinite;
export const PromiseCtor = Promise;
export const PromisePrototypeThen = uncurryThis(Promise.prototype.then) as <T>(
  self: Promise<T>,
  onFulfilled: (value: T) => unknown,
  onRejected?: (reason: unknown) => unknown,
) => Promise<unknown>;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const SafeMap = Map;
export const MapPrototypeGet = uncurryThis(Map.prototype.get);
export const MapPrototypeSet = uncurryThis(Map.prototype.set);
export const MapPrototypeDelete = uncurryThis(Map.prototype.delete);
export const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
export const StringPrototypeTrim = uncurryThis(String.prototype.trim);
export const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
const split = String.prototype.split;
export const StringPrototypeSplit = (self: string, separator: string): string[] => apply(split, self, [separator]);
export const StringPrototypeEndsWith = uncurryThis(String.prototype.endsWith);
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
/** The built-in `exec` itself: it reads the regexp's internal slots, never a replaced `RegExp.prototype.exec`. */
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const TypedArrayPrototypeSubarray = uncurryThis(Uint8Array.prototype.subarray);
export const TypedArrayPrototypeSet = uncurryThis(Uint8Array.prototype.set) as (
  self: Uint8Array,
  source: Uint8Array,
  offset?: number,
) => void;
export const TypedArrayPrototypeIndexOf = uncurryThis(Uint8Array.prototype.indexOf);
export const Uint8ArrayCtor = Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = uncurryThis(TextEncoder.prototype.encode);
const decode = uncurryThis(TextDecoder.prototype.decode);
/** UTF-8 encoding that survives a cell replacing `TextEncoder`. */
export const utf8Encode = (text: string): Uint8Array => encode(encoder, text);
/** UTF-8 decoding that survives a cell replacing `TextDecoder`. */
export const utf8Decode = (bytes: Uint8Array): string => decode(decoder, bytes);

const waitAsync = Atomics.waitAsync;
const timerCell = new Int32Array(new SharedArrayBuffer(4));
/**
 * Resolves after `ms` milliseconds. Built on `Atomics.waitAsync` over a private buffer: Deno's global
 * `setTimeout` loads `node:timers` lazily (most of the runtime's boot time) and needs globals the lock-down removes.
 * Like a pending timer in Codex, it does not keep the process alive: the sandbox's stdin read does.
 */
export function sleep(ms: number): Promise<unknown> {
  const waited = waitAsync(timerCell, 0, 0, ms < 1 ? 1 : ms);
  return waited.async ? waited.value : PromiseCtor.resolve(waited.value);
}
