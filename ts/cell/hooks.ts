/**
 * What a cell reports about itself as it runs, for the session's events and traces (docs/architecture.md
 * "Observe"). The actor calls these hooks and never waits on them; containing a hook that throws is the session's
 * job (a listener must never break a cell).
 *
 * @module
 */
import type { ToolCallResult } from "../tools/registry.ts";
import type { CellError, CellStatus } from "./result.ts";

/** A nested tool call as the cell made it. */
export interface ToolCallStart {
  /** The call's id, unique within the cell. */
  callId: string;
  /** The tool's global name, as the cell called it. */
  tool: string;
  /** The arguments as the JSON text the sandbox sent. */
  argumentsJson: string;
}

/** How a tool call ended: the result the cell gets, or cancelled because the cell ended first. */
export type ToolCallEnd = ToolCallResult | { cancelled: true };

/** One tool call's hooks. */
export interface ToolCallHooks {
  /** Runs the call (the session may run it inside the call's trace context). */
  run<T>(call: () => T): T;
  /** The call ended; called once. */
  end(outcome: ToolCallEnd): void;
}

/** A cell's terminal outcome and what it did. */
export interface CellOutcome {
  status: Exclude<CellStatus, "running">;
  error?: CellError;
  /** Bytes of every output item the cell emitted (text and image URLs), delivered or not. */
  outputBytes: number;
  /** Tool calls the cell made. */
  toolCalls: number;
}

/** The hooks a session gives each cell. */
export interface CellHooks {
  /** A tool call arrived (before its arguments are read). */
  toolCall(call: ToolCallStart): ToolCallHooks;
  /** A notification reached the host. */
  notify(text: string): void;
  /** The cell's outcome is decided (after its stored-value writes were handed to the session). */
  finished(outcome: CellOutcome): void;
}
