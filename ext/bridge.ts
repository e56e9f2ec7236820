/**
 * The bridge between a cell's context (where the kernel of `ext/` runs) and the sandbox's outer realm
 * (`runtime/`). It carries primitives only, both ways: an object, function, promise or error of the outer realm
 * would hand the cell the outer realm's `Function`. The kernel gets one outer function, {@linkcode Post}; the
 * outer realm gets the kernel's {@linkcode KernelHandle}, read once before any cell code runs.
 *
 * @module
 */

/** What the kernel asks of the outer realm. */
export const Op = {
  /** `a`: text of a text item. */
  text: 1,
  /** `a`: image data URL, `b`: detail. */
  image: 2,
  /** `a`: notification text. */
  notify: 3,
  /** Let a waiting `exec`/`wait` return. */
  yield: 4,
  /** `a`: key, `b`: JSON text of the value. */
  store: 5,
  /** `a`: key. Answers the JSON text stored for the session under it, or `undefined`. */
  load: 6,
  /** `a`: call id, `b`: tool name, `c`: JSON text of the argument. */
  toolCall: 7,
  /** `a`: timer id, `b`: delay in ms (≥ 1). The outer realm calls `fire(id)` when it is due. */
  timer: 8,
  /** The cell ended; `a`: 1 completed, 0 failed; `b`: the error text of a failure. */
  done: 9,
} as const;

/** One of {@linkcode Op}. */
export type OpCode = typeof Op[keyof typeof Op];

/** The one outer function the kernel holds. Arguments and result are primitives. */
export type Post = (op: OpCode, a?: string | number, b?: string | number, c?: string) => string | undefined;

/** The kernel's functions the outer realm calls, with primitives (and the compiled cell function, to `run`). */
export interface KernelHandle {
  /** Runs the compiled cell function; its end is reported through `Op.done`. */
  run(cell: unknown): void;
  /** Settles a tool call: `text` is the result's JSON text, or the error message when `ok` is false. */
  settle(callId: string, ok: boolean, text: string): void;
  /** A timer is due. */
  fire(timerId: number): void;
  /** The cell is over: drop its timers and calls, and make every helper inert. */
  close(): void;
}

/** What the kernel's script evaluates to inside a fresh context. */
export interface KernelModule {
  /** Installs the helpers into the context's global scope; `setupJson` is the session setup (tools, console). */
  install(post: Post, setupJson: string): KernelHandle;
}

/** The session setup as the kernel reads it (JSON text of the `session/setup` fields it needs). */
export interface KernelSetup {
  tools: { name: string; kind: "function" | "freeform"; description: string }[];
  console: boolean;
  limits: { storedValueBytes: number; storedBytes: number };
}

/** The file name of the kernel's script, so its frames can be dropped from a cell's stack traces. */
export const KERNEL_FILE_NAME = "codecell-kernel.js";
