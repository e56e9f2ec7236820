/**
 * One cell in one fresh V8 context (docs/architecture.md "The sandbox").
 *
 * A context comes from `vm.createContext(vm.constants.DONT_CONTEXTIFY)`: an ordinary global of its own, whose
 * prototype chain does not lead to this realm. The helper kernel is evaluated inside it and installs the helpers;
 * from then on the two realms exchange primitives only, through `post` (kernel → here) and the kernel's handle
 * (here → kernel), which is read once, before any cell code runs. A context can be prepared ahead, while the
 * sandbox waits for its next cell.
 *
 * @module
 */
import { KERNEL_FILE_NAME, type KernelHandle, type KernelModule, Op, type Post } from "../ext/bridge.ts";
import { CELL_FILE_NAME, CELL_LINE_OFFSET } from "../ts/contract/cell_source.ts";
import { MAX_TIMER_MS, utf8ByteLength } from "../ts/contract/defaults.ts";
import type { SandboxToHost } from "../ts/contract/wire.ts";
import type { Captured } from "./outer.ts";
import { mapStack } from "./stack.ts";
import { CELL_BROKE_HELPERS } from "../ts/contract/messages.ts";

/** The kernel's source: a script that evaluates to its exports (inlined by the bundle build). */
declare const KERNEL_SOURCE: string;

/** What the session has told this sandbox: its setup (as the kernel reads it) and its stored values. */
export class SessionState {
  /** The `session/setup` frame's JSON text; the kernel parses it in each context. */
  setupJson = '{"tools":[],"console":true,"limits":{"storedValueBytes":0,"storedBytes":0}}';
  limits = { storedValueBytes: 0, storedBytes: 0 };
  /** The session's stored values as JSON texts, as of the current cell's start. */
  readonly stored = new Map<string, string>();
  #storedBytes = new Map<string, number>();
  #total = 0;

  put(key: string, json: string): void {
    this.#total += utf8ByteLength(json) - (this.#storedBytes.get(key) ?? 0);
    this.#storedBytes.set(key, utf8ByteLength(json));
    this.stored.set(key, json);
  }

  /** Bytes of all stored values. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes of the value stored under `key` (0 when there is none). */
  bytesOf(key: string): number {
    return this.#storedBytes.get(key) ?? 0;
  }

  /** A finished cell's writes are the session's values now (the host merges the same writes). */
  merge(writes: ReadonlyMap<string, string>): void {
    for (const [key, json] of writes) this.put(key, json);
  }
}

/** The compiled kernel script, run once per context. */
let kernelScript: { runInContext(context: object): unknown } | undefined;

/** A context with the helpers installed, waiting for its cell. */
export class CellContext {
  readonly #io: Captured;
  readonly #session: SessionState;
  readonly #context: object;
  readonly #kernel: KernelHandle;
  #send: (message: SandboxToHost) => void = () => {};
  #live = true;
  #onEnd: (() => void) | undefined;
  /** This cell's stored-value writes (JSON texts and their sizes). */
  readonly #writes = new Map<string, string>();
  readonly #writeBytes = new Map<string, number>();
  /** How much this cell's writes add to the session's stored bytes. */
  #addedBytes = 0;

  /** Creates a context for the session's current setup and installs the helpers into it. */
  constructor(io: Captured, session: SessionState) {
    this.#io = io;
    this.#session = session;
    this.#context = io.createContext();
    kernelScript ??= io.compile(KERNEL_SOURCE, { filename: KERNEL_FILE_NAME });
    const kernel = kernelScript.runInContext(this.#context) as KernelModule;
    const handle = kernel.install(this.#post, session.setupJson);
    // Read once, before any cell code exists: later reads could meet a cell's getters.
    this.#kernel = { run: handle.run, settle: handle.settle, fire: handle.fire, close: handle.close };
  }

  /**
   * Runs the cell `script` (see `cellScript` in `cell_source.ts`), sending what it does through `send`; resolves
   * once it has ended. A script that does not compile fails the cell.
   *
   * The end (`cell/done`) is sent the moment the kernel reports it, from within that call: a cell that goes on
   * spinning after `exit()` cannot hold its result back. From then on the context is closed: its timers and
   * calls are dropped, every helper is inert, and its stored-value writes are the session's.
   */
  run(script: string, send: (message: SandboxToHost) => void): Promise<void> {
    this.#send = send;
    const ended = new Promise<void>((resolve) => (this.#onEnd = resolve));
    let cell: unknown;
    try {
      cell = this.#io.compile(script, { filename: CELL_FILE_NAME, lineOffset: CELL_LINE_OFFSET }).runInContext(
        this.#context,
      );
    } catch (error) {
      // A compile error is an object of this realm: only its text is used, here.
      this.#end(false, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return ended;
    }
    this.#enter(() => this.#kernel.run(cell));
    return ended;
  }

  /** Settles a pending tool call of the cell. */
  settle(callId: string, ok: boolean, text: string): void {
    if (this.#live) this.#enter(() => this.#kernel.settle(callId, ok, text));
  }

  /**
   * Calls into the kernel. The cell can make a kernel call throw (say, a getter on `Promise.prototype` that
   * throws); what it throws is the cell's own object, never touched here: the cell fails instead.
   */
  #enter(call: () => void): void {
    try {
      call();
    } catch {
      this.#end(false, CELL_BROKE_HELPERS);
    }
  }

  #end(ok: boolean, error: string): void {
    if (!this.#live) return;
    this.#send(ok ? { type: "cell/done", ok: true } : { type: "cell/done", ok: false, error });
    this.#live = false;
    this.#enter(() => this.#kernel.close());
    this.#session.merge(this.#writes);
    this.#onEnd?.();
  }

  /** The kernel's one way out. Checks every argument's type; anything unexpected is ignored. */
  readonly #post: Post = (op, a, b, c) => {
    if (!this.#live) return undefined;
    switch (op) {
      case Op.text:
        if (typeof a === "string") this.#send({ type: "output/text", text: a });
        return undefined;
      case Op.image:
        if (typeof a === "string" && (b === "auto" || b === "low" || b === "high" || b === "original")) {
          this.#send({ type: "output/image", image_url: a, detail: b });
        }
        return undefined;
      case Op.notify:
        if (typeof a === "string" && a.trim() !== "") this.#send({ type: "cell/notify", text: a });
        return undefined;
      case Op.yield:
        this.#send({ type: "cell/yield" });
        return undefined;
      case Op.store:
        return typeof a === "string" && typeof b === "string" ? this.#store(a, b) : undefined;
      case Op.load:
        return typeof a === "string" ? this.#writes.get(a) ?? this.#session.stored.get(a) : undefined;
      case Op.toolCall:
        if (typeof a === "string" && typeof b === "string" && typeof c === "string") {
          this.#send({ type: "tool/call", callId: a, tool: b, input: c });
        }
        return undefined;
      case Op.timer:
        if (typeof a === "number" && typeof b === "number") this.#arm(a, b);
        return undefined;
      case Op.done:
        this.#end(a === 1, a === 1 ? "" : mapStack(typeof b === "string" ? b : ""));
        return undefined;
    }
    return undefined;
  };

  /** A write, within the session's limits: `"value"` or `"session"` names the limit it would break. */
  #store(key: string, json: string): string | undefined {
    const bytes = utf8ByteLength(json);
    const { storedValueBytes, storedBytes } = this.#session.limits;
    if (bytes > storedValueBytes) return "value";
    const replaced = this.#writeBytes.get(key) ?? this.#session.bytesOf(key);
    if (this.#session.totalBytes + this.#addedBytes - replaced + bytes > storedBytes) return "session";
    this.#addedBytes += bytes - replaced;
    this.#writeBytes.set(key, bytes);
    this.#writes.set(key, json);
    this.#send({ type: "store/set", key, json });
    return undefined;
  }

  #arm(id: number, ms: number): void {
    const delay = ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
    this.#io.sleep(delay).then(() => {
      if (this.#live) this.#enter(() => this.#kernel.fire(id));
    });
  }
}
