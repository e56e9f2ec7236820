/**
 * `console.*`'s formatting of values, in the style of Deno's inspect (`{ b: [ 2 ] }`, `Map(1) { 1 => 2 }`), on one
 * line. It runs inside the cell's context: formatting a cell's value in the outer realm would let the value's
 * traps and getters see outer objects. Getters are shown, not called.
 *
 * @module
 */
import {
  ArrayIsArray,
  ArrayPrototypeJoin,
  BigIntPrototypeToString,
  DatePrototypeGetTime,
  DatePrototypeToISOString,
  ErrorPrototypeToString,
  FunctionPrototypeToString,
  IteratorNext,
  JSONStringify,
  MapPrototypeEntries,
  MapPrototypeGetSize,
  NumberIsFinite,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetPrototypeOf,
  ObjectIs,
  ReflectOwnKeys,
  RegExpPrototypeExec,
  RegExpPrototypeToString,
  SafeSet,
  SetIteratorNext,
  SetPrototypeAdd,
  SetPrototypeDelete,
  SetPrototypeGetSize,
  SetPrototypeHas,
  SetPrototypeValues,
  StringCtor,
  StringPrototypeStartsWith,
  SymbolPrototypeToString,
} from "./intrinsics.ts";

const MAX_DEPTH = 4;
const MAX_ITEMS = 100;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const MapPrototype = Map.prototype;
const SetPrototype = Set.prototype;
const DatePrototype = Date.prototype;
const RegExpPrototype = RegExp.prototype;
const ErrorPrototype = Error.prototype;
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;

/** One `console` call's values as one line: strings as they are, other values inspected, joined by spaces. */
export function formatValues(values: readonly unknown[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    parts[i] = typeof value === "string" ? value : inspect(value, 0, new SafeSet());
  }
  return ArrayPrototypeJoin(parts, " ");
}

function inspect(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return depth === 0 ? value : JSONStringify(value);
    case "number":
      return ObjectIs(value, -0) ? "-0" : StringCtor(value);
    case "bigint":
      return `${BigIntPrototypeToString(value)}n`;
    case "symbol":
      return SymbolPrototypeToString(value);
    case "undefined":
      return "undefined";
    case "boolean":
      return value ? "true" : "false";
    case "function":
      return functionTag(value);
  }
  if (value === null) return "null";
  const object = value as object;
  if (SetPrototypeHas(seen, object)) return "[Circular]";
  const proto = ObjectGetPrototypeOf(object);
  if (isA(object, DatePrototype)) {
    const time = DatePrototypeGetTime(object as Date);
    return NumberIsFinite(time) ? DatePrototypeToISOString(object as Date) : "Invalid Date";
  }
  if (isA(object, RegExpPrototype)) return RegExpPrototypeToString(object as RegExp);
  if (isA(object, ErrorPrototype)) {
    const stack = (object as { stack?: unknown }).stack;
    return typeof stack === "string" ? stack : ErrorPrototypeToString(object as Error);
  }
  if (depth >= MAX_DEPTH) return ArrayIsArray(object) ? "[Array]" : `[${constructorName(proto) ?? "Object"}]`;
  SetPrototypeAdd(seen, object);
  try {
    if (ArrayIsArray(object)) return bracket("[", arrayItems(object, depth, seen), "]");
    if (isA(object, MapPrototype)) {
      const map = object as Map<unknown, unknown>;
      const items: string[] = [];
      const entries = MapPrototypeEntries(map);
      for (let next = IteratorNext(entries); !next.done && items.length < MAX_ITEMS; next = IteratorNext(entries)) {
        // Index access, not destructuring: the cell may have replaced the array iterator.
        const pair = next.value as [unknown, unknown];
        items[items.length] = `${inspect(pair[0], depth + 1, seen)} => ${inspect(pair[1], depth + 1, seen)}`;
      }
      return `Map(${MapPrototypeGetSize(map)}) ${bracket("{", items, "}")}`;
    }
    if (isA(object, SetPrototype)) {
      const set = object as Set<unknown>;
      const items: string[] = [];
      const values = SetPrototypeValues(set);
      for (let next = SetIteratorNext(values); !next.done && items.length < MAX_ITEMS; next = SetIteratorNext(values)) {
        items[items.length] = inspect(next.value, depth + 1, seen);
      }
      return `Set(${SetPrototypeGetSize(set)}) ${bracket("{", items, "}")}`;
    }
    const body = bracket("{", propertyItems(object, depth, seen), "}");
    if (proto === null) return `[Object: null prototype] ${body}`;
    const name = constructorName(proto);
    return name === undefined || name === "Object" ? body : `${name} ${body}`;
  } finally {
    SetPrototypeDelete(seen, object);
  }
}

function arrayItems(array: unknown[], depth: number, seen: Set<object>): string[] {
  const items: string[] = [];
  const shown = array.length < MAX_ITEMS ? array.length : MAX_ITEMS;
  for (let i = 0; i < shown; i++) {
    const descriptor = ObjectGetOwnPropertyDescriptor(array, i);
    items[i] = descriptor === undefined ? "<empty>" : describe(descriptor, depth, seen);
  }
  if (array.length > shown) items[items.length] = `... ${array.length - shown} more items`;
  return items;
}

function propertyItems(object: object, depth: number, seen: Set<object>): string[] {
  const items: string[] = [];
  const keys = ReflectOwnKeys(object);
  for (let i = 0; i < keys.length && items.length < MAX_ITEMS; i++) {
    const key = keys[i];
    const descriptor = ObjectGetOwnPropertyDescriptor(object, key)!;
    if (!descriptor.enumerable) continue;
    items[items.length] = `${keyText(key)}: ${describe(descriptor, depth, seen)}`;
  }
  return items;
}

function describe(descriptor: PropertyDescriptor, depth: number, seen: Set<object>): string {
  if (descriptor.get !== undefined) return descriptor.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  if (descriptor.set !== undefined) return "[Setter]";
  return inspect(descriptor.value, depth + 1, seen);
}

function keyText(key: string | symbol): string {
  if (typeof key === "symbol") return `[${SymbolPrototypeToString(key)}]`;
  return RegExpPrototypeExec(IDENTIFIER, key) !== null ? key : JSONStringify(key);
}

function bracket(open: string, items: string[], close: string): string {
  return items.length === 0 ? `${open}${close}` : `${open} ${ArrayPrototypeJoin(items, ", ")} ${close}`;
}

/** Whether `proto` is on `object`'s prototype chain (without `instanceof`, which a cell can redefine). */
function isA(object: object, proto: object): boolean {
  for (let current = ObjectGetPrototypeOf(object); current !== null; current = ObjectGetPrototypeOf(current)) {
    if (current === proto) return true;
    if (current === ObjectPrototype || current === ArrayPrototype) return false;
  }
  return false;
}

function constructorName(proto: object | null): string | undefined {
  if (proto === null) return undefined;
  const descriptor = ObjectGetOwnPropertyDescriptor(proto, "constructor");
  const ctor = descriptor !== undefined && "value" in descriptor ? descriptor.value : undefined;
  if (typeof ctor !== "function") return undefined;
  const name = ObjectGetOwnPropertyDescriptor(ctor, "name");
  return name !== undefined && typeof name.value === "string" && name.value !== "" ? name.value : undefined;
}

function functionTag(fn: object): string {
  let source = "";
  try {
    source = FunctionPrototypeToString(fn);
  } catch {
    // a revoked proxy or the like: no class marker
  }
  const nameDescriptor = ObjectGetOwnPropertyDescriptor(fn, "name");
  const name = nameDescriptor !== undefined && typeof nameDescriptor.value === "string" ? nameDescriptor.value : "";
  if (StringPrototypeStartsWith(source, "class")) return name === "" ? "[class (anonymous)]" : `[class ${name}]`;
  const kind = StringPrototypeStartsWith(source, "async") ? "AsyncFunction" : "Function";
  return name === "" ? `[${kind} (anonymous)]` : `[${kind}: ${name}]`;
}
