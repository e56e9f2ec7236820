/**
 * Intrinsics captured when the kernel is evaluated in a fresh context, before any cell code runs (Deno's
 * "primordials" idea).
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
export const ReflectConstruct = Reflect.construct;
export const ReflectDefineProperty = Reflect.defineProperty;
export const ReflectDeleteProperty = Reflect.deleteProperty;
export const ReflectOwnKeys = Reflect.ownKeys;
export const JSONStringify = JSON.stringify;
export const JSONParse = JSON.parse;
export const StringCtor = String;
export const NumberCtor = Number;
export const ObjectFreeze = Object.freeze;
export const ObjectCreate = Object.create;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectGetPrototypeOf = Object.getPrototypeOf;
export const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const ObjectKeys = Object.keys;
export const ObjectHasOwn = Object.hasOwn;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectIs = Object.is;
export const ArrayIsArray = Array.isArray;
export const NumberIsFinite = Number.isFinite;
export const PromiseCtor = Promise;
export const PromiseResolve = Promise.resolve.bind(Promise);
export const PromiseReject = Promise.reject.bind(Promise);
export const PromisePrototypeThen = uncurryThis(Promise.prototype.then) as <T>(
  self: Promise<T>,
  onFulfilled: (value: T) => unknown,
  onRejected?: (reason: unknown) => unknown,
) => Promise<unknown>;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const SafeMap = Map;
export const SafeSet = Set;
export const MapPrototypeGet = uncurryThis(Map.prototype.get);
export const MapPrototypeSet = uncurryThis(Map.prototype.set);
export const MapPrototypeHas = uncurryThis(Map.prototype.has);
export const MapPrototypeDelete = uncurryThis(Map.prototype.delete);
export const MapPrototypeClear = uncurryThis(Map.prototype.clear);
export const SetPrototypeHas = uncurryThis(Set.prototype.has);
export const SetPrototypeAdd = uncurryThis(Set.prototype.add);
export const SetPrototypeDelete = uncurryThis(Set.prototype.delete);
export const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
export const StringPrototypeTrim = uncurryThis(String.prototype.trim);
export const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
export const StringPrototypeRepeat = uncurryThis(String.prototype.repeat);
/** The built-in `exec` itself: it reads the regexp's internal slots, never a replaced `RegExp.prototype.exec`. */
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const FunctionPrototypeToString = uncurryThis(Function.prototype.toString);
export const SymbolPrototypeToString = uncurryThis(Symbol.prototype.toString);
export const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
export const DatePrototypeGetTime = uncurryThis(Date.prototype.getTime);
export const BigIntPrototypeToString = uncurryThis(BigInt.prototype.toString);
export const MapPrototypeGetSize = uncurryThis(ObjectGetOwnPropertyDescriptor(Map.prototype, "size")!.get!) as (
  self: Map<unknown, unknown>,
) => number;
export const SetPrototypeGetSize = uncurryThis(ObjectGetOwnPropertyDescriptor(Set.prototype, "size")!.get!) as (
  self: Set<unknown>,
) => number;
export const MapPrototypeEntries = uncurryThis(Map.prototype.entries);
export const SetPrototypeValues = uncurryThis(Set.prototype.values);
export const IteratorNext = uncurryThis(Object.getPrototypeOf(new Map().entries()).next) as (
  self: Iterator<unknown>,
) => IteratorResult<unknown>;
export const SetIteratorNext = uncurryThis(Object.getPrototypeOf(new Set().values()).next) as (
  self: Iterator<unknown>,
) => IteratorResult<unknown>;
export const MapCtor = Map;
export const SetCtor = Set;
export const DateCtor = Date;
export const RegExpCtor = RegExp;
export const RegExpPrototypeToString = uncurryThis(RegExp.prototype.toString);
export const ErrorPrototypeToString = uncurryThis(Error.prototype.toString);
