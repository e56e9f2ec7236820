/**
 * Options of the programmatic cell API (`CodeModeSession.exec`, `wait`, `cells`), shared by the session and the
 * model layer that drives it.
 *
 * @module
 */

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
}

/** Options of `CodeModeSession.wait`. */
export interface WaitOptions {
  /** Return after this long even if the cell is still running (default 10 000; ≥ 10 000 gets 1 s of grace). */
  yieldTimeMs?: number;
  /** Stop the cell and answer once its sandbox has exited. */
  terminate?: boolean;
  /** Truncate the returned items to this many tokens (docs/contract.md §2); unlimited when absent. */
  maxOutputTokens?: number;
}

/** A live cell as listed by `CodeModeSession.cells`. */
export interface CellInfo {
  /** The cell's id, as passed to `CodeModeSession.wait`. */
  cellId: string;
  /** `running`, `terminating`, or `finished` (its final result not yet delivered). */
  state: "running" | "terminating" | "finished";
}

