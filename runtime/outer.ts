/**
 * The sandbox's outer realm: what the runtime captures from Deno before anything else runs, and the lock-down
 * that follows. Cells never run here (each runs in a fresh context, see `./cell_context.ts`); the lock-down is
 * there for code that would escape a context anyway: every global Deno adds is deleted, and every ECMAScript
 * intrinsic is frozen, so such code could not change how the runtime treats later cells of the session.
 *
 * @module
 */
import v8 from "node:v8";
import vm from "node:vm";
import { ECMASCRIPT_GLOBALS } from "../ts/contract/helpers.ts";
import { DENO_PERMISSION_NAMES } from "../ts/contract/codec.ts";

/** What the runtime keeps of Deno and of the global scope, captured at boot. */
export interface Captured {
  /** Writes all of `bytes` to stdout (a write may take only part). */
  write(bytes: Uint8Array): void;
  /** Writes a line to stderr: the runtime's last words when it fails. */
  writeError(text: string): void;
  /** Reads into `buffer`, blocking the whole sandbox; `null` at end of input. */
  readSync(buffer: Uint8Array): number | null;
  /** Reads into `buffer` without blocking; `null` at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
  exit(code: number): never;
  /** V8 heap in use, in bytes. */
  heapUsed(): number;
  /** A full garbage collection. */
  gc: (() => void) | undefined;
  /** Resolves after `ms` (at least 1): a timed wait on a private buffer, which does not keep the process alive. */
  sleep(ms: number): Promise<unknown>;
  /**
   * Resolves in a macrotask, so only once every microtask has run: the shortest timed wait (V8 fires it within about
   * a millisecond, where a 1 ms wait takes two).
   */
  macrotask(): Promise<unknown>;
  encode(text: string): Uint8Array;
  createContext(): object;
  compile(
    source: string,
    options: { filename: string; lineOffset?: number },
  ): { runInContext(context: object): unknown };
  /** The permissions this process was granted: none, unless it was started wrongly. */
  granted: string[];
  /** Registers a listener on the global scope (before it is locked down). */
  addEventListener: (type: string, listener: (event: Event) => void) => void;
}

/** Captures what the runtime needs; call first, before {@linkcode lockDown}. */
export function capture(): Captured {
  const deno = Deno;
  const stdout = deno.stdout;
  const stderr = deno.stderr;
  const stdin = deno.stdin;
  const memoryUsage = deno.memoryUsage;
  const granted = DENO_PERMISSION_NAMES.filter((name) => deno.permissions.querySync({ name }).state === "granted");
  // `gc` from a context made while the flag is on, which is off again for every later context: no cell sees it.
  v8.setFlagsFromString("--expose-gc");
  const collect = vm.runInNewContext("gc");
  v8.setFlagsFromString("--no-expose-gc");
  const gc = typeof collect === "function" ? () => void collect() : undefined;
  const waitAsync = Atomics.waitAsync;
  const timerCell = new Int32Array(new SharedArrayBuffer(4));
  // Nothing ever notifies the cell: every wait ends by its time-out, in a macrotask.
  const timedWait = (ms: number): Promise<unknown> => {
    const waited = waitAsync(timerCell, 0, 0, ms);
    return waited.async ? waited.value : Promise.resolve(waited.value);
  };
  const encoder = new TextEncoder();
  const { Script, createContext, constants } = vm;
  return {
    write(bytes) {
      for (let at = 0; at < bytes.length;) at += stdout.writeSync(bytes.subarray(at));
    },
    writeError(text) {
      const bytes = encoder.encode(`${text}\n`);
      for (let at = 0; at < bytes.length;) at += stderr.writeSync(bytes.subarray(at));
    },
    readSync: (buffer) => stdin.readSync(buffer),
    read: (buffer) => stdin.read(buffer),
    exit: deno.exit,
    heapUsed: () => memoryUsage().heapUsed,
    gc,
    sleep: (ms) => timedWait(ms < 1 ? 1 : ms),
    macrotask: () => timedWait(0.01),
    encode: (text) => encoder.encode(text),
    createContext: () => createContext(constants.DONT_CONTEXTIFY),
    compile: (source, options) => new Script(source, options),
    granted,
    addEventListener: globalThis.addEventListener.bind(globalThis),
  };
}

/** Names Deno itself calls on the global scope's prototype chain; deleting them crashes the runtime. */
const RUNTIME_NEEDS = new Set(["dispatchEvent", "constructor"]);

/**
 * Deletes every string-keyed global that is not an ECMAScript built-in (on the global object and its prototype
 * chain), then freezes the ECMAScript intrinsics. Symbol-keyed globals stay: Deno's event dispatch keeps its
 * listener list and brand there.
 */
export function lockDown(): void {
  const keep = new Set(ECMASCRIPT_GLOBALS);
  // Twice: some names (`queueMicrotask`) are shadowed by a second definition that appears once the first is gone.
  for (let pass = 0; pass < 2; pass++) {
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (keep.has(name)) continue;
      // `gc` (with --expose-gc) cannot be deleted, but it can be made to hold nothing.
      if (!Reflect.deleteProperty(globalThis, name)) {
        Reflect.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false });
      }
    }
  }
  for (let proto = Object.getPrototypeOf(globalThis); proto !== null && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!RUNTIME_NEEDS.has(name)) Reflect.deleteProperty(proto, name);
    }
    Object.freeze(proto);
    proto = Object.getPrototypeOf(proto);
  }
  // The runtime looks `JSON`, `Promise`, ... up on the global at call time: code that escaped a context must not
  // be able to swap them for its own.
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(globalThis, name)!;
    if (descriptor.configurable) {
      Reflect.defineProperty(globalThis, name, {
        ...descriptor,
        ...("value" in descriptor ? { writable: false } : {}),
        configurable: false,
      });
    }
  }
  freezeIntrinsics();
}

/** Freezes everything reachable from the ECMAScript globals (not the global object: Deno writes to it at exit). */
function freezeIntrinsics(): void {
  const roots: unknown[] = [];
  for (const name of ECMASCRIPT_GLOBALS) {
    if (name !== "globalThis") roots.push((globalThis as Record<string, unknown>)[name]);
  }
  roots.push(
    (async function () {}).constructor,
    (function* () {}).constructor,
    (async function* () {}).constructor,
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(new Map().entries()),
    Object.getPrototypeOf(new Set().values()),
    Object.getPrototypeOf(""[Symbol.iterator]()),
    Object.getPrototypeOf("a".matchAll(/a/g)),
    Object.getPrototypeOf(Uint8Array),
  );
  const seen = new Set<object>();
  const stack = [...roots];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value)) continue;
    seen.add(value);
    stack.push(Object.getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key)!;
      if ("value" in descriptor) stack.push(descriptor.value);
      else stack.push(descriptor.get, descriptor.set);
    }
  }
  for (const value of seen) Object.freeze(value);
}
