/**
 * The one cell a sandbox is running: its channel to the host and its stored values.
 *
 * Helpers are created once when the runtime loads; each reads the current cell from here, so the warm-up cell and
 * the real cell run through the very same functions (that is what warms them) without sharing any state.
 *
 * @module
 */
import type { SandboxToHost } from "../ts/contract/wire.ts";
import { JSONStringify, ObjectSetPrototypeOf, SafeMap } from "./intrinsics.ts";

/** How helpers reach the host. Implemented by the runtime over stdio. */
export interface Port {
  /** Writes one message to the host now (synchronously, so a sandbox that dies later loses nothing). */
  send(message: SandboxToHost): void;
  /** Writes one frame already encoded as JSON text (used where a user value is embedded). */
  sendRaw(frameJson: string): void;
  /** Ends the cell as completed: reports `cell/done` and stops the sandbox (so, for a real cell, never returns). */
  complete(): void;
  /** Ends the cell as failed with a thrown value: reports `cell/done` with its error text and stops the sandbox. */
  fail(error: unknown): void;
}

/** Per-cell state; replaced wholesale for each cell. */
export class CellState {
  /** Stored values as JSON texts: the session snapshot plus this cell's own writes. */
  readonly stored = new SafeMap<string, string>();
  /** Pending `tools.*` promises by call id. */
  readonly calls = new SafeMap<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  /** Pending timers by id. */
  readonly timers = new SafeMap<number, true>();
  nextCallId = 1;
  nextTimerId = 1;
  constructor(readonly port: Port) {}
}

let current: CellState | undefined;

/** The running cell. Helpers are only reachable from cell code, so there always is one. */
export function cell(): CellState {
  if (current === undefined) throw new Error("codecell: no cell is running");
  return current;
}

/** Makes `state` the running cell. */
export function enterCell(state: CellState): void {
  current = state;
}

/** Sends a message to the host for the running cell. */
export function send(message: SandboxToHost): void {
  cell().port.send(message);
}

/**
 * Encodes a message built by the runtime. Its prototype is cut first so that a cell that defines
 * `Object.prototype.toJSON` cannot change how frames are encoded (every message is flat).
 */
export function encodeMessage(message: SandboxToHost): string {
  return JSONStringify(ObjectSetPrototypeOf(message, null));
}
