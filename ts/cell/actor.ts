/**
 * One cell's actor: the only place that decides the cell's terminal state.
 *
 * States: `running` → (`terminating`) → `finished` → `closed`. A cell is `finished` once its outcome is known
 * (completed, failed, terminated) and `closed` once that outcome has been delivered to an observer; the session
 * then forgets it. Output is buffered here and each item is delivered exactly once. Every timer is the host's own,
 * so a sandbox that floods output or spins cannot delay a yield or a terminate.
 *
 * @module
 */
import type { ToolCall } from "../contract/wire.ts";
import { encodeFrame, encodeFrameWithValue } from "../contract/codec.ts";
import type { ToolCallResult } from "../tools/registry.ts";
import type { SandboxExit } from "../transport/link.ts";
import type { CellListener, CellMessage, Sandbox, SandboxKillReason } from "../transport/sandbox.ts";
import type { ContentItem } from "../contract/items.ts";
import { textItem } from "../contract/items.ts";
import type { CellError, CellResult, CellStatus } from "./result.ts";
import type { NotifyListener } from "./options.ts";
import type { CellHooks, ToolCallHooks } from "./hooks.ts";
import { rejected } from "./result.ts";
import {
  CELL_TERMINATED,
  cellLifetimeExceeded,
  cellOutputLimitExceeded,
  execCellAlreadyObserved,
  execCellAlreadyTerminating,
  execRuntimeEndedUnexpectedly,
  memoryLimitReason,
  notificationsDropped,
  protocolViolationReason,
  sandboxExitReason,
  toolArgumentsUnreadable,
  toolCallsInFlightExceeded,
} from "../contract/messages.ts";
import {
  type CellLimits,
  MAX_ARGUMENT_DEPTH,
  MAX_TIMER_MS,
  OUTPUT_ITEM_OVERHEAD_BYTES,
  utf8ByteLength,
  YIELD_GRACE_FROM_MS,
  YIELD_GRACE_MS,
} from "../contract/defaults.ts";

/** Runs nested tool calls for cells (the session's tool registry). */
export interface ToolRunner {
  call(
    name: string,
    input: unknown,
    ctx: { signal: AbortSignal; cellId: string; callId: string },
  ): Promise<ToolCallResult>;
}

/** What a cell needs to know of the session's stored values to check its writes against the limits. */
export interface StoredSizes {
  /** Bytes of the value stored under `key` (0 when there is none). */
  bytesOf(key: string): number;
  /** Bytes of all stored values. */
  readonly totalBytes: number;
  /** Bytes the session's running cells have written on top of the stored values, not merged yet. */
  readonly pendingBytes: number;
  /** Adds `bytes` (negative: releases them) to {@linkcode pendingBytes}. */
  reserve(bytes: number): void;
}

/** What a cell needs from its session. */
export interface CellContext {
  id: string;
  tools: ToolRunner;
  limits: CellLimits & { storedValueBytes: number; storedBytes: number };
  /** The session's stored values as they were when the cell started, for the store limits. */
  stored: StoredSizes;
  onNotify?: (notification: { cellId: string; text: string }) => void;
  /** The outcome is known: merge `writes` (completed or failed) or drop them (terminated). */
  onFinished: (cell: CellActor, status: CellStatus, writes: Map<string, string>, sandbox: Sandbox | undefined) => void;
  /** The final result was delivered: the id is no longer valid. */
  onClosed: (cell: CellActor) => void;
  /** Told what the cell does, for events and traces. */
  hooks?: CellHooks;
}

type State = "running" | "terminating" | "finished" | "closed";

interface Observer {
  resolve: (result: CellResult) => void;
  onNotify: NotifyListener | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** One running cell, its sandbox, its buffered output and its pending tool calls. */
export class CellActor implements CellListener {
  #state: State = "running";
  #buffer: ContentItem[] = [];
  #bufferedBytes = 0;
  #writes = new Map<string, string>();
  #calls = new Map<string, { controller: AbortController; hooks: ToolCallHooks | undefined }>();
  /** Bytes of every output item emitted, and tool calls made, for the hooks. */
  #outputBytes = 0;
  #toolCallCount = 0;
  #observer: Observer | undefined;
  #outcome: { status: CellStatus; error?: CellError } | undefined;
  #lifetimeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The sandbox; absent until one is assigned (a cell whose source failed to prepare never gets one). */
  #sandbox: Sandbox | undefined;
  /** How much this cell's writes add to the session's stored bytes. */
  #addedBytes = 0;
  /** What this cell has reserved of the session's stored-value room (see `StoredSizes.reserve`). */
  #reservedBytes = 0;
  /** Notifications sent, and dropped past the limit. */
  #notifications = 0;
  #droppedNotifications = 0;
  #started = false;
  #onStarted: (() => void)[] = [];
  /** Run once the cell is closed (signal listeners to remove). */
  #onClose: (() => void)[] = [];
  /** The termination an abort signal started: what observing calls answer with. */
  #aborted: Promise<CellResult> | undefined;

  constructor(private readonly ctx: CellContext) {}

  /** The cell id. */
  get id(): string {
    return this.ctx.id;
  }

  /** `running`, `terminating`, `finished` (outcome not yet delivered) or `closed`. */
  get state(): State {
    return this.#state;
  }

  /** Whether the cell still wants a sandbox: it has not started, and nothing has decided its outcome. */
  get waitingForSandbox(): boolean {
    return !this.#started && this.#outcome === undefined;
  }

  /** The sandbox the cell is being started on: terminating the cell from now on stops it. */
  assign(sandbox: Sandbox): void {
    this.#sandbox = sandbox;
  }

  /** The sandbox accepted the cell: its clocks (lifetime, an exec's yield time) start now. */
  accepted(): void {
    this.#started = true;
    if (this.#outcome !== undefined) {
      // Terminated while the sandbox was taking it: the cell must not run on.
      void this.#sandbox?.kill("terminate");
      return;
    }
    this.#lifetimeTimer = setTimeout(
      () =>
        this.#stop({ kind: "timeout", message: cellLifetimeExceeded(this.id, this.ctx.limits.lifetimeMs) }, "timeout"),
      clampDelay(this.ctx.limits.lifetimeMs),
    );
    for (const run of this.#onStarted.splice(0)) run();
  }

  /** Fails a cell that never reached a sandbox (its source did not parse or import something unsupported). */
  failBeforeStart(message: string): void {
    this.#finish("failed", { kind: "script", message });
  }

  /** Fails a cell whose sandboxes all died before accepting it; `exit` is the last one's. */
  diedBeforeStart(exit: SandboxExit): void {
    this.#finish("failed", this.#deathError(exit));
  }

  /**
   * Waits for the cell to finish, yield, or for `yieldTimeMs` to pass. With `fromStart`, the yield clock starts
   * when the sandbox is ready to run the code (exec); otherwise now (wait).
   */
  async observe(yieldTimeMs: number, fromStart = false, onNotify?: NotifyListener): Promise<CellResult> {
    if (this.#aborted !== undefined) return await this.#aborted;
    const result = await this.#observe(yieldTimeMs, fromStart, onNotify);
    return this.#aborted === undefined ? result : await this.#aborted;
  }

  #observe(yieldTimeMs: number, fromStart: boolean, onNotify: NotifyListener | undefined): Promise<CellResult> {
    if (this.#observer !== undefined) return Promise.resolve(rejected(execCellAlreadyObserved(this.id), this.id));
    if (this.#state === "terminating") return Promise.resolve(rejected(execCellAlreadyTerminating(this.id), this.id));
    if (this.#state === "finished") return Promise.resolve(this.#deliverFinal());
    return new Promise((resolve) => {
      const observer: Observer = { resolve, onNotify, timer: undefined };
      this.#observer = observer;
      const arm = () => {
        if (this.#observer !== observer) return;
        const ms = yieldTimeMs >= YIELD_GRACE_FROM_MS ? yieldTimeMs + YIELD_GRACE_MS : yieldTimeMs;
        observer.timer = setTimeout(() => this.#yieldNow(), clampDelay(ms));
      };
      if (fromStart && !this.#started) this.#onStarted.push(arm);
      else arm();
    });
  }

  /**
   * Stops the cell and answers once the sandbox has exited and in-flight tool calls were cancelled. A cell that
   * already finished by itself answers with that outcome instead.
   */
  async terminate(): Promise<CellResult> {
    if (this.#state === "terminating") return rejected(execCellAlreadyTerminating(this.id), this.id);
    if (this.#state === "finished") return this.#deliverFinal();
    if (this.#state === "closed") return rejected(execCellAlreadyTerminating(this.id), this.id);
    this.#state = "terminating";
    this.#abortToolCalls();
    await this.#sandbox?.kill("terminate");
    // The exit handler has run by now: a `cell/done` that beat the kill decided the outcome; otherwise it is ours.
    this.#finish("terminated", { kind: "terminated", message: CELL_TERMINATED });
    // A wait that was observing when the terminate arrived gets an empty running→terminated answer.
    if (this.#observer !== undefined) this.#resolveObserver({ status: "terminated", cellId: this.id, items: [] });
    return this.#deliverFinal();
  }

  /**
   * Terminates the cell when `signal` aborts, at any time while the cell lives. A call observing the cell then, or
   * after, answers with that termination (its output included), as if it had asked for it.
   */
  terminateOn(signal: AbortSignal): void {
    const abort = () => {
      this.#aborted ??= this.terminate();
    };
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    this.#onClose.push(() => signal.removeEventListener("abort", abort));
  }

  // ---------------------------------------------------------------- sandbox events (LinkListener)

  /** A message from the sandbox (already parsed and validated by the transport). */
  message(message: CellMessage): void {
    if (this.#outcome !== undefined) return;
    switch (message.type) {
      case "output/text":
        return this.#emit(textItem(message.text), utf8ByteLength(message.text));
      case "output/image":
        return this.#emit(
          { type: "input_image", image_url: message.image_url, detail: message.detail },
          message.image_url.length,
        );
      case "store/set":
        return this.#store(message.key, message.json);
      case "cell/notify":
        return this.#notify(message.text);
      case "cell/yield":
        if (this.#observer !== undefined) this.#yieldNow();
        return;
      case "tool/call":
        return this.#callTool(message);
      case "cell/done":
        return message.ok
          ? this.#finish("completed")
          : this.#finish("failed", { kind: "script", message: message.error });
    }
  }

  /** The sandbox is gone. Unless the cell already ended, that is a failure whose reason we name. */
  exit(exit: SandboxExit): void {
    if (this.#outcome !== undefined || this.#state === "terminating") return;
    this.#finish("failed", this.#deathError(exit));
  }

  #deathError(exit: SandboxExit): CellError {
    if (exit.protocolError !== undefined) {
      return { kind: "protocol", message: execRuntimeEndedUnexpectedly(protocolViolationReason(exit.protocolError)) };
    }
    if (exit.outOfMemory) {
      return {
        kind: "memory_limit",
        message: execRuntimeEndedUnexpectedly(memoryLimitReason(this.ctx.limits.heapMiB)),
      };
    }
    return { kind: "runtime", message: execRuntimeEndedUnexpectedly(sandboxExitReason(exit.code, exit.signal)) };
  }

  // ---------------------------------------------------------------- internals

  #emit(item: ContentItem, bytes: number): void {
    this.#buffer.push(item);
    // Every item costs the host memory of its own: millions of empty texts must reach the limit too.
    this.#bufferedBytes += bytes + OUTPUT_ITEM_OVERHEAD_BYTES;
    this.#outputBytes += bytes;
    if (this.#bufferedBytes > this.ctx.limits.outputBytes) {
      this.#stop(
        { kind: "output_limit", message: cellOutputLimitExceeded(this.id, this.ctx.limits.outputBytes) },
        "output_limit",
      );
    }
  }

  #callTool(call: ToolCall): void {
    const { callId } = call;
    const reply = (outcome: ToolCallResult) => {
      const pending = this.#calls.get(callId);
      if (pending === undefined) return; // cancelled: the cell ended first
      this.#calls.delete(callId);
      pending.hooks?.end(outcome);
      if (this.#outcome === undefined) {
        this.#sandbox?.sendFrame(
          outcome.ok
            ? encodeFrameWithValue({ type: "tool/result", callId, ok: true }, JSON.stringify(outcome.value))
            : encodeFrame({ type: "tool/result", callId, ok: false, error: outcome.error }),
        );
      }
    };
    if (this.#calls.has(callId)) return; // a repeated id can only come from a forged frame: ignore it
    const controller = new AbortController();
    this.#toolCallCount++;
    const hooks = this.ctx.hooks?.toolCall({ callId, tool: call.tool, argumentsJson: call.input });
    this.#calls.set(callId, { controller, hooks });
    if (this.#calls.size > this.ctx.limits.maxToolCallsInFlight) {
      return reply({ ok: false, error: toolCallsInFlightExceeded(this.ctx.limits.maxToolCallsInFlight) });
    }
    const input = readArguments(call.input);
    if (!input.ok) return reply({ ok: false, error: toolArgumentsUnreadable(call.tool, input.error) });
    const run = () =>
      this.ctx.tools.call(call.tool, input.value, { signal: controller.signal, cellId: this.id, callId });
    (hooks === undefined ? run() : hooks.run(run))
      .then(
        reply,
        (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  }

  /** A stored-value write, checked against the limits again (the sandbox's helpers refuse these first). */
  #store(key: string, json: string): void {
    const bytes = utf8ByteLength(json);
    const { storedValueBytes, storedBytes } = this.ctx.limits;
    const previous = this.#writes.get(key);
    const replaced = previous === undefined ? this.ctx.stored.bytesOf(key) : utf8ByteLength(previous);
    // Other running cells' writes count too: together they must fit when they are merged.
    const others = this.ctx.stored.pendingBytes - this.#reservedBytes;
    const total = this.ctx.stored.totalBytes + others + this.#addedBytes - replaced + bytes;
    if (bytes > storedValueBytes || total > storedBytes) {
      const limit = bytes > storedValueBytes ? storedValueBytes : storedBytes;
      const violation = { code: "store_limit", bytes: bytes > storedValueBytes ? bytes : total, limit } as const;
      this.#stop(
        { kind: "protocol", message: execRuntimeEndedUnexpectedly(protocolViolationReason(violation)) },
        "store_limit",
      );
      return;
    }
    this.#addedBytes += bytes - replaced;
    // Only growth is reserved: a cell that shrinks a value may still end without its writes being merged.
    const reserve = Math.max(0, this.#addedBytes) - this.#reservedBytes;
    if (reserve > 0) {
      this.ctx.stored.reserve(reserve);
      this.#reservedBytes += reserve;
    }
    this.#writes.set(key, json);
  }

  /** A notification, within the cell's budget; the ones past it are counted and reported once, at the end. */
  #notify(text: string): void {
    if (this.#notifications >= this.ctx.limits.maxNotifications) {
      this.#droppedNotifications++;
      return;
    }
    this.#notifications++;
    this.ctx.onNotify?.({ cellId: this.id, text });
    this.#observer?.onNotify?.({ cellId: this.id, text });
    this.ctx.hooks?.notify(text);
  }

  #abortToolCalls(): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const { controller, hooks } of calls) {
      hooks?.end({ cancelled: true });
      controller.abort();
    }
  }

  /** A limit or a protocol violation ends the cell: decide the outcome now, then stop the sandbox. */
  #stop(error: CellError, reason: SandboxKillReason): void {
    if (this.#outcome !== undefined || this.#state === "terminating") return;
    this.#finish("failed", error);
    void this.#sandbox?.kill(reason);
  }

  /** Decides the terminal outcome (first caller wins) and settles everything that depends on it. */
  #finish(status: Exclude<CellStatus, "running">, error?: CellError): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = error === undefined ? { status } : { status, error };
    if (this.#state === "running") this.#state = "finished";
    clearTimeout(this.#lifetimeTimer);
    this.#abortToolCalls();
    this.ctx.stored.reserve(-this.#reservedBytes); // merged now, or dropped
    this.#reservedBytes = 0;
    if (this.#droppedNotifications > 0) {
      const text = notificationsDropped(this.#droppedNotifications, this.ctx.limits.maxNotifications);
      this.ctx.onNotify?.({ cellId: this.id, text });
      this.#observer?.onNotify?.({ cellId: this.id, text });
      this.ctx.hooks?.notify(text);
    }
    this.ctx.onFinished(this, status, this.#writes, this.#sandbox);
    const done = { status, outputBytes: this.#outputBytes, toolCalls: this.#toolCallCount };
    this.ctx.hooks?.finished(error === undefined ? done : { ...done, error });
    if (this.#observer !== undefined && this.#state !== "terminating") this.#resolveObserver(this.#deliverFinal());
  }

  /** The final result with the output not yet delivered; the cell is closed after this. */
  #deliverFinal(): CellResult {
    const outcome = this.#outcome!;
    this.#state = "closed";
    this.ctx.onClosed(this);
    for (const run of this.#onClose.splice(0)) run();
    const result: CellResult = { status: outcome.status, cellId: this.id, items: this.#drain() };
    if (outcome.error !== undefined) result.error = outcome.error;
    return result;
  }

  #yieldNow(): void {
    this.#resolveObserver({ status: "running", cellId: this.id, items: this.#drain() });
  }

  #resolveObserver(result: CellResult): void {
    const observer = this.#observer;
    if (observer === undefined) return;
    this.#observer = undefined;
    clearTimeout(observer.timer);
    observer.resolve(result);
  }

  #drain(): ContentItem[] {
    const items = this.#buffer;
    this.#buffer = [];
    this.#bufferedBytes = 0;
    return items;
  }
}

/** A delay a timer can hold: longer ones are clamped (a timer past its limit would fire at once). */
function clampDelay(ms: number): number {
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
}

/**
 * A tool call's arguments from their JSON text, refusing nesting deeper than {@linkcode MAX_ARGUMENT_DEPTH} (the
 * validators recurse per level, and the host's stack is not the cell's to exhaust).
 */
function readArguments(json: string): { ok: true; value: unknown } | { ok: false; error: "depth" | "json" } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  if (deepest > MAX_ARGUMENT_DEPTH) return { ok: false, error: "depth" };
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch {
    return { ok: false, error: "json" };
  }
}
