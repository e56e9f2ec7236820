/**
 * Options of the programmatic cell API (`CodeModeSession.exec`, `wait`, `cells`), shared by the session and the
 * model layer that drives it.
 *
 * @module
 */
import type { Context } from "@opentelemetry/api";

/**
 * What parents a call's spans (docs/architecture.md "Observe"): an OpenTelemetry `Context`, or a W3C `traceparent`
 * header value (such as an MCP request's `_meta.traceparent`). Without one, the active context does; a malformed
 * `traceparent` is ignored.
 */
export type TraceParent = Context | string;

/** Options of `CodeModeSession.exec`. */
export interface ExecOptions {
  /** Return after this long even if the cell is still running (default 10 000; ≥ 10 000 gets 1 s of grace). */
  yieldTimeMs?: number;
  /** Truncate the returned items to this many tokens (docs/contract.md §2); unlimited when absent. */
  maxOutputTokens?: number;
  /**
   * Type-check the cell against `CodeModeSession.typeDeclarations` before anything runs (~0.3–0.7 s).
   * Type errors fail the cell with the diagnostics (`cell.ts:L:C`) and nothing runs.
   */
  typecheck?: boolean;
  /**
   * Aborting it terminates the cell, whenever that happens while the cell lives (also after this call returned
   * `running`); this call then answers with the termination. Already aborted: no cell is started.
   */
  signal?: AbortSignal;
  /** Receives the cell's `notify()` calls while this call waits on it (the session's `onNotify` gets them too). */
  onNotify?: NotifyListener;
  /** Called with the new cell's id as soon as it exists, before the call returns. */
  onCell?: (cellId: string) => void;
  /** The parent of this call's span and of the cell's (see {@linkcode TraceParent}). */
  traceParent?: TraceParent;
}

/** A receiver of `notify()` calls. */
export type NotifyListener = (notification: { cellId: string; text: string }) => void;

/** Options of `CodeModeSession.wait`. */
export interface WaitOptions {
  /** Return after this long even if the cell is still running (default 10 000; ≥ 10 000 gets 1 s of grace). */
  yieldTimeMs?: number;
  /** Stop the cell and answer once its sandbox has exited. */
  terminate?: boolean;
  /** Truncate the returned items to this many tokens (docs/contract.md §2); unlimited when absent. */
  maxOutputTokens?: number;
  /** Aborting it terminates the cell (this call then answers with the termination). */
  signal?: AbortSignal;
  /** Receives the cell's `notify()` calls while this call waits on it (the session's `onNotify` gets them too). */
  onNotify?: NotifyListener;
  /** The parent of this call's span (see {@linkcode TraceParent}); the span links to the cell's. */
  traceParent?: TraceParent;
}

/** A live cell as listed by `CodeModeSession.cells`. */
export interface CellInfo {
  /** The cell's id, as passed to `CodeModeSession.wait`. */
  cellId: string;
  /** `running`, `terminating`, or `finished` (its final result not yet delivered). */
  state: "running" | "terminating" | "finished";
}
