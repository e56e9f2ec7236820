/**
 * The session's events (docs/architecture.md "Observe"): what its cells, their tool calls and its sandboxes do, as
 * plain data for `SessionOptions.onEvent`. Events carry sizes, names, ids and durations; argument, result, stored
 * and notification *values* only when the host opts in with `eventsIncludeValues`.
 *
 * @module
 */
import type { CellErrorKind, CellStatus } from "../cell/result.ts";
import type { JsonValue } from "../contract/wire.ts";
import type { SandboxEndReason } from "../transport/sandbox.ts";

/** A cell was created (after its type check passed, when it had one) and is on its way to a sandbox. */
export interface CellStartEvent {
  /** The event's kind. */
  type: "cell.start";
  /** The cell the event is about. */
  cellId: string;
  /** UTF-8 bytes of the cell's source. */
  sourceBytes: number;
  /** Whether the cell was type-checked before it was created. */
  typecheck: boolean;
  /** The source (with `eventsIncludeValues`). */
  source?: string;
}

/** A cell's outcome is decided. */
export interface CellEndEvent {
  /** The event's kind. */
  type: "cell.end";
  /** The cell the event is about. */
  cellId: string;
  /** How the cell ended. */
  status: Exclude<CellStatus, "running">;
  /** Why it did not complete (absent when it did). */
  errorKind?: CellErrorKind;
  /** The error text the model sees (with `eventsIncludeValues`). */
  errorMessage?: string;
  /** Milliseconds from the cell's creation to its outcome. */
  wallMs: number;
  /** Bytes of every output item the cell emitted. */
  outputBytes: number;
  /** Tool calls the cell made. */
  toolCalls: number;
}

/** A cell called a tool (before its arguments were validated). */
export interface ToolStartEvent {
  /** The event's kind. */
  type: "tool.start";
  /** The cell the event is about. */
  cellId: string;
  /** The tool call, unique within its cell. */
  callId: string;
  /** The tool's global name (`tools.<name>`). */
  tool: string;
  /** UTF-8 bytes of the arguments' JSON text. */
  argumentBytes: number;
  /** The arguments as the cell passed them (with `eventsIncludeValues`; absent when they are not JSON). */
  args?: JsonValue;
}

/** A tool call ended: with a result, an error (refused arguments, a denial, a throwing handler), or cancelled. */
export type ToolEndEvent =
  & {
    /** The event's kind. */
    type: "tool.end";
    /** The cell the event is about. */
    cellId: string;
    /** The tool call, unique within its cell. */
    callId: string;
    /** The tool's global name (`tools.<name>`). */
    tool: string;
    /** Milliseconds from the call's arrival to its end. */
    durationMs: number;
  }
  & (
    | {
      ok: true;
      /** UTF-8 bytes of the result's JSON text. */
      resultBytes: number;
      /** The result (with `eventsIncludeValues`). */
      result?: JsonValue;
    }
    | {
      ok: false;
      /** The error text the cell's call rejects with, or {@linkcode TOOL_CALL_CANCELLED}. */
      error: string;
    }
  );

/** Host-facing text of a tool call that never answered because its cell ended first. */
export const TOOL_CALL_CANCELLED = "cancelled: the cell ended before the call did";

/** Host-facing text of an approval the host had not given when the call's cell ended. */
export const APPROVAL_WITHDRAWN = "withdrawn: the cell ended before the host decided";

/**
 * The session asked the host's `approve` about a tool call, and the question ended: with an answer, with `approve`
 * failing, or with the cell ending first (whichever came first).
 */
export interface ToolApprovalEvent {
  /** The event's kind. */
  type: "tool.approval";
  /** The cell the event is about. */
  cellId: string;
  /** The tool call, unique within its cell. */
  callId: string;
  /** The tool's global name (`tools.<name>`). */
  tool: string;
  /** Whether the host approved the call (only `true` from `approve` does). */
  approved: boolean;
  /** Milliseconds the call waited for the answer. */
  durationMs: number;
  /** Why there was no answer: `approve` failed (its error's message), or {@linkcode APPROVAL_WITHDRAWN}. */
  error?: string;
}

/** A cell's stored-value writes joined the session's values (a cell that finished, completed or failed). */
export interface StoreWriteEvent {
  /** The event's kind. */
  type: "store.write";
  /** The cell the event is about. */
  cellId: string;
  /** Each key written, with the UTF-8 bytes of its JSON text (and the text, with `eventsIncludeValues`). */
  writes: { key: string; bytes: number; json?: string }[];
}

/** A cell's `notify()` reached the host. */
export interface NotifyEvent {
  /** The event's kind. */
  type: "notify";
  /** The cell the event is about. */
  cellId: string;
  /** UTF-8 bytes of the text. */
  bytes: number;
  /** The text (with `eventsIncludeValues`). */
  text?: string;
}

/**
 * A sandbox joined the session for a cell: one the host's pool had booted in advance (`warm`), or one that was
 * still booting or had to be started for the cell.
 */
export interface SandboxSpawnEvent {
  /** The event's kind. */
  type: "sandbox.spawn";
  /** A process-wide number naming the sandbox. */
  sandboxId: number;
  /** The cell the event is about. */
  cellId: string;
  /** Whether the pool had booted it in advance. */
  warm: boolean;
}

/** A cell runs on the sandbox that ran an earlier cell of the session (in a fresh context). */
export interface SandboxReuseEvent {
  /** The event's kind. */
  type: "sandbox.reuse";
  /** A process-wide number naming the sandbox. */
  sandboxId: number;
  /** The cell the event is about. */
  cellId: string;
  /** Cells the sandbox had run before this one. */
  cellsServed: number;
}

/**
 * Why a clean sandbox was closed after its cell rather than kept for the next: `process` isolation (one cell per
 * sandbox), it served too many cells, was busy too long or kept too much heap, the session already keeps another
 * one, or the session closed.
 */
export type SandboxRecycleReason = "isolation" | "cells_served" | "busy_time" | "heap" | "spare" | "session_closed";

/** A clean sandbox was closed (gracefully) instead of being kept. */
export interface SandboxRecycleEvent {
  /** The event's kind. */
  type: "sandbox.recycle";
  /** A process-wide number naming the sandbox. */
  sandboxId: number;
  /** Why the sandbox was closed. */
  reason: SandboxRecycleReason;
}

/** A sandbox of the session ended otherwise: stopped by the host, or by itself; `reason` says which. */
export interface SandboxKillEvent {
  /** The event's kind. */
  type: "sandbox.kill";
  /** A process-wide number naming the sandbox. */
  sandboxId: number;
  /** Why the sandbox ended. */
  reason: SandboxEndReason;
}

/** What a session's sandboxes do. */
export type SandboxEvent = SandboxSpawnEvent | SandboxReuseEvent | SandboxRecycleEvent | SandboxKillEvent;

/** Every event a session reports to `onEvent`, told apart by `type`. */
export type CodecellEvent =
  | CellStartEvent
  | CellEndEvent
  | ToolStartEvent
  | ToolEndEvent
  | ToolApprovalEvent
  | StoreWriteEvent
  | NotifyEvent
  | SandboxEvent;

/** Receives a session's events. */
export type EventListener = (event: CodecellEvent) => void;

/** Options of {@linkcode EventSink}. */
export interface EventSinkOptions {
  onEvent?: EventListener;
  includeValues?: boolean;
  /** Gets every error the listener throws; without it, the first one is reported with `console.warn`. */
  onEventError?: (error: unknown, event: CodecellEvent) => void;
}

/** Delivers events to the host's listener; a listener that throws never reaches the cell. */
export class EventSink {
  readonly #listener: EventListener | undefined;
  readonly #onError: EventSinkOptions["onEventError"];
  #warned = false;
  /** Whether events carry values. */
  readonly includeValues: boolean;

  constructor(options: EventSinkOptions) {
    this.#listener = options.onEvent;
    this.#onError = options.onEventError;
    this.includeValues = options.includeValues ?? false;
  }

  /** Whether anyone listens (events need not be built otherwise). */
  get active(): boolean {
    return this.#listener !== undefined;
  }

  /** Hands `event` to the listener; whatever it throws is reported, never rethrown. */
  emit(event: CodecellEvent): void {
    if (this.#listener === undefined) return;
    try {
      this.#listener(event);
    } catch (error) {
      this.#report(error, event);
    }
  }

  #report(error: unknown, event: CodecellEvent): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(error, event);
      } catch {
        // The error handler failed too: nothing else to tell, and the cell must go on.
      }
      return;
    }
    if (this.#warned) return;
    this.#warned = true;
    console.warn(
      `codecell: the onEvent listener threw on a ${event.type} event (later errors are not reported):`,
      error,
    );
  }
}
