/**
 * Stored values: `store` and `load` (docs/contract.md §4). Values live as JSON texts, so every `load` is a fresh deep copy;
 * each write is sent to the host at once, which merges the cell's writes into the session when the cell ends.
 *
 * @module
 */
import { STORE_KEY_NOT_STRING, storeUnserializable } from "../ts/contract/messages.ts";
import { ErrorCtor, JSONParse, JSONStringify, MapPrototypeGet, MapPrototypeSet, StringCtor, TypeErrorCtor } from "./intrinsics.ts";
import { cell, send } from "./state.ts";

function keyOf(key: unknown): string {
  if (typeof key === "symbol") throw new TypeErrorCtor(STORE_KEY_NOT_STRING);
  return StringCtor(key);
}

/** Stores a JSON copy of `value` under `String(key)` for later cells of this session. */
export function store(key: unknown, value: unknown): void {
  const name = keyOf(key);
  const json: string | undefined = JSONStringify(value);
  if (json === undefined) throw new ErrorCtor(storeUnserializable(name));
  MapPrototypeSet(cell().stored, name, json);
  send({ type: "store/set", key: name, json });
}

/** A fresh copy of the value stored under `String(key)`, or `undefined`. */
export function load(key: unknown): unknown {
  const json = MapPrototypeGet(cell().stored, keyOf(key));
  return json === undefined ? undefined : JSONParse(json);
}
