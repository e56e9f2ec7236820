/**
 * Stored values: `store` and `load` (docs/contract.md §4). Values live as JSON texts, so every `load` is a fresh
 * deep copy. A write goes to the host at once (the outer realm checks it against the session's limits first); the
 * host merges the cell's writes into the session when the cell ends. `load` reads the cell's own writes, then
 * the session's values as they were when the cell started.
 *
 * @module
 */
import { STORE_KEY_NOT_STRING, storeLimitExceeded, storeUnserializable } from "../ts/contract/messages.ts";
import {
  ErrorCtor,
  JSONParse,
  JSONStringify,
  MapPrototypeGet,
  MapPrototypeSet,
  StringCtor,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { Op } from "./bridge.ts";
import { host, writes } from "./state.ts";
import type { KernelSetup } from "./bridge.ts";

let limits: KernelSetup["limits"] = { storedValueBytes: Infinity, storedBytes: Infinity };

/** The session's limits, from its setup: the outer realm enforces them and `store()` names them. */
export function configureStore(setupLimits: KernelSetup["limits"]): void {
  limits = setupLimits;
}

function keyOf(key: unknown): string {
  if (typeof key === "symbol") throw new TypeErrorCtor(STORE_KEY_NOT_STRING);
  return StringCtor(key);
}

/** Stores a JSON copy of `value` under `String(key)` for later cells of this session. */
export function store(key: unknown, value: unknown): void {
  const name = keyOf(key);
  const json: string | undefined = JSONStringify(value);
  if (json === undefined) throw new ErrorCtor(storeUnserializable(name));
  const refused = host(Op.store, name, json);
  if (refused === "value") throw new ErrorCtor(storeLimitExceeded(name, "value", limits.storedValueBytes));
  if (refused === "session") throw new ErrorCtor(storeLimitExceeded(name, "session", limits.storedBytes));
  MapPrototypeSet(writes, name, json);
}

/** A fresh copy of the value stored under `String(key)`, or `undefined`. */
export function load(key: unknown): unknown {
  const name = keyOf(key);
  const json = MapPrototypeGet(writes, name) ?? host(Op.load, name);
  return json === undefined ? undefined : JSONParse(json);
}
